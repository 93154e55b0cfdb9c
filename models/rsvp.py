"""Answers to an invitation: accept, decline or send a representative; seats and waiting list."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from pydantic import ValidationError
from sqlalchemy import update
from sqlmodel import Session, col, func, select

from models.audit import record
from models.clock import utcnow
from models.errors import N_, AcaraError, IllegalTransition, InvalidInput, NotFound, Problem
from models.event import Event, EventStatus
from models.events import InvitationAnswered, build
from models.names import split_name
from models.outbox import enqueue
from models.people import Participant, Person, RsvpStatus
from models.plan import ParticipantSpec, normalise_phone, problems_from
from models.programme import programmes

# Answers are taken until the event has taken place.
OPEN_FOR_ANSWERS = frozenset({EventStatus.DRAFT, EventStatus.ANNOUNCED, EventStatus.ONGOING})
# A stand-in is invited with a message of this purpose (the composer picks it by name).
REPRESENTATIVE_PURPOSE = "representative"
# Someone on the waiting list who got a seat is told so (the composer picks it by name).
SEAT_PURPOSE = "seat"


class Answer(StrEnum):
    """What a participant can say on the RSVP page."""

    ACCEPT = "accept"
    DECLINE = "decline"
    REPRESENT = "represent"
    TENTATIVE = "tentative"  # "maybe" from a calendar: no seat yet, nudged like the undecided


class Via(StrEnum):
    """How an answer an officer records on someone's behalf came in."""

    PHONE = "phone"
    WHATSAPP = "whatsapp"
    LETTER = "letter"


class ParticipantError(AcaraError):
    """A refusal shown to an invitee: `public` is what the invitee reads, in their language."""

    code = "refused"
    public: ClassVar[str | None] = N_("This request cannot be processed.")


class NotInvited(ParticipantError, NotFound):
    """The participant does not exist or belongs to another event than the link says."""

    code = "not-invited"
    public = N_("This invitation was not found for that event.")


class AnswersClosed(ParticipantError, IllegalTransition):
    """The event was held, closed or cancelled: the invitation can no longer be answered."""

    code = "answers-closed"
    public = N_("Answers to this invitation are closed.")


class AlreadyRepresented(ParticipantError, IllegalTransition):
    """The participant already named a representative; only the office can change that now."""

    code = "already-represented"
    public = N_(
        "You already named a representative for this event. "
        "Please contact the protocol office to change it."
    )


class StandInCannotDelegate(ParticipantError, IllegalTransition):
    """A representative cannot name a representative of their own."""

    code = "stand-in-cannot-delegate"
    public = N_(
        "As a representative you cannot name another representative. "
        "Please contact the protocol office."
    )


class AmbiguousPerson(AcaraError):
    """A name an officer typed matches several participants; `candidates` names them."""

    code = "ambiguous-person"

    def __init__(self, who: str, candidates: list[str]) -> None:
        self.candidates = candidates
        super().__init__(
            N_("{who!r} matches {count} participants: {candidates}. Name one by e-mail or phone."),
            who=who,
            count=len(candidates),
            candidates="; ".join(candidates),
        )


@dataclass(frozen=True, slots=True)
class Responded:
    """What an answer did: the new status, who was promoted, who was invited as a stand-in."""

    participant_id: int
    event_id: int
    previous: RsvpStatus
    status: RsvpStatus
    changed: bool
    representative_id: int | None = None
    promoted_ids: tuple[int, ...] = ()
    owed_purposes: tuple[str, ...] = field(default=())  # messages queued, to deliver after commit


def lock_event(session: Session, event_id: int) -> Event:
    """The event, write-locked for this transaction so seat counts cannot race.

    A no-op UPDATE takes the row lock on PostgreSQL and the write lock on SQLite before any
    seat is counted; two answers for the last seat are therefore decided one after the other.
    """
    session.execute(update(Event).where(col(Event.id) == event_id).values(sequence=Event.sequence))
    event = session.get(Event, event_id, populate_existing=True)
    if event is None:
        raise NotInvited(N_("No event {event_id}."), event_id=event_id)
    return event


