"""The event lifecycle: one table of legal moves and one function that applies them."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from sqlmodel import Session, select

from models.audit import DomainEvent, record
from models.clock import require_aware, utcnow
from models.errors import N_, IllegalTransition, invalid
from models.event import AgendaSession, Event, EventStatus
from models.events import (
    DomainFact,
    EventAnnounced,
    EventCancelled,
    EventClosed,
    EventHeld,
    EventReported,
    EventRescheduled,
    EventStarted,
    build,
)
from models.rooms import check_room_conflicts
from models.timing import (
    HOLD_TOO_EARLY,
    OPENS_BEFORE_START,
    START_TOO_EARLY,
    ensure_ahead,
    ensure_begun,
)


class Action(StrEnum):
    """What an officer (or the system) can do to an event."""

    ANNOUNCE = "announce"  # invitations go out
    START = "start"  # the event is under way
    HOLD = "hold"  # it took place
    REPORT = "report"  # minutes approved, follow-up done
    CLOSE = "close"
    CANCEL = "cancel"
    RESCHEDULE = "reschedule"  # new time or place; participants get an update


S, A = EventStatus, Action
TRANSITIONS: dict[tuple[EventStatus, Action], EventStatus] = {
    (S.DRAFT, A.ANNOUNCE): S.ANNOUNCED,
    (S.DRAFT, A.RESCHEDULE): S.DRAFT,
    (S.DRAFT, A.CANCEL): S.CANCELLED,
    (S.ANNOUNCED, A.START): S.ONGOING,
    (S.ANNOUNCED, A.HOLD): S.HELD,  # a half-day FGD goes straight from announced to held
    (S.ANNOUNCED, A.RESCHEDULE): S.ANNOUNCED,
    (S.ANNOUNCED, A.CANCEL): S.CANCELLED,
    (S.ONGOING, A.HOLD): S.HELD,
    (S.ONGOING, A.RESCHEDULE): S.ONGOING,
    (S.ONGOING, A.CANCEL): S.CANCELLED,
    (S.HELD, A.REPORT): S.REPORTED,
    (S.REPORTED, A.CLOSE): S.CLOSED,
}
del S, A

# The domain fact each action records.
FACTS: dict[Action, type[DomainFact]] = {
    Action.ANNOUNCE: EventAnnounced,
    Action.START: EventStarted,
    Action.HOLD: EventHeld,
    Action.REPORT: EventReported,
    Action.CLOSE: EventClosed,
    Action.CANCEL: EventCancelled,
    Action.RESCHEDULE: EventRescheduled,
}
# A calendar entry changes for participants: SEQUENCE must grow so clients replace it.
BUMPS_SEQUENCE = frozenset({Action.RESCHEDULE, Action.CANCEL})
# Actions that happen on the event's day: what they say when too early, and how long before
# the start they become possible.
BELONGS_TO_THE_DAY: dict[Action, tuple[str, timedelta]] = {
    Action.START: (START_TOO_EARLY, OPENS_BEFORE_START),
    Action.HOLD: (HOLD_TOO_EARLY, timedelta(0)),
}


def allowed_actions(status: EventStatus) -> list[Action]:
    """The actions the lifecycle allows from a state, in table order."""
    return [action for (state, action) in TRANSITIONS if state == status]


def parse_action(name: str) -> Action:
    """An Action from its name, or a clear error listing the known ones."""
    try:
        return Action(name.strip().lower())
    except ValueError:
        known = ", ".join(a.value for a in Action)
        raise invalid(
            "action", N_("unknown action {name!r}; known actions: {known}"), name=name, known=known
        ) from None


def next_state(event: Event, action: Action) -> EventStatus:
    """The state an action leads to, or IllegalTransition naming the allowed actions."""
    target = TRANSITIONS.get((event.status, action))
    if target is None:
        allowed = ", ".join(a.value for a in allowed_actions(event.status)) or "none"
        raise IllegalTransition(
            N_("Event {event!r} is {status}: cannot {action}. Allowed from {status}: {allowed}."),
            event=event.code,
            status=event.status.value,
            action=action.value,
            allowed=allowed,
        )
    return target


def apply(
    session: Session,
    event: Event,
    action: Action,
    *,
    actor: str,
    detail: dict[str, object] | None = None,
    now: datetime | None = None,
    force: str | None = None,
) -> DomainEvent:
    """Move an event along its lifecycle, recording the audit row and the domain event.

    Starting and holding belong to the event's day: before it they need `force`, a reason
    that the audit keeps.
    """
    target = next_state(event, action)
    if action in BELONGS_TO_THE_DAY:
        too_early, opens_before = BELONGS_TO_THE_DAY[action]
        ensure_begun(event, too_early, now or utcnow(), opens_before=opens_before, force=force)
        if force is not None:
            detail = {**(detail or {}), "forced": force.strip()}
    before = event.status
    event.status = target
    if action in BUMPS_SEQUENCE:
        event.sequence += 1
    event.updated_at = utcnow()
    session.add(event)
    assert event.id is not None
    facts = {"event_id": event.id, "sequence": event.sequence, **(detail or {})}
    stored = record(
        session,
        actor=actor,
        action=action.value,
        event_id=event.id,
        detail={"from": before.value, "to": target.value, **facts},
        fact=build(FACTS[action], facts),
    )
    assert stored is not None
    return stored


def cancel(session: Session, event: Event, *, actor: str, reason: str) -> DomainEvent:
    """Cancel an event before it is held; the reason goes to every invitee."""
    next_state(event, Action.CANCEL)  # refuse before touching anything
    if not reason.strip():
        raise invalid("reason", N_("a cancellation needs a reason for the invitees"))
    event.cancel_reason = reason.strip()
    return apply(session, event, Action.CANCEL, actor=actor, detail={"reason": event.cancel_reason})


def reschedule(
    session: Session,
    event: Event,
    new_start: datetime,
    *,
    actor: str,
    now: datetime | None = None,
) -> DomainEvent:
    """Move the whole event (and every session with it) to a new start time, never into the past."""
    next_state(event, Action.RESCHEDULE)  # refuse before moving any session
    require_aware(new_start, "start")
    ensure_ahead(new_start, event.timezone, now or utcnow())
    shift = new_start - event.starts_at
    if shift == timedelta(0):
        raise invalid("start", N_("the new start is the same as the current one"))
    sessions = session.exec(select(AgendaSession).where(AgendaSession.event_id == event.id)).all()
    event.starts_at += shift
    event.ends_at += shift
    for item in sessions:
        item.starts_at += shift
        item.ends_at += shift
        session.add(item)
    session.flush()
    check_room_conflicts(session, event, sessions)
    return apply(
        session,
        event,
        Action.RESCHEDULE,
        actor=actor,
        detail={"starts_at": event.starts_at.isoformat(), "ends_at": event.ends_at.isoformat()},
    )
