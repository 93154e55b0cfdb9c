"""The invitation steps as the CLI and the flows both run them: each one a unit of work.

Each step is idempotent (what is owed is derived from the state), so running one again after
a crash, or twice by accident, sends nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from acara.db import unit_of_work
from models import invitations, lifecycle
from models.event import EventStatus
from models.queries import get_event

CALENDAR_PURPOSES = invitations.CALENDAR_PURPOSES


@dataclass(frozen=True, slots=True)
class Owed:
    """What a step put in the outbox for an event."""

    event_id: int
    event_code: str
    messages: int


def owe_invitations(event: str | int, *, actor: str) -> Owed:
    """Announce a draft event; owe invitations to the uninvited and news to the outdated."""
    with unit_of_work() as session:
        target = get_event(session, event)
        added = invitations.invite(session, target, actor=actor)
        added += invitations.owe_changes(session, target)
        assert target.id is not None
        return Owed(target.id, target.code, added)


def owe_changes(event: str | int) -> Owed:
    """Owe an update (or a cancellation) to everyone whose calendar holds an older version."""
    with unit_of_work() as session:
        target = get_event(session, event)
        added = invitations.owe_changes(session, target)
        assert target.id is not None
        return Owed(target.id, target.code, added)


def cancel(event: str | int, *, reason: str, actor: str) -> Owed:
    """Cancel the event unless it already is, and owe everyone invited a cancellation."""
    with unit_of_work() as session:
        target = get_event(session, event)
        if target.status is not EventStatus.CANCELLED:
            lifecycle.cancel(session, target, actor=actor, reason=reason)
        added = invitations.owe_changes(session, target)
        assert target.id is not None
        return Owed(target.id, target.code, added)


def event_code(event_id: int) -> str:
    """The event's code, for names people read (flow runs, logs)."""
    with unit_of_work() as session:
        return get_event(session, event_id).code