def load_invitation(session: Session, event_id: int, participant_id: int) -> Participant:
    """The participant of this event, or NotInvited (also when it belongs to another event)."""
    participant = session.get(Participant, participant_id, populate_existing=True)
    if participant is None or participant.event_id != event_id:
        raise NotInvited(
            N_("Participant {participant_id} is not invited to event {event_id}."),
            participant_id=participant_id,
            event_id=event_id,
        )
    return participant


def _described(person: Person) -> str:
    details = ", ".join(x for x in (person.position, person.email or person.phone) if x)
    name = person.full_name.with_titles
    return f"{name} ({details})" if details else name


def find_participant(session: Session, event: Event, who: str | int) -> Participant:
    """The participant an officer means: a participant id, or an e-mail, a phone or a name.

    A name matches the whole name or a part of it (titles included); an exact name wins over
    parts. Nobody matching is NotFound; several are AmbiguousPerson, naming each candidate.
    """
    if isinstance(who, int):
        return load_invitation(session, event.id, who)
    text = " ".join(who.split()).casefold()
    if not text:
        raise NotInvited(N_("Name the participant by e-mail, phone or name."))
    rows = session.exec(
        select(Participant, Person)
        .join(Person, col(Person.id) == Participant.person_id)
        .where(Participant.event_id == event.id)
        .order_by(col(Participant.id))
    ).all()
    try:
        phone: str | None = normalise_phone(text)
    except ValueError:
        phone = None  # not a phone number: an e-mail or a name
    by_contact = [
        row
        for row in rows
        if (row[1].email or "").casefold() == text or (phone and row[1].phone == phone)
    ]
    names = [
        (row, {row[1].name.casefold(), row[1].full_name.with_titles.casefold()}) for row in rows
    ]
    exact = [row for row, spelled in names if text in spelled]
    partly = [row for row, spelled in names if any(text in name for name in spelled)]
    found = by_contact or exact or partly
    if not found:
        raise NotInvited(
            N_("Nobody invited to {event!r} has the e-mail, phone or name {who!r}."),
            event=event.code,
            who=who.strip(),
        )
    if len(found) > 1:
        raise AmbiguousPerson(who.strip(), [_described(person) for _, person in found])
    return found[0][0]


def seats_taken(session: Session, event_id: int) -> int:
    """How many participants hold a seat (accepted)."""
    return session.exec(
        select(func.count())
        .select_from(Participant)
        .where(Participant.event_id == event_id, Participant.rsvp == RsvpStatus.ACCEPTED)
    ).one()


def waiting_list(session: Session, event_id: int) -> list[Participant]:
    """Waitlisted participants, first come first served."""
    return list(
        session.exec(
            select(Participant)
            .where(Participant.event_id == event_id, Participant.rsvp == RsvpStatus.WAITLISTED)
            .order_by(col(Participant.responded_at), col(Participant.id))
        )
    )


def free_seats(session: Session, event: Event) -> int | None:
    """Seats still free, or None when the event has no capacity limit."""
    if event.capacity is None:
        return None
    return max(event.capacity - seats_taken(session, event.id), 0)


def promote_waitlisted(
    session: Session, event: Event, *, actor: str, now: datetime
) -> list[Participant]:
    """Give free seats to the waiting list in order; returns who got one."""
    seats = free_seats(session, event)
    if seats is None:
        seats = len(waiting_list(session, event.id))
    promoted = waiting_list(session, event.id)[:seats]
    for participant in promoted:
        participant.rsvp = RsvpStatus.ACCEPTED
        session.add(participant)
        person = session.get(Person, participant.person_id)
        if person is not None and person.email:  # the seat's notice goes by e-mail only
            enqueue(
                session,
                event_id=event.id,
                recipient=person.email,
                purpose=SEAT_PURPOSE,
                sequence=event.sequence,
                participant_id=participant.id,
            )
        record(
            session,
            actor=actor,
            action="rsvp.promoted",
            event_id=event.id,
            detail={"participant_id": participant.id, "at": now.isoformat()},
        )
    session.flush()
    return promoted


