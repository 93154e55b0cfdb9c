"""The letter to someone on the waiting list who has been given a seat."""

from __future__ import annotations

from sqlmodel import Session

from acara.links import rsvp_links
from acara.messages.composers.common import recipient_of
from acara.messages.composers.followup import (
    NothingToSend,
    addressee,
    letter_frame,
    plain_letter,
)
from acara.messages.composers.registry import composer
from acara.messages.message import ComposedMessage
from models.event import Event
from models.outbox import Message
from models.people import RsvpStatus
from models.rsvp import SEAT_PURPOSE


@composer(SEAT_PURPOSE)
def seat_confirmed(session: Session, message: Message) -> ComposedMessage:
    """Your seat is confirmed: a place came free and the waiting list moved up."""
    participant, _ = recipient_of(session, message)
    event = session.get(Event, message.event_id)
    if participant is None or participant.id is None or event is None:
        raise NothingToSend(f"{message.recipient} is no longer a participant")
    if participant.rsvp is not RsvpStatus.ACCEPTED:
        raise NothingToSend(f"{message.recipient} no longer holds a seat")
    recipient, language, display = addressee(session, message)
    context = dict(letter_frame(session, event, language))
    context["recipient"] = recipient
    context["rsvp"] = rsvp_links(participant.id, event.id or 0)
    return plain_letter(message, "seat", context, language, display)
