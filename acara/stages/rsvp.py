"""The RSVP stage: a participant answers (by the web page today; by calendar or phone next).

An answer applies capacity and the waiting list, may name a representative (who is owed an
invitation) or free a seat (whose new holder is owed a letter), and records
InvitationAnswered with the channel it came by.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlmodel import Session, select

from acara.bus import Publishing
from acara.db import unit_of_work
from acara.messages.delivery import deliver
from acara.stages.unit import change
from models.errors import N_
from models.event import BreakoutGroup, Event
from models.people import Participant, Person, RsvpStatus
from models.queries import AgendaLine, agenda, organisation_name
from models.rsvp import (
    Answer,
    NotInvited,
    Responded,
    load_invitation,
    representative_spec,
    respond,
)

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
        person = session.get(Person, participant.person_id)
        assert person is not None
        representative = (
            representative_spec(
                name=stand_in.name,
                email=stand_in.email,
                position=stand_in.position,
                language=person.language.value,
            )
            if choice == Answer.REPRESENT
            else None
        )
        outcome = respond(
            session,
            event_id=event_id,
            participant_id=participant_id,
            answer=choice,
            actor=actor,
            representative=representative,
            channel=channel,
        )
    return Answered(outcome, published)


def follow_through(answered: Answered) -> None:
    """After the commit: publish the answer, send the representative's invitation or seat letter.

    Runs after the participant has their page (a background task): a failure here loses
    nothing, the fact stays pending for the re-emit sweep and the outbox keeps the messages.
    """
    try:
        for line in answered.published.publish().lines():
            log.info("%s", line)
    except Exception:
        log.exception("publishing an answer failed; the re-emit sweep will retry")
    outcome = answered.outcome
    if not outcome.owed_purposes:
        return
    try:
        summary = deliver(event_id=outcome.event_id, purposes=list(outcome.owed_purposes))
        log.info("delivered after an answer: %s", summary)
    except Exception:
        log.exception("delivery of %s failed; the outbox keeps it", outcome.owed_purposes)


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
