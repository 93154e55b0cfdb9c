"""Who is owed which calendar message: invitations, updates after a change, cancellations.

Everything here is derived from the state (the event, its participants, the outbox), so every
function is idempotent: calling it twice, or again after a crash, owes nothing new.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, exists, func, select

from models.clock import utcnow
from models.errors import N_, IllegalTransition
from models.event import Event, EventStatus
from models.lifecycle import Action, apply
from models.outbox import Channel, Message, MessageStatus, Owed, enqueue_many, supersede
from models.people import Participant, Person, Via, person_id_of
from models.programme import Programme, differences, programmes
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
    ensure_not_over(event, now or utcnow())
    if event.status is EventStatus.DRAFT:
        apply(session, event, Action.ANNOUNCE, actor=actor)
    return owe_invitations(session, event)


def owe_invitations(session: Session, event: Event) -> int:
    """Enqueue an invitation at the current SEQUENCE for every participant not yet invited.

    A participant counts as invited once any invitation row exists for them, whatever its
    sequence or state, so people added later are the only ones a second run reaches.
    Someone without an e-mail address is owed a printed letter (Channel.LETTER) unless they
    are reached by chat alone (`acara chat`, no outbox row). Stand-ins are invited by the
    RSVP flow ("representative"), not here. Each invitee's programme is kept as what they
    were told.
    """
    already = exists().where(
        col(Message.event_id) == event.id,
        col(Message.purpose).in_((INVITATION, REPRESENTATIVE)),
        (col(Message.participant_id) == Participant.id) | (col(Message.recipient) == Person.email),
    )
    rows = session.exec(
        select(Participant.id, Person, Participant.group_id)
        .join(Person, col(Person.id) == Participant.person_id)
        .where(
            col(Participant.event_id) == event.id,
            col(Participant.represents_id).is_(None),
            col(Person.via) != Via.CHAT,
            ~already,
        )
        .order_by(col(Participant.id))
    ).all()
    owed = [
        Owed(
            person.recipient, INVITATION, event.sequence, pid, channel=channel_of(person.recipient)
        )
        for pid, person, _ in rows
    ]
    added = enqueue_many(session, _event_id(event), owed)
    current = programmes(session, event)
    by_group: dict[int | None, list[int]] = {}
    for pid, _, group_id in rows:
        by_group.setdefault(group_id, []).append(pid)
    for group_id, ids in by_group.items():
        remember_told(session, ids, current.get(group_id, current[None]))
    return added


def chat_only(session: Session, event: Event) -> int:
    """How many participants are reached by chat alone: no e-mail, no letter, no outbox row."""
    return session.exec(
        select(func.count())
        .select_from(Participant)
        .join(Person, col(Person.id) == Participant.person_id)
        .where(col(Participant.event_id) == event.id, col(Person.via) == Via.CHAT)
    ).one()


def remember_told(session: Session, participant_ids: list[int], programme: Programme) -> None:
    """Keep `programme` as what these participants' last calendar message told them."""
    for start in range(0, len(participant_ids), 500):
        session.execute(
            update(Participant)
            .where(col(Participant.id).in_(participant_ids[start : start + 500]))
            .values(told=programme)
            .execution_options(synchronize_session=False)
        )


def owe_changes(session: Session, event: Event) -> int:
    """Owe an update (or a cancellation) to everyone whose own programme changed.

    A participant's programme is the event's status and times, their group and the sessions
    they attend. Whoever may hold the event in their calendar and was told something else
    gets a message at a SEQUENCE above every one they were sent, naming what changed; the
    others get nothing. Messages still waiting that the news makes pointless are superseded:
    older updates, and after a cancellation every queued invitation.
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
    calendar = (*_ENTRIES, CANCELLATION)
    reached = session.exec(
        select(Message.recipient, func.max(Message.participant_id))
        .where(
            col(Message.event_id) == event_id,
            col(Message.purpose).in_(calendar),
            col(Message.status).in_(_MAY_HAVE_ARRIVED),
        )
        .group_by(col(Message.recipient))
    ).all()
    highest = dict(
        session.exec(
            select(Message.recipient, func.max(Message.sequence))
            .where(col(Message.event_id) == event_id, col(Message.purpose).in_(calendar))
            .group_by(col(Message.recipient))
        ).all()
    )
    ids = [pid for _, pid in reached if pid is not None]
    participants = {
        p.id: p for p in session.exec(select(Participant).where(col(Participant.id).in_(ids)))
    }
    current = programmes(session, event)
    owed: list[Owed] = []
    for recipient, pid in reached:
        participant = participants.get(pid)
        now = current.get(participant.group_id, current[None]) if participant else {}
        told = participant.told if participant else {}
        if told == now and now:
            continue
        if not told and highest[recipient] >= event.sequence:
            # Told before programmes were kept: only the event's own SEQUENCE says it is news.
            if participant is not None:
                participant.told = now
                session.add(participant)
            continue
        owed.append(
            Owed(
                recipient,
                purpose,
                max(highest[recipient] + 1, event.sequence),
                pid,
                channel=channel_of(recipient),
                changes=tuple(differences(told, now)) if not cancelled else (),
            )
        )
        if participant is not None:
            participant.told = now
            session.add(participant)
    if owed:
        supersede(
            session,
            event_id=event_id,
            purposes=(UPDATE,),
            reason="a newer update replaces it",
            recipients=[o.recipient for o in owed],
        )
    return enqueue_many(session, event_id, owed)


def cancel_entry(session: Session, event: Event, recipient: str) -> int:
    """For someone taken off the event: drop what is still owed to them and, when its calendar
    entry may have reached them, owe a CANCEL above every SEQUENCE they were sent (1 or 0)."""
    event_id = _event_id(event)
    mine = (col(Message.event_id) == event_id, col(Message.recipient) == recipient)
    supersede(
        session,
        event_id=event_id,
        purposes=(),
        reason="taken off the event",
        recipients=[recipient],
    )
    session.execute(
        update(Message)
        .where(*mine)
        .values(participant_id=None)
        .execution_options(synchronize_session=False)
    )
    calendar = (*_ENTRIES, CANCELLATION)
    reached = session.exec(
        select(func.max(Message.sequence)).where(
            *mine, col(Message.purpose).in_(calendar), col(Message.status).in_(_MAY_HAVE_ARRIVED)
        )
    ).one()
    if reached is None:
        return 0
    highest = session.exec(
        select(func.max(Message.sequence)).where(*mine, col(Message.purpose).in_(calendar))
    ).one()
    owed = Owed(
        recipient,
        CANCELLATION,
        max(highest + 1, event.sequence, 1),
        channel=channel_of(recipient),
    )
    return enqueue_many(session, event_id, [owed])


def channel_of(recipient: str) -> Channel:
    """The channel the outbox reaches a recipient by: an e-mail address gets e-mail,
    'person:<id>' (someone without one) a printed letter."""
    return Channel.EMAIL if person_id_of(recipient) is None else Channel.LETTER


def _event_id(event: Event) -> int:
    if event.id is None:
        raise ValueError("the event must be flushed before messages are owed for it")
    return event.id
