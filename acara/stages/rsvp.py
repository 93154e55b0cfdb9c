"""The RSVP stage: a participant answers on the web page, or an officer records an answer
that came by phone, WhatsApp or letter (`answer_for`); calendar replies come through replies.

An answer applies capacity and the waiting list, may name a representative (who is owed an
invitation) or free a seat (whose new holder is owed a letter), and records
InvitationAnswered with the channel it came by and who recorded it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime

from sqlmodel import Session, select

from acara.bus import Publishing
from acara.db import unit_of_work
from acara.messages.delivery import DeliverySummary, deliver
from acara.stages.plan import Change, Plan, outbox_mark
from acara.stages.unit import change
from models.clock import Moment, moment
from models.errors import N_
from models.event import BreakoutGroup, Event
from models.people import Participant, Person, RsvpStatus
from models.plan import ParticipantSpec
from models.queries import AgendaLine, agenda, get_event, organisation_name
from models.rsvp import (
    Answer,
    NotInvited,
    Responded,
    Via,
    find_participant,
    load_invitation,
    representative_spec,
    respond,
)
from models.timing import ANSWER_TOO_LATE, ensure_not_over

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class StandIn:
    """The representative named with an answer of `represent`, as typed."""

    name: str = ""
    position: str = ""
    email: str = ""


NOBODY = StandIn()


@dataclass(frozen=True, slots=True)
class Answered:
    """An answer recorded and committed; `follow_through` publishes it and sends what it owes."""

    outcome: Responded
    published: Publishing


@dataclass(frozen=True, slots=True)
class AnsweredFor(Answered):
    """An answer an officer recorded on someone's behalf: whose, and the plan it made."""

    name: str  # the participant's name with titles, as the plan and the audit name them
    plan: Plan
    sent: DeliverySummary | None = None  # what was sent after the commit (not deferred)


def _representative(
    session: Session, participant: Participant, choice: Answer, stand_in: StandIn
) -> ParticipantSpec | None:
    """The stand-in named with an answer of `represent`, validated (None for other answers)."""
    if choice != Answer.REPRESENT:
        return None
    person = session.get(Person, participant.person_id)
    assert person is not None
    return representative_spec(
        name=stand_in.name,
        email=stand_in.email,
        position=stand_in.position,
        language=person.language.value,
    )


def answer(
    event_id: int,
    participant_id: int,
    choice: Answer,
    *,
    actor: str,
    stand_in: StandIn = NOBODY,
    channel: str = "web",
) -> Answered:
    """Record a participant's answer; publishing and sending wait for `follow_through`."""
    with change(defer=True) as (session, published):
        participant = load_invitation(session, event_id, participant_id)
        outcome = respond(
            session,
            event_id=event_id,
            participant_id=participant_id,
            answer=choice,
            actor=actor,
            representative=_representative(session, participant, choice, stand_in),
            channel=channel,
        )
    return Answered(outcome, published)


def answer_for(
    event: str | int,
    who: str | int,
    choice: Answer,
    *,
    actor: str,
    via: Via = Via.PHONE,
    stand_in: StandIn = NOBODY,
    note: str = "",
    at: Moment = None,
    force: str | None = None,
    dry_run: bool = False,
    defer: bool = False,
) -> AnsweredFor:
    """Record an answer an officer received by phone, WhatsApp or letter, with the web's rules.

    `event` is an id or code; `who` a participant id (an int: a page's row) or what an officer
    types: an e-mail, a phone number or a name (several matches: AmbiguousPerson). An answer
    after the event ended needs `force`, a reason for the audit; `at` records it as of that
    time. `dry_run` only fills the plan. Otherwise the answer is committed, then published and
    what it owes (the representative's invitation, a freed seat's letter) is sent, unless
    `defer`: then the caller runs `follow_through(result)` (a web background task).
    """
    with change(defer=True, dry_run=dry_run) as (session, published):
        target = get_event(session, event)
        now = moment(at, target.timezone, "--at")
        ensure_not_over(target, now, ANSWER_TOO_LATE, force=force)
        participant = find_participant(session, target, who)
        person = session.get(Person, participant.person_id)
        assert person is not None and participant.id is not None
        name = person.full_name.with_titles
        plan = Plan.of("rsvp", target)
        mark = outbox_mark(session)
        outcome = respond(
            session,
            event_id=target.id,
            participant_id=participant.id,
            answer=choice,
            actor=actor,
            representative=_representative(session, participant, choice, stand_in),
            now=now,
            channel=via.value,
            note=note,
            forced=force,
        )
        if outcome.changed:
            plan.changes.append(
                Change(
                    N_("answer of {name}"),
                    outcome.previous.value,
                    outcome.status.value,
                    {"name": name},
                    kind="rsvp",
                )
            )
        plan.owe(session, mark, target)
    answered = AnsweredFor(outcome, published, name, plan)
    if dry_run or defer:
        return answered
    return replace(answered, sent=follow_through(answered, as_of=now if at else None))


