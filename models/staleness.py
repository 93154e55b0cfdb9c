"""When a domain fact no longer asks for anything: the event has moved on since it was recorded.

A fact reaches its stage flow seconds (or, after an outage, hours) after it was recorded. By
then the event may have been cancelled, moved again or held; the flow then has nothing to
do, and says why in one line instead of failing. FAILED stays for what a person must fix.
"""

from __future__ import annotations

from models.event import Event, EventStatus
from models.events import (
    EventAnnounced,
    EventCancelled,
    EventHeld,
    EventRescheduled,
    MinutesApproved,
)

_INVITABLE = frozenset({EventStatus.DRAFT, EventStatus.ANNOUNCED, EventStatus.ONGOING})
_TAKEN_PLACE = frozenset({EventStatus.HELD, EventStatus.REPORTED, EventStatus.CLOSED})
_FOLLOWED_UP = frozenset({EventStatus.HELD, EventStatus.REPORTED})


def superseded(event: Event, fact: str, sequence: int | None = None) -> str | None:
    """Why the fact `fact` (a wire name) asks for nothing now, or None when it still does.

    `sequence` is the calendar SEQUENCE the fact carried, when known: a reschedule followed
    by another change is superseded by it (the later fact's run sends the news).
    """
    status = event.status
    if fact in (EventAnnounced.name, EventRescheduled.name):
        if status is EventStatus.CANCELLED:
            return f"nothing to do: {event.code} is cancelled (its cancellation replaces this)"
        if status in _TAKEN_PLACE:
            return f"nothing to do: {event.code} has already taken place ({status.value})"
        if fact == EventRescheduled.name and sequence is not None and sequence < event.sequence:
            return (
                f"nothing to do: {event.code} changed again since (SEQUENCE {sequence} -> "
                f"{event.sequence}); the later change sends the news"
            )
        if fact == EventAnnounced.name and status not in _INVITABLE:
            return f"nothing to do: {event.code} is {status.value}"
        return None
    if fact == EventCancelled.name:
        if status is not EventStatus.CANCELLED:
            return f"nothing to do: {event.code} is {status.value}, not cancelled"
        return None
    if fact in (EventHeld.name, MinutesApproved.name):
        if status not in _FOLLOWED_UP:
            return f"nothing to do: {event.code} is {status.value}; nothing is followed up"
        return None
    return None


def missing(event_id: int) -> str:
    """The reason for a fact about an event that no longer exists."""
    return f"nothing to do: event {event_id} no longer exists"
