"""The RSVP stage: a participant answers (by the web page today; by calendar or phone next).

An answer applies capacity and the waiting list, may name a representative (who is owed an
invitation) or free a seat (whose new holder is owed a letter), and records
InvitationAnswered with the channel it came by.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from acara.bus import Publishing
from acara.messages.delivery import deliver
from acara.stages.unit import change
from models.people import Person
from models.rsvp import Answer, Responded, load_invitation, representative_spec, respond

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
