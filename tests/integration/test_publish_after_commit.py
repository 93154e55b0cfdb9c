"""Every command that records a domain fact publishes it after its commit, `acara invite` too.

A subscriber on a real Prefect server (the session's test server) is listening before the
officer invites; the announcement must reach it at once, not at the next re-emit sweep.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from acara.eventfile import read_event_file
from acara.stages import invitations, planning
from models.audit import DomainEvent
from models.events import EventAnnounced, EventRescheduled
from models.planning import import_event
from tests.conftest import EXAMPLES

ARRIVAL = 30.0  # seconds; the re-emit sweep would take up to 15 minutes


async def _received(
    api_url: str, resource: str, names: list[str], command: object
) -> list[tuple[str, str]]:
    """Run `command` in a thread while subscribed; (name, actor) of the facts that arrived."""
    from prefect.events.clients import PrefectEventSubscriber
    from prefect.events.filters import EventFilter, EventNameFilter, EventResourceFilter

    wanted = EventFilter(
        event=EventNameFilter(name=names), resource=EventResourceFilter(id=[resource])
    )
    arrived: list[tuple[str, str]] = []
    async with PrefectEventSubscriber(api_url, filter=wanted, reconnection_attempts=0) as events:
        await asyncio.to_thread(command)  # type: ignore[arg-type]
        while len(arrived) < len(names):
            event = await asyncio.wait_for(events.__anext__(), timeout=ARRIVAL)
            arrived.append((event.event, event.payload["actor"]))
    return arrived


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_invite_and_reschedule_reach_the_prefect_server_at_once(
    prefect_harness: None, session: Session, acara_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prefect.settings import PREFECT_API_URL

    api_url = str(PREFECT_API_URL.value())
    monkeypatch.setenv("PREFECT_API_URL", api_url)  # as with `acara serve` running
    spec, rows = read_event_file(EXAMPLES / "penandatanganan-mou-ombudsman.yaml")
    event_id = import_event(session, spec, rows, actor="test").event_id
    session.commit()

    def officer_works() -> None:
        invitations.owe_invitations(spec.code, actor="Rina Marlina")  # as `acara invite` does
        planning.reschedule(spec.code, "2099-01-05 09:00", actor="Rina Marlina")

    names = [EventAnnounced.name, EventRescheduled.name]
    arrived = asyncio.run(_received(api_url, f"acara.event.{event_id}", names, officer_works))
    assert arrived == [(name, "Rina Marlina") for name in names]  # who did it, on the wire
    session.expire_all()
    unsent = select(DomainEvent).where(col(DomainEvent.emitted_at).is_(None))
    assert session.exec(unsent).all() == []  # nothing left for the sweep
