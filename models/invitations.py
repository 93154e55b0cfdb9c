"""Who is owed which calendar message: invitations, updates after a change, cancellations.

Everything here is derived from the state (the event, its participants, the outbox), so every
function is idempotent: calling it twice, or again after a crash, owes nothing new.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, exists, func, select

from models.clock import utcnow
from models.errors import N_, IllegalTransition
from models.event import Event, EventStatus
from models.lifecycle import Action, apply
from models.outbox import Message, MessageStatus, Owed, enqueue_many, supersede
from models.people import Participant, Person
from models.timing import ensure_not_over

INVITATION = "invitation"
UPDATE = "update"
CANCELLATION = "cancellation"
REPRESENTATIVE = "representative"  # a stand-in's invitation (models.rsvp enqueues it)
CALENDAR_PURPOSES = (INVITATION, UPDATE, CANCELLATION)
# Messages that put the event in someone's calendar.
_ENTRIES = (INVITATION, REPRESENTATIVE, UPDATE)
# States in which a message may have reached its recipient: sent, in flight, or lost in
# transit and waiting for a retry. A later change must follow it.
_MAY_HAVE_ARRIVED = (MessageStatus.SENT, MessageStatus.SENDING, MessageStatus.RETRY)
# Invitations only go out while the event is still ahead.
_INVITABLE = (EventStatus.DRAFT, EventStatus.ANNOUNCED, EventStatus.ONGOING)


def invite(session: Session, event: Event, *, actor: str, now: datetime | None = None) -> int:
    """Announce a draft event and owe an invitation to everyone not yet invited."""
    if event.status not in _INVITABLE:
        raise IllegalTransition(
            N_("Event {event!r} is {status}: invitations can no longer be sent."),
            event=event.code,
            status=event.status.value,
        )
    ensure_not_over(event, "send invitations", now or utcnow())
    if event.status is EventStatus.DRAFT:
        apply(session, event, Action.ANNOUNCE, actor=actor)
    return owe_invitations(session, event)


def owe_invitations(session: Session, event: Event) -> int:
    """Enqueue an invitation at the current SEQUENCE for every participant not yet invited.

    A participant counts as invited once any invitation row exists for them, whatever its
    sequence or state, so people added later are the only ones a second run reaches.
    Stand-ins are invited by the RSVP flow ("representative"), not here.
    """
    already = exists().where(
        col(Message.event_id) == event.id,
        col(Message.purpose).in_((INVITATION, REPRESENTATIVE)),
        (col(Message.participant_id) == Participant.id) | (col(Message.recipient) == Person.email),
    )
    rows = session.exec(
        select(Participant.id, Person.email)
        .join(Person, col(Person.id) == Participant.person_id)
        .where(
            col(Participant.event_id) == event.id,
            col(Participant.represents_id).is_(None),
            ~already,
        )
        .order_by(col(Participant.id))
    ).all()
    owed = [Owed(email, INVITATION, event.sequence, pid) for pid, email in rows]
    return enqueue_many(session, _event_id(event), owed)


def owe_changes(session: Session, event: Event) -> int:
    """After a reschedule, a change of place or a cancellation: owe everyone reached the news.

    Everyone whose calendar may hold the event at an older SEQUENCE gets an update (or a
    cancellation) at the event's current SEQUENCE. Messages still waiting that the news makes
    pointless are superseded: older updates, and after a cancellation every queued invitation.
    """
    cancelled = event.status is EventStatus.CANCELLED
    purpose = CANCELLATION if cancelled else UPDATE
    event_id = _event_id(event)
    if cancelled:
        supersede(
            session,
            event_id=event_id,
            purposes=_ENTRIES,
            reason=f"event cancelled (sequence {event.sequence})",
        )
    elif event.sequence > 0:
        supersede(
            session,
            event_id=event_id,
            purposes=(UPDATE,),
            reason=f"a newer update (sequence {event.sequence}) replaces it",
            below_sequence=event.sequence,
        )
    newest = (
        select(
            Message.recipient,
            func.max(Message.sequence).label("seq"),
            func.max(Message.participant_id).label("pid"),
        )
        .where(
            col(Message.event_id) == event_id,
            col(Message.purpose).in_((*_ENTRIES, CANCELLATION)),
            col(Message.status).in_(_MAY_HAVE_ARRIVED),
        )
        .group_by(col(Message.recipient))
    )
    owed = [
        Owed(recipient, purpose, event.sequence, pid)
        for recipient, seq, pid in session.exec(newest)
        if seq < event.sequence
    ]
    return enqueue_many(session, event_id, owed)


def _event_id(event: Event) -> int:
    if event.id is None:
        raise ValueError("the event must be flushed before messages are owed for it")
    return event.id
