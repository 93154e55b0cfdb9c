"""The bus without a Prefect server: events are stored first, kept when nobody receives them,
and their work is done here instead; doing it twice changes nothing."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from acara import bus
from acara.eventfile import read_event_file
from acara.stages.reactions import react
from acara.stages.unit import change
from models.audit import DomainEvent
from models.event import Event
from models.lifecycle import Action, apply
from models.outbox import Message, MessageStatus
from models.planning import import_event
from tests.conftest import EXAMPLES


@pytest.fixture
def event_id(session: Session, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    spec, rows = read_event_file(EXAMPLES / "fgd-halifax.yaml")
    result = import_event(session, spec, rows, actor="test")
    session.commit()
    return result.event_id


def announce(event_id: int, *, inline: bool = True) -> bus.Publishing:
    with change(react=inline) as (session, published):
        target = session.get(Event, event_id)
        assert target is not None
        apply(session, target, Action.ANNOUNCE, actor="test")
    return published


def pending(session: Session) -> list[str]:
    session.expire_all()
    return list(session.exec(select(DomainEvent.name).where(col(DomainEvent.emitted_at).is_(None))))


def sent(session: Session) -> int:
    session.expire_all()
    return len(session.exec(select(Message).where(Message.status == MessageStatus.SENT)).all())


def dead_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/api"


def test_without_a_server_the_event_is_kept_and_its_work_done_here(
    session: Session, event_id: int, acara_env: Path
) -> None:
    published = announce(event_id)
    assert pending(session) == ["acara.event.announced"]
    report = published.report
    assert report is not None and report.emit.emitted == []
    assert "PREFECT_API_URL is not set" in (report.emit.reason or "")
    (handled,) = report.inline
    assert handled.fact == "acara.event.announced" and handled.result.sent == 9
    assert sent(session) == 9
    assert len(list((acara_env / "outbox" / "new").iterdir())) == 9


def test_doing_the_work_of_the_same_event_again_sends_nothing_twice(
    session: Session, event_id: int
) -> None:
    published = announce(event_id)
    assert published.report is not None
    fact_ids = published.report.emit.pending
    again = bus.after_commit(fact_ids, react)  # a duplicate delivery of the same event
    (handled,) = again.inline
    assert handled.result.sent == 0 and handled.result.skipped == 9
    assert sent(session) == 9


def test_a_server_that_does_not_answer_leaves_the_event_for_the_sweep(
    session: Session, event_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PREFECT_API_URL", dead_url())
    published = announce(event_id, inline=False)
    assert published.report is not None and published.report.inline == []
    assert "does not answer" in (published.report.emit.reason or "")
    assert sent(session) == 0  # react=False: the caller does the work itself
    swept = bus.reemit_pending()
    assert swept.emitted == [] and len(swept.pending) == 1
    assert pending(session) == ["acara.event.announced"]


def test_a_running_acara_serve_is_found_through_the_data_folder(
    event_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = dead_url()
    bus.advertise(url)  # as `acara serve` does, with this process standing in for it
    try:
        assert bus.api_url() == url
    finally:
        bus.withdraw()
    assert bus.api_url() is None


def test_a_change_that_fails_stores_and_emits_nothing(session: Session, event_id: int) -> None:
    with pytest.raises(RuntimeError), change() as (unit, published):
        target = unit.get(Event, event_id)
        assert target is not None
        apply(unit, target, Action.ANNOUNCE, actor="test")
        raise RuntimeError("the officer's change failed half-way")
    assert published.report is None  # nothing was handed on
    assert pending(session) == [] and sent(session) == 0
