"""Helpers shared by the web tests: seed events from the examples, find people, read pages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import time_machine
from sqlmodel import Session, col, select

from acara.eventfile import read_event_file
from models.event import Event
from models.lifecycle import Action, apply
from models.people import Participant, Person
from models.planning import import_event
from tests.conftest import EXAMPLES


def seed_event(
    session: Session,
    example: str,
    *,
    capacity: int | None = None,
    timezone: str | None = None,
    announce: bool = True,
) -> Event:
    """Import an example event (optionally with a seat limit or zone) and announce it; committed."""
    spec, rows = read_event_file(EXAMPLES / example)
    if capacity is not None:
        spec = spec.model_copy(update={"capacity": capacity})
    if timezone is not None:
        spec = spec.model_copy(update={"timezone": timezone})
    result = import_event(session, spec, rows, actor="test")
    event = session.get(Event, result.event_id)
    assert event is not None
    if announce:
        apply(session, event, Action.ANNOUNCE, actor="test")
    session.commit()
    return event


@contextmanager
def on_the_day(event: Event) -> Iterator[None]:
    """The clock (and the app's) moved to ten minutes after the event's start, and running on:
    the desk is open. An officer logs in again inside: a session cookie is only good for a day."""
    with time_machine.travel(event.starts_at + timedelta(minutes=10), tick=True):
        yield


def participant(session: Session, event: Event, email: str) -> Participant:
    """The participant of the event with this e-mail address."""
    row = session.exec(
        select(Participant)
        .join(Person, col(Person.id) == Participant.person_id)
        .where(Participant.event_id == event.id, Person.email == email)
    ).one()
    return row


def participants_in_order(session: Session, event: Event) -> list[Participant]:
    """Every participant of the event, in import order."""
    return list(
        session.exec(
            select(Participant)
            .where(Participant.event_id == event.id)
            .order_by(col(Participant.id))
        )
    )


def alert_text(html: str) -> str:
    """The text of the page's error or status notice, whitespace collapsed."""
    match = re.search(r'<div class="notice[^"]*"[^>]*>(.*?)</div>', html, re.S)
    assert match, "the page has no notice"
    return " ".join(re.sub(r"<[^>]+>", " ", match[1]).split())
