"""Transitions on a real database: the state, the audit row and the domain event, together."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import product

import pytest
from sqlmodel import Session, col, func, select

from acara.db import unit_of_work
from models import AuditEntry, DomainEvent, Event, EventKind, EventStatus
from models.errors import IllegalTransition
from models.lifecycle import FACTS, TRANSITIONS, Action, apply, cancel, reschedule
from models.queries import history

START = datetime(2026, 12, 10, 2, 0, tzinfo=UTC)  # 09:00 WIB


def an_event(db_url: str, code: str, status: EventStatus) -> int:
    with unit_of_work(db_url) as session:
        event = Event(
            code=code,
            kind=EventKind.CEREMONY,
            title="Penandatanganan Nota Kesepahaman dengan Ombudsman RI Perwakilan Banten",
            starts_at=START,
            ends_at=START + timedelta(hours=2),
            status=status,
            calendar_uid=f"{code}@acara",
        )
        session.add(event)
        session.flush()
        assert event.id is not None
        return event.id


def rows(session: Session, model: type, event_id: int) -> list:
    return list(
        session.exec(
            select(model).where(model.event_id == event_id).order_by(col(model.id))  # type: ignore[attr-defined]
        )
    )


LATER = datetime(2100, 1, 1, tzinfo=UTC)  # after every event here: starting and holding are due


def totals(session: Session) -> tuple[int, int]:
    return (
        session.exec(select(func.count()).select_from(AuditEntry)).one(),
        session.exec(select(func.count()).select_from(DomainEvent)).one(),
    )


def test_every_legal_transition_is_stored_with_its_audit_row_and_domain_event(
    session: Session, db_url: str
) -> None:
    for i, ((state, action), target) in enumerate(TRANSITIONS.items()):
        event_id = an_event(db_url, f"mou-{i}", state)
        with unit_of_work(db_url) as uow:
            apply(uow, uow.get(Event, event_id), action, actor="officer", now=LATER)  # type: ignore[arg-type]

        session.expire_all()
        stored = session.get(Event, event_id)
        assert stored is not None and stored.status is target, (state, action)
        [audit] = rows(session, AuditEntry, event_id)
        assert (audit.actor, audit.action) == ("officer", action.value)
        assert (audit.detail["from"], audit.detail["to"]) == (state.value, target.value)
        [fact] = rows(session, DomainEvent, event_id)
        assert fact.name == FACTS[action].name and fact.emitted_at is None
        assert fact.fact() == FACTS[action](
            event_id=event_id, sequence=stored.sequence, actor="officer"
        )


def test_every_illegal_transition_is_refused_and_writes_nothing(
    session: Session, db_url: str
) -> None:
    ids = {state: an_event(db_url, f"mou-{state.value}", state) for state in EventStatus}
    for state, action in product(EventStatus, Action):
        if (state, action) in TRANSITIONS:
            continue
        expected = f"Allowed from {state.value}: "
        with pytest.raises(IllegalTransition, match=expected), unit_of_work(db_url) as uow:
            apply(uow, uow.get(Event, ids[state]), action, actor="officer")  # type: ignore[arg-type]
    session.expire_all()
    assert totals(session) == (0, 0)
    for state, event_id in ids.items():
        stored = session.get(Event, event_id)
        assert stored is not None and stored.status is state and stored.sequence == 0


def test_a_transition_and_its_records_are_rolled_back_together(
    session: Session, db_url: str
) -> None:
    event_id = an_event(db_url, "mou-banten", EventStatus.DRAFT)
    with pytest.raises(RuntimeError), unit_of_work(db_url) as uow:
        apply(uow, uow.get(Event, event_id), Action.ANNOUNCE, actor="officer")  # type: ignore[arg-type]
        uow.flush()
        raise RuntimeError("the machine lost power before the commit")
    session.expire_all()
    stored = session.get(Event, event_id)
    assert stored is not None and stored.status is EventStatus.DRAFT
    assert totals(session) == (0, 0)


def test_a_whole_life_reads_back_as_history(session: Session, db_url: str) -> None:
    event_id = an_event(db_url, "mou-banten", EventStatus.DRAFT)
    for action in (Action.ANNOUNCE, Action.START, Action.HOLD, Action.REPORT, Action.CLOSE):
        with unit_of_work(db_url) as uow:
            apply(uow, uow.get(Event, event_id), action, actor="officer", now=LATER)  # type: ignore[arg-type]
    session.expire_all()
    event = session.get(Event, event_id)
    assert event is not None and event.status is EventStatus.CLOSED
    trail = [(e.action, e.detail["to"]) for e in history(session, event)]
    assert trail == [
        ("announce", "announced"),
        ("start", "ongoing"),
        ("hold", "held"),
        ("report", "reported"),
        ("close", "closed"),
    ]


def test_a_cancellation_stores_its_reason_and_a_higher_sequence(
    session: Session, db_url: str
) -> None:
    event_id = an_event(db_url, "mou-banten", EventStatus.ANNOUNCED)
    with unit_of_work(db_url) as uow:
        cancel(uow, uow.get(Event, event_id), actor="officer", reason="Wali Kota dinas luar")  # type: ignore[arg-type]
    session.expire_all()
    event = session.get(Event, event_id)
    assert event is not None and event.status is EventStatus.CANCELLED
    assert event.sequence == 1 and event.cancel_reason == "Wali Kota dinas luar"
    [fact] = rows(session, DomainEvent, event_id)
    assert fact.name == "acara.event.cancelled" and fact.payload["reason"] == "Wali Kota dinas luar"


def test_a_reschedule_moves_the_event_and_bumps_the_sequence(session: Session, db_url: str) -> None:
    event_id = an_event(db_url, "mou-banten", EventStatus.ANNOUNCED)
    new_start = datetime.fromisoformat("2026-12-11T10:00+07:00")
    with unit_of_work(db_url) as uow:
        reschedule(uow, uow.get(Event, event_id), new_start, actor="officer")  # type: ignore[arg-type]
    session.expire_all()
    event = session.get(Event, event_id)
    assert event is not None and event.status is EventStatus.ANNOUNCED and event.sequence == 1
    assert event.starts_at == new_start and event.ends_at == new_start + timedelta(hours=2)
    [fact] = rows(session, DomainEvent, event_id)
    assert fact.name == "acara.event.rescheduled"
    assert fact.payload["starts_at"] == "2026-12-11T03:00:00+00:00"
