"""The lifecycle table: every (state, action) pair, legal or not, without a database."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from itertools import product
from typing import Any

import pytest

from models.audit import AuditEntry, DomainEvent
from models.errors import IllegalTransition, InvalidInput
from models.event import Event, EventKind, EventStatus
from models.lifecycle import FACTS, TRANSITIONS, Action, apply, cancel, parse_action, reschedule
from models.timing import TooEarly

S, A = EventStatus, Action
# The design, written out independently of models.lifecycle so a change there must show here.
EXPECTED: dict[tuple[EventStatus, Action], EventStatus] = {
    (S.DRAFT, A.ANNOUNCE): S.ANNOUNCED,
    (S.DRAFT, A.RESCHEDULE): S.DRAFT,
    (S.DRAFT, A.CANCEL): S.CANCELLED,
    (S.ANNOUNCED, A.START): S.ONGOING,
    (S.ANNOUNCED, A.HOLD): S.HELD,
    (S.ANNOUNCED, A.RESCHEDULE): S.ANNOUNCED,
    (S.ANNOUNCED, A.CANCEL): S.CANCELLED,
    (S.ONGOING, A.HOLD): S.HELD,
    (S.ONGOING, A.RESCHEDULE): S.ONGOING,
    (S.ONGOING, A.CANCEL): S.CANCELLED,
    (S.HELD, A.REPORT): S.REPORTED,
    (S.REPORTED, A.CLOSE): S.CLOSED,
}
ALLOWED_TEXT = {
    S.DRAFT: "announce, reschedule, cancel",
    S.ANNOUNCED: "start, hold, reschedule, cancel",
    S.ONGOING: "hold, reschedule, cancel",
    S.HELD: "report",
    S.REPORTED: "close",
    S.CLOSED: "none",
    S.CANCELLED: "none",
}
LEGAL = sorted(EXPECTED, key=str)
ILLEGAL = [pair for pair in product(EventStatus, Action) if pair not in EXPECTED]


class RecordingSession:
    """Stands in for a database session: keeps what would be written."""

    def __init__(self) -> None:
        self.added: list[Any] = []

    def add(self, row: Any) -> None:
        self.added.append(row)

    def of(self, kind: type) -> list[Any]:
        return [row for row in self.added if isinstance(row, kind)]


START = datetime.fromisoformat("2026-12-10T09:00+07:00")
DURING = START + timedelta(hours=2)


def an_event(status: EventStatus, sequence: int = 0) -> Event:
    start = START
    return Event(
        id=7,
        code="fgd-halifax-2026",
        kind=EventKind.FGD,
        title="FGD Pelayanan Publik",
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        status=status,
        sequence=sequence,
        calendar_uid="uid@acara",
    )


def test_the_table_in_the_code_is_the_designed_one() -> None:
    assert TRANSITIONS == EXPECTED


@pytest.mark.parametrize(("state", "action"), LEGAL, ids=lambda v: str(v))
def test_a_legal_move_writes_the_state_an_audit_row_and_a_domain_event(
    state: EventStatus, action: Action
) -> None:
    session, event = RecordingSession(), an_event(state, sequence=2)
    fact = apply(session, event, action, actor="officer", now=DURING)  # type: ignore[arg-type]
    assert event.status is EXPECTED[(state, action)]
    [audit] = session.of(AuditEntry)
    assert (audit.actor, audit.action, audit.event_id) == ("officer", action.value, 7)
    assert audit.detail["from"] == state.value and audit.detail["to"] == event.status.value
    assert session.of(DomainEvent) == [fact]
    assert fact.name == FACTS[action].name and fact.payload["event_id"] == 7
    assert fact.resource_id == "acara.event.7"


@pytest.mark.parametrize(("state", "action"), LEGAL, ids=lambda v: str(v))
def test_only_a_change_of_time_or_status_for_invitees_bumps_the_sequence(
    state: EventStatus, action: Action
) -> None:
    event = an_event(state, sequence=2)
    apply(RecordingSession(), event, action, actor="officer", now=DURING)  # type: ignore[arg-type]
    bumped = action in (Action.RESCHEDULE, Action.CANCEL)
    assert event.sequence == (3 if bumped else 2)


@pytest.mark.parametrize(("state", "action"), ILLEGAL, ids=lambda v: str(v))
def test_an_illegal_move_is_refused_naming_the_allowed_actions_and_writes_nothing(
    state: EventStatus, action: Action
) -> None:
    session, event = RecordingSession(), an_event(state, sequence=2)
    with pytest.raises(IllegalTransition) as caught:
        apply(session, event, action, actor="officer")  # type: ignore[arg-type]
    assert str(caught.value) == (
        f"Event 'fgd-halifax-2026' is {state.value}: cannot {action.value}. "
        f"Allowed from {state.value}: {ALLOWED_TEXT[state]}."
    )
    assert session.added == []
    assert event.status is state and event.sequence == 2


def test_every_state_but_closed_and_cancelled_has_a_way_out() -> None:
    for state in EventStatus:
        has_exit = any(s is state for s, _ in EXPECTED)
        assert has_exit == (state not in (S.CLOSED, S.CANCELLED))


def test_cancelling_is_possible_only_before_the_event_is_held() -> None:
    cancellable = {state for (state, action) in EXPECTED if action is Action.CANCEL}
    assert cancellable == {S.DRAFT, S.ANNOUNCED, S.ONGOING}


def test_an_action_name_is_read_case_insensitively() -> None:
    assert parse_action("  Announce ") is Action.ANNOUNCE


def test_an_unknown_action_name_lists_the_known_ones() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_action("publish")
    assert "action: unknown action 'publish'; known actions: announce, start, hold" in str(
        caught.value
    )


def test_a_cancellation_keeps_its_reason_for_the_invitees() -> None:
    session, event = RecordingSession(), an_event(S.ANNOUNCED)
    fact = cancel(session, event, actor="officer", reason="  Narasumber berhalangan hadir ")  # type: ignore[arg-type]
    assert event.status is S.CANCELLED and event.cancel_reason == "Narasumber berhalangan hadir"
    assert fact.name == "acara.event.cancelled"
    assert fact.payload["reason"] == "Narasumber berhalangan hadir"


def test_a_cancellation_without_a_reason_is_refused() -> None:
    session, event = RecordingSession(), an_event(S.ANNOUNCED)
    with pytest.raises(InvalidInput, match="reason: a cancellation needs a reason"):
        cancel(session, event, actor="officer", reason="   ")  # type: ignore[arg-type]
    assert event.status is S.ANNOUNCED and session.added == []


def test_a_held_event_cannot_be_cancelled_and_keeps_no_reason() -> None:
    session, event = RecordingSession(), an_event(S.HELD)
    with pytest.raises(IllegalTransition, match=re.escape("Allowed from held: report.")):
        cancel(session, event, actor="officer", reason="too late")  # type: ignore[arg-type]
    assert event.cancel_reason is None and session.added == []


def test_rescheduling_to_a_time_without_a_zone_is_refused() -> None:
    event = an_event(S.ANNOUNCED)
    with pytest.raises(InvalidInput, match="start: time has no timezone"):
        reschedule(RecordingSession(), event, datetime(2026, 12, 11, 9, 0), actor="officer")  # type: ignore[arg-type]


def test_a_closed_event_cannot_be_rescheduled_and_is_not_moved() -> None:
    event = an_event(S.CLOSED)
    before = event.starts_at
    with pytest.raises(IllegalTransition, match=re.escape("Allowed from closed: none.")):
        reschedule(RecordingSession(), event, before + timedelta(days=1), actor="officer")  # type: ignore[arg-type]
    assert event.starts_at == before


def test_the_event_is_not_started_or_held_before_its_day() -> None:
    event = an_event(EventStatus.ANNOUNCED)
    with pytest.raises(TooEarly, match="it cannot be held before 2026-12-10 09:00 WIB"):
        apply(
            RecordingSession(), event, Action.HOLD, actor="officer", now=START - timedelta(days=20)
        )  # type: ignore[arg-type]
    with pytest.raises(TooEarly, match="it cannot be started before 2026-12-10 07:00 WIB"):
        apply(
            RecordingSession(), event, Action.START, actor="officer", now=START - timedelta(hours=3)
        )  # type: ignore[arg-type]
    assert event.status is EventStatus.ANNOUNCED
    # Registration opens two hours before the start: the event may be started then.
    apply(RecordingSession(), event, Action.START, actor="officer", now=START - timedelta(hours=2))  # type: ignore[arg-type]
    assert event.status is EventStatus.ONGOING


def test_a_forced_early_hold_keeps_its_reason_in_the_audit() -> None:
    session, event = RecordingSession(), an_event(EventStatus.ANNOUNCED)
    with pytest.raises(InvalidInput, match="--force"):
        apply(session, event, Action.HOLD, actor="Rina", now=START - timedelta(days=1), force=" ")  # type: ignore[arg-type]
    apply(
        session,
        event,
        Action.HOLD,
        actor="Rina",
        now=START - timedelta(days=1),
        force="Acara dimajukan Wali Kota",
    )  # type: ignore[arg-type]
    [audit] = session.of(AuditEntry)
    assert audit.detail["forced"] == "Acara dimajukan Wali Kota" and audit.actor == "Rina"
    assert event.status is EventStatus.HELD