def follow_through(answered: Answered, *, as_of: datetime | None = None) -> DeliverySummary | None:
    """After the commit: publish the answer, send the representative's invitation or seat letter.

    Runs after the participant has their page (a background task): a failure here loses
    nothing, the fact stays pending for the re-emit sweep and the outbox keeps the messages.
    Returns what the delivery did, if anything was owed. `as_of` dates the letters (--at).
    """
    try:
        for line in answered.published.publish().lines():
            log.info("%s", line)
    except Exception:
        log.exception("publishing an answer failed; the re-emit sweep will retry")
    outcome = answered.outcome
    if not outcome.owed_purposes:
        return None
    try:
        summary = deliver(
            event_id=outcome.event_id, purposes=list(outcome.owed_purposes), as_of=as_of
        )
    except Exception:
        log.exception("delivery of %s failed; the outbox keeps it", outcome.owed_purposes)
        return None
    log.info("delivered after an answer: %s", summary)
    return summary


# --- what a participant reads ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Invitation:
    """One participant's invitation as their RSVP page shows it, and nothing about anyone else.

    The rows are loaded in full and detached: the session is closed.
    """

    event: Event
    participant: Participant
    person: Person
    host: str
    group: str  # their breakout group's name, "" for plenary only
    agenda: list[AgendaLine]  # plenary and their group's items, in time order
    represents: str | None  # the principal's name with titles, when they stand in for someone
    stand_in: str | None  # their representative's name with titles, when represented


def _person_name(session: Session, participant_id: int | None) -> str | None:
    participant = session.get(Participant, participant_id) if participant_id else None
    person = session.get(Person, participant.person_id) if participant else None
    return person.full_name.with_titles if person else None


def _load(
    session: Session, event_id: int, participant_id: int
) -> tuple[Event, Participant, Person]:
    event = session.get(Event, event_id)
    if event is None:
        raise NotInvited(N_("The event of this link no longer exists."))
    participant = load_invitation(session, event_id, participant_id)
    person = session.get(Person, participant.person_id)
    assert person is not None
    return event, participant, person


def language_of(event_id: int, participant_id: int) -> str:
    """The language the participant reads (NotInvited when the link names no invitation)."""
    with unit_of_work() as session:
        return _load(session, event_id, participant_id)[2].language.value


def invitation(event_id: int, participant_id: int) -> Invitation:
    """What the participant's own RSVP page shows (NotInvited when the link names none)."""
    with unit_of_work() as session:
        event, participant, person = _load(session, event_id, participant_id)
        group = session.get(BreakoutGroup, participant.group_id) if participant.group_id else None
        stand_in = None
        if participant.rsvp == RsvpStatus.REPRESENTED:
            row = session.exec(
                select(Participant).where(Participant.represents_id == participant.id)
            ).first()
            stand_in = _person_name(session, row.id if row else None)
        return Invitation(
            event=event,
            participant=participant,
            person=person,
            host=organisation_name(session, event.host_id),
            group=group.name if group else "",
            agenda=agenda(session, event, participant.group_id),
            represents=_person_name(session, participant.represents_id),
            stand_in=stand_in,
        )
