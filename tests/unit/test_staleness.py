"""A fact that the event has since moved past asks for nothing: its flow ends quietly."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from models.event import Event, EventKind, EventStatus
from models.events import (
    EventAnnounced,
    EventCancelled,
    EventHeld,
    EventRescheduled,
    MinutesApproved,
)
from models.staleness import superseded


def event(status: EventStatus, sequence: int = 0) -> Event:
    start = datetime(2026, 12, 8, 1, 30, tzinfo=UTC)
    return Event(
        code="kunker",
        kind=EventKind.VISIT,
        title="Kunjungan",
        starts_at=start,
        ends_at=start,
        status=status,
        sequence=sequence,
    )


@pytest.mark.parametrize(
    ("status", "fact", "sequence", "expected"),
    [
        (EventStatus.ANNOUNCED, EventAnnounced.name, None, None),
        (EventStatus.DRAFT, EventAnnounced.name, None, None),
        (EventStatus.CANCELLED, EventAnnounced.name, None, "kunker is cancelled"),
        (EventStatus.HELD, EventAnnounced.name, None, "already taken place (held)"),
        (EventStatus.ANNOUNCED, EventRescheduled.name, 2, None),
        (EventStatus.ANNOUNCED, EventRescheduled.name, None, None),
        (EventStatus.ANNOUNCED, EventRescheduled.name, 1, "changed again since (SEQUENCE 1 -> 2)"),
        (EventStatus.CANCELLED, EventRescheduled.name, 1, "kunker is cancelled"),
        (EventStatus.CANCELLED, EventCancelled.name, 3, None),
        (EventStatus.HELD, EventHeld.name, None, None),
        (EventStatus.REPORTED, MinutesApproved.name, None, None),
        (EventStatus.CLOSED, EventHeld.name, None, "kunker is closed"),
    ],
)
def test_a_fact_is_superseded_only_when_the_event_has_moved_past_it(
    status: EventStatus, fact: str, sequence: int | None, expected: str | None
) -> None:
    reason = superseded(event(status, sequence=2), fact, sequence)
    if expected is None:
        assert reason is None
    else:
        assert reason is not None and reason.startswith("nothing to do: ") and expected in reason