def _seat_for_newcomer(session: Session, event: Event) -> RsvpStatus:
    # A newcomer only gets a seat nobody on the waiting list is owed.
    seats = free_seats(session, event)
    if seats is None:
        return RsvpStatus.ACCEPTED
    return (
        RsvpStatus.ACCEPTED
        if seats > len(waiting_list(session, event.id))
        else RsvpStatus.WAITLISTED
    )


def representative_spec(
    *, name: str, email: str, position: str, organisation: str = "", language: str = "id"
) -> ParticipantSpec:
    """A stand-in as typed on the RSVP form, validated; every problem names its field."""
    problems: list[Problem] = []
    spec: ParticipantSpec | None = None
    given = bool((email or "").strip())
    if not given:  # a stand-in is invited by e-mail
        problems.append(Problem("email", N_("the representative's e-mail address is needed")))
    try:
        spec = ParticipantSpec.model_validate(
            {
                "name": name,
                "email": email,
                "position": position,
                "organisation": organisation,
                "language": language,
            }
        )
    except ValidationError as exc:
        # Without an address the row as a whole "cannot be reached": said once, above.
        problems.extend(p for p in problems_from(exc) if p.where or given)
    # The desk and the attendance list need to know in which capacity the stand-in comes.
    if not " ".join((position or "").split()):
        problems.append(Problem("position", N_("the representative's position is needed")))
    if problems or spec is None:
        raise InvalidInput(problems, heading=N_("Representative not valid"))
    return spec


def _invite_stand_in(
    session: Session,
    event: Event,
    principal: Participant,
    spec: ParticipantSpec,
    *,
    actor: str,
    now: datetime,
) -> Participant:
    principal_person = session.get(Person, principal.person_id)
    assert principal_person is not None
    if spec.email == principal_person.email:
        raise InvalidInput(
            [Problem("email", N_("the representative needs their own e-mail address"))],
            heading=N_("Representative not valid"),
        )
    person = session.exec(select(Person).where(Person.email == spec.email)).first()
    if person is not None:
        taken = session.exec(
            select(Participant).where(
                Participant.event_id == event.id, Participant.person_id == person.id
            )
        ).first()
        if taken is not None:
            raise InvalidInput(
                [
                    Problem(
                        "email",
                        N_("{email} is already invited to this event"),
                        {"email": spec.email},
                    )
                ],
                heading=N_("Representative not valid"),
            )
    else:
        parts = split_name(spec.name)
        person = Person(
            email=spec.email,
            name=parts.name,
            title_prefix=parts.title_prefix,
            title_suffix=parts.title_suffix,
            salutation=parts.salutation,
            position=spec.position,
            organisation=spec.organisation or principal_person.organisation,
            language=principal_person.language,
        )
        session.add(person)
        session.flush()
    # The stand-in takes the principal's place: their seat, or their place in the queue.
    if principal.rsvp in (RsvpStatus.ACCEPTED, RsvpStatus.WAITLISTED):
        status, since = principal.rsvp, principal.responded_at or now
    else:
        status, since = _seat_for_newcomer(session, event), now
    stand_in = Participant(
        event_id=event.id,
        person_id=person.id,
        role=principal.role,
        group_id=principal.group_id,
        rsvp=status,
        responded_at=since,
        represents_id=principal.id,
    )
    session.add(stand_in)
    session.flush()
    record(
        session,
        actor=actor,
        action="participant.representative_added",
        event_id=event.id,
        detail={"participant_id": stand_in.id, "represents_id": principal.id, "rsvp": status.value},
    )
    enqueue(
        session,
        event_id=event.id,
        recipient=person.email,
        purpose=REPRESENTATIVE_PURPOSE,
        sequence=event.sequence,
        participant_id=stand_in.id,
    )
    current = programmes(session, event)
    stand_in.told = current.get(stand_in.group_id, current[None])
    session.add(stand_in)
    return stand_in


