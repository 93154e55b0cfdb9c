"""The message bus: stored domain events go to Prefect after the commit that recorded them.

A change stores its domain fact (models.events) in the same transaction. After the commit,
`publishing` emits the stored rows to the Prefect server, where deployment triggers start
the stage flows. When no server is reachable the rows stay pending (the re-emit sweep sends
them later) and the caller's `react` runs each fact here, in the same process, so the plain
CLI still works. Reactions are idempotent (the outbox is unique per message), so running
both paths, or one twice, is harmless. The bus knows no stage: the reaction table
(acara/stages/reactions.py) is handed in by whoever opens the unit of work.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
import uuid
from collections.abc import Callable, Coroutine, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import event as sa_event
from sqlalchemy import update
from sqlmodel import Session, col, select

from acara.db import unit_of_work
from acara.settings import get_settings, masked
from models.audit import DomainEvent
from models.clock import utcnow
from models.event import Event
from models.events import DomainFact

log = logging.getLogger(__name__)

# What reacts to a fact that no Prefect server received: None when nothing does. It must not
# use Prefect: a task outside a server starts a temporary one (about 17 s here).
React = Callable[[DomainFact], object | None]
# Stable namespace for Prefect event ids: a re-emitted row gets the same id, and the server
# drops an event id it saw in the last few minutes.
_EVENT_ID_NAMESPACE = uuid.UUID("5f0d3c1e-8a6b-4c2e-9f47-3b1a2c4d5e6f")
_SERVE_FILE = "serve.json"
T = TypeVar("T")


def prefect_home() -> Path:
    """Where Prefect keeps its state for this data folder (never ~/.prefect)."""
    return (get_settings().data_dir / "prefect").resolve()


def prefect_environment() -> None:
    """Point Prefect at the data folder before it is imported; no telemetry (no network)."""
    os.environ.setdefault("PREFECT_HOME", str(prefect_home()))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


def advertise(api_url: str) -> Path:
    """Record that `acara serve` runs a server for this data folder, so the CLI finds it."""
    path = prefect_home() / _SERVE_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"api_url": api_url, "pid": os.getpid()}))
    return path


def withdraw() -> None:
    """Forget the advertised server (on shutdown)."""
    (prefect_home() / _SERVE_FILE).unlink(missing_ok=True)


def api_url() -> str | None:
    """The Prefect API to emit to: PREFECT_API_URL, else a running `acara serve`, else None."""
    if url := os.environ.get("PREFECT_API_URL"):
        return url.rstrip("/")
    try:
        advertised = json.loads((prefect_home() / _SERVE_FILE).read_text())
        os.kill(int(advertised["pid"]), 0)  # still alive?
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return str(advertised["api_url"]).rstrip("/")


def server_healthy(url: str, timeout: float = 2.0) -> bool:
    """True when a Prefect API answers its health check."""
    import httpx

    try:
        return httpx.get(f"{url}/health", timeout=timeout).status_code == 200
    except httpx.HTTPError:
        return False


@dataclass(slots=True)
class EmitReport:
    """What one emission pass did."""

    emitted: list[int] = field(default_factory=list)  # DomainEvent ids now marked emitted
    pending: list[int] = field(default_factory=list)  # ids left for the re-emit sweep
    reason: str | None = None  # why some stayed pending


@dataclass(frozen=True, slots=True)
class Handled:
    """A fact handled here because no Prefect server would: what its handler returned."""

    fact: str
    event_id: int
    result: Any  # e.g. a DeliverySummary; str() gives one line

    def __str__(self) -> str:
        lines = getattr(self.result, "lines", None)
        text = "; ".join(lines()) if callable(lines) else str(self.result)
        return f"{self.fact} handled here: {text}"


@dataclass(slots=True)
class AfterCommitReport:
    """What happened after a commit: emitted, left pending, handled here."""

    emit: EmitReport
    inline: list[Handled] = field(default_factory=list)  # handlers run in this process

    def lines(self) -> list[str]:
        """Human-readable lines for the CLI."""
        out = []
        if self.emit.emitted:
            out.append(
                f"Sent {len(self.emit.emitted)} event(s) to Prefect: the service takes over."
            )
        if self.emit.pending:
            out.append(
                f"{len(self.emit.pending)} event(s) not sent to Prefect ({self.emit.reason}); "
                "kept for the next sweep."
            )
        out.extend(str(handled) for handled in self.inline)
        return out


def wire_event(row: DomainEvent, code: str | None = None) -> Any:
    """The Prefect event for a stored domain event (same id every time it is sent)."""
    from prefect.events import Event as PrefectEvent

    resource = {"prefect.resource.id": row.resource_id}
    if code:
        resource["prefect.resource.name"] = code
    return PrefectEvent(
        id=uuid.uuid5(_EVENT_ID_NAMESPACE, f"{row.id}:{row.occurred_at.isoformat()}"),
        event=row.name,
        resource=resource,
        payload=row.payload,
        occurred=row.occurred_at,
    )


def emit(ids: Sequence[int] | None = None, *, limit: int = 500) -> EmitReport:
    """Emit stored events not yet emitted (those in `ids`, or the oldest `limit`), mark them."""
    with unit_of_work() as session:
        query = (
            select(DomainEvent, Event.code)
            .outerjoin(Event, col(Event.id) == DomainEvent.event_id)
            .where(col(DomainEvent.emitted_at).is_(None))
            .order_by(col(DomainEvent.id))
        )
        if ids is not None:
            if not ids:
                return EmitReport()
            query = query.where(col(DomainEvent.id).in_(list(ids)))
        else:
            query = query.limit(limit)
        rows = list(session.exec(query))
    if not rows:
        return EmitReport()
    report = EmitReport(pending=[row.id for row, _ in rows if row.id is not None])
    url = api_url()
    if url is None:
        report.reason = "PREFECT_API_URL is not set and no `acara serve` is running"
        return report
    if not server_healthy(url):
        report.reason = f"the Prefect server at {masked(url)} does not answer"
        return report
    sent: list[int] = []
    prefect_environment()
    try:
        _run(_send(url, rows, sent))
    except Exception as exc:  # the server went away mid-way: keep the rest for the sweep
        log.warning("emitting to %s stopped after %d event(s): %s", url, len(sent), exc)
        report.reason = f"the Prefect server at {masked(url)} stopped answering"
    if sent:
        with unit_of_work() as session:
            session.exec(  # type: ignore[call-overload]
                update(DomainEvent)
                .where(col(DomainEvent.id).in_(sent), col(DomainEvent.emitted_at).is_(None))
                .values(emitted_at=utcnow())
            )
    report.emitted = sent
    report.pending = [i for i in report.pending if i not in set(sent)]
    return report


async def _send(url: str, rows: list[tuple[DomainEvent, str | None]], sent: list[int]) -> None:
    # Not prefect.events.emit_event: it hands events to a background thread and never says
    # whether the server got them. This client raises instead, and checkpoint_every=1 makes
    # it wait for the server's pong after each event, so "emitted" means "received".
    from prefect.events.clients import PrefectEventsClient

    async with PrefectEventsClient(url, reconnection_attempts=2, checkpoint_every=1) as client:
        for row, code in rows:
            await client.emit(wire_event(row, code))
            assert row.id is not None
            sent.append(row.id)


def start_deployment(flow: str, deployment: str, parameters: dict[str, Any]) -> bool:
    """Start a run of a served deployment now (not waiting for it); False when no Prefect
    server runs for this data folder, so the caller does the work itself."""
    url = api_url()
    if url is None or not server_healthy(url):
        return False
    from prefect.deployments.flow_runs import arun_deployment
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings({PREFECT_API_URL: url}):
        run = _run(
            arun_deployment(
                f"{flow}/{deployment}", parameters=parameters, timeout=0, as_subflow=False
            )
        )
    log.info("started %s/%s for %s: flow run %s", flow, deployment, parameters, run.id)
    return True


def reemit_pending(limit: int = 500) -> EmitReport:
    """The sweep: emit stored events that never reached Prefect (server was down), oldest first."""
    return emit(None, limit=limit)


def after_commit(ids: Iterable[int | None], react: React | None = None) -> AfterCommitReport:
    """Emit the just-committed events; those no server received go to `react`, if given."""
    wanted = [i for i in ids if i is not None]
    report = AfterCommitReport(emit=emit(wanted))
    if react is None or not report.emit.pending:
        return report
    with unit_of_work() as session:
        rows = session.exec(
            select(DomainEvent)
            .where(col(DomainEvent.id).in_(report.emit.pending))
            .order_by(col(DomainEvent.id))
        ).all()
    for row in rows:
        fact = row.fact()
        log.info("no Prefect server: reacting to %s of event %s here", row.name, row.event_id)
        result = react(fact)
        if result is not None:
            report.inline.append(Handled(row.name, fact.event_id, result))
    return report


class Publishing:
    """The facts a `publishing()` block stored; `report` is filled in once they are published."""

    def __init__(self, react: React | None) -> None:
        self.react = react
        self.stored: list[DomainEvent] = []
        self.report: AfterCommitReport | None = None

    def publish(self) -> AfterCommitReport:
        """Emit the committed facts (or react to them here); run once, after the commit."""
        if self.report is None:
            self.report = after_commit((row.id for row in self.stored), self.react)
        return self.report

    def lines(self) -> list[str]:
        """What happened after the commit, for the CLI."""
        return self.report.lines() if self.report else []


@contextmanager
def publishing(
    react: React | None = None, *, defer: bool = False, dry_run: bool = False
) -> Iterator[tuple[Session, Publishing]]:
    """A unit of work that publishes the domain facts it stored once it has committed.

    `defer=True` leaves the publishing to the caller (`Publishing.publish()`), e.g. a web
    route that answers first and publishes in a background task. `dry_run=True` rolls the
    block back: nothing is stored, so nothing is published.
    """
    outcome = Publishing(react)
    with unit_of_work(keep=not dry_run) as session:

        @sa_event.listens_for(session, "before_flush")
        def _collect(s: Session, _context: object, _instances: object) -> None:
            outcome.stored.extend(o for o in s.new if isinstance(o, DomainEvent))

        yield session, outcome
    if dry_run:
        outcome.stored.clear()
    elif not defer:
        outcome.publish()


def _run(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to the end from sync code, even when this thread has a running loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    result: list[T] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            result.append(asyncio.run(coro))
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=target, name="acara-bus")
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return result[0]
