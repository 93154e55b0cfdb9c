"""The pure reminder rules: which offset's window `now` is in, and what it owes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from models.errors import InvalidInput
from models.event import Event, EventKind, EventStatus
from models.people import RsvpStatus
from models.reminders import (
    REMINDER,
    latest_due_offset,
    offset_label,
    offset_minutes,
    parse_offsets,
    rounds_due,
)

START = datetime(2026, 12, 8, 1, 30, tzinfo=UTC)  # 08.30 WIB
DEFAULT = parse_offsets("3d,1d,2h")
D, H, M = timedelta(days=1), timedelta(hours=1), timedelta(minutes=1)


def _event(**changes: object) -> Event:
    event = Event(
        id=7,
        code="kunker",
        kind=EventKind.VISIT,
        title="Kunjungan Kerja",
        starts_at=START,
        ends_at=START + 7 * H,
        calendar_uid="x@acara",
        status=EventStatus.ANNOUNCED,
    )
    for name, value in changes.items():
        setattr(event, name, value)
    return event


def test_offsets_read_largest_first_and_write_back_the_same() -> None:
    assert parse_offsets("2h, 3d,1d,1d") == [3 * D, D, 2 * H]
    offsets = parse_offsets("90m,3d,36h,2h")
    assert [offset_label(offset_minutes(o)) for o in offsets] == ["3d", "36h", "2h", "90m"]
    assert offset_minutes(D) == 1440 and offset_minutes(2 * H) == 120


def test_an_offset_that_is_not_a_duration_is_refused_with_its_text() -> None:
    with pytest.raises(InvalidInput, match="'3x'"):
        parse_offsets("3d,3x")


@pytest.mark.parametrize(
    ("before_start", "expected"),
    [
        (4 * D, None),  # nothing due yet
        (3 * D, 3 * D),  # the H-3 window opens exactly at its offset
        (2 * D, 3 * D),  # still in it (a missed H-3 is caught up here)
        (D, D),
        (3 * H, D),
        (2 * H, 2 * H),
        (M, 2 * H),
        (timedelta(0), None),  # the event has started: never after
        (-H, None),
    ],
)
def test_the_latest_due_offset_is_the_window_now_is_in(
    before_start: timedelta, expected: timedelta | None
) -> None:
    assert latest_due_offset(START, DEFAULT, START - before_start) == expected


def test_in_the_first_window_the_undecided_get_the_nudge_instead_of_the_reminder() -> None:
    rounds = rounds_due(_event(), START - 3 * D + M)
    assert [(r.label, r.audience, r.last) for r in rounds] == [
        ("reminder:3d", (RsvpStatus.ACCEPTED,), False),
        ("nudge", (RsvpStatus.PENDING, RsvpStatus.TENTATIVE), False),
    ]
    assert all(r.due_at == START - 3 * D for r in rounds)


def test_later_windows_remind_the_undecided_too_and_the_last_one_is_marked() -> None:
    (one_day,) = rounds_due(_event(), START - D + M)
    (two_hours,) = rounds_due(_event(), START - 2 * H + M)
    assert (one_day.purpose, one_day.reminder_offset) == (REMINDER, 24 * 60) and not one_day.last
    assert one_day.audience == (RsvpStatus.ACCEPTED, RsvpStatus.PENDING, RsvpStatus.TENTATIVE)
    assert (two_hours.purpose, two_hours.reminder_offset) == (REMINDER, 120) and two_hours.last


def test_a_rescheduled_event_owes_its_reminders_at_the_new_sequence() -> None:
    moved = _event(starts_at=START + 7 * D, sequence=2)
    assert rounds_due(moved, START - D) == []
    assert {r.sequence for r in rounds_due(moved, START + 4 * D)} == {2}


@pytest.mark.parametrize("status", [s for s in EventStatus if s is not EventStatus.ANNOUNCED])
def test_only_announced_events_have_reminders(status: EventStatus) -> None:
    assert rounds_due(_event(status=status), START - 2 * H) == []


def test_offsets_are_per_event() -> None:
    event = _event(reminder_offsets="5d,30m")
    assert [r.label for r in rounds_due(event, START - 4 * D)] == ["reminder:5d", "nudge"]
    assert [r.label for r in rounds_due(event, START - 10 * M)] == ["reminder:30m"]
    # Two hours before, the 5d window is still open: its reminder is caught up, not a "2h" one.
    assert [r.label for r in rounds_due(event, START - 2 * H)] == ["reminder:5d", "nudge"]