def respond(
    session: Session,
    *,
    event_id: int,
    participant_id: int,
    answer: Answer,
    actor: str,
    representative: ParticipantSpec | None = None,
    now: datetime | None = None,
    channel: str = "web",
    note: str = "",
    forced: str | None = None,
) -> Responded:
    """Record a participant's answer, applying capacity and waiting list; flushes, never commits.

    `channel` is how it came (web, calendar, or a `Via` an officer recorded it from); `note`
    and `forced` (the reason a time guard was overridden) go into the audit.
    """
    now = now or utcnow()
    event = lock_event(session, event_id)
    participant = load_invitation(session, event_id, participant_id)
    if event.status not in OPEN_FOR_ANSWERS:
        raise AnswersClosed(
            N_("Event {event!r} is {status}: answers are closed."),
            event=event.code,
            status=event.status.value,
        )
    if participant.rsvp == RsvpStatus.REPRESENTED:
        raise AlreadyRepresented(
            N_("A representative was already named; contact the protocol office to change it.")
        )
    previous = participant.rsvp
    stand_in: Participant | None = None
    promoted: list[Participant] = []

    if answer == Answer.ACCEPT:
        if previous in (RsvpStatus.ACCEPTED, RsvpStatus.WAITLISTED):
            return Responded(participant_id, event_id, previous, previous, changed=False)
        participant.rsvp = _seat_for_newcomer(session, event)
    elif answer == Answer.DECLINE:
        if previous == RsvpStatus.DECLINED:
            return Responded(participant_id, event_id, previous, previous, changed=False)
        participant.rsvp = RsvpStatus.DECLINED
    elif answer == Answer.TENTATIVE:
        if previous == RsvpStatus.TENTATIVE:
            return Responded(participant_id, event_id, previous, previous, changed=False)
        participant.rsvp = RsvpStatus.TENTATIVE
    else:
        if participant.represents_id is not None:
            raise StandInCannotDelegate(N_("A representative cannot name another representative."))
        if representative is None:
            raise InvalidInput(
                [Problem("name", N_("name, position and e-mail of the representative are needed"))],
                heading=N_("Representative not valid"),
            )
        stand_in = _invite_stand_in(
            session, event, participant, representative, actor=actor, now=now
        )
        participant.rsvp = RsvpStatus.REPRESENTED

    participant.responded_at = now
    session.add(participant)
    session.flush()
    if previous == RsvpStatus.ACCEPTED and participant.rsvp != RsvpStatus.ACCEPTED:
        promoted = promote_waitlisted(session, event, actor=actor, now=now)
    detail: dict[str, object] = {
        "participant_id": participant.id,
        "answer": answer.value,
        "rsvp": participant.rsvp.value,
        "previous": previous.value,
        "via": channel,
    }
    if note.strip():
        detail["note"] = note.strip()
    if forced is not None:
        detail["forced"] = forced.strip()
    if stand_in is not None:
        detail["representative_id"] = stand_in.id
    if promoted:
        detail["promoted_ids"] = [p.id for p in promoted]
    record(
        session,
        actor=actor,
        action=f"rsvp.{answer.value}",
        event_id=event_id,
        detail=detail,
        fact=build(InvitationAnswered, {"event_id": event_id, "channel": channel, **detail}),
    )
    return Responded(
        participant_id=participant_id,
        event_id=event_id,
        previous=previous,
        status=participant.rsvp,
        changed=True,
        representative_id=stand_in.id if stand_in else None,
        promoted_ids=tuple(p.id for p in promoted if p.id is not None),
        owed_purposes=((REPRESENTATIVE_PURPOSE,) if stand_in else ())
        + ((SEAT_PURPOSE,) if promoted else ()),
    )
