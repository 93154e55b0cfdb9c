"""What every composer needs: sender and recipient, a per-batch cache, the letter's date."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from babel.dates import format_date
from sqlmodel import Session, col, select

from acara.messages.message import Contact, sanitize_display
from acara.settings import get_settings
from models.clock import utcnow
from models.outbox import Message
from models.people import Participant, Person

T = TypeVar("T")

_CACHE = "acara.messages.composers"  # per session: one chunk of a delivery run
_RUN_CACHE = "acara.run"  # given by the delivery run to every chunk's session
_RECIPIENTS = "recipients"

# How a letter addresses someone, by the salutation stored with the person.
_HONORIFIC_EN = {"Bapak": "Mr.", "Ibu": "Ms.", "Saudara": "Mr.", "Saudari": "Ms."}
_YOU_ID = {"Bapak": "Bapak", "Ibu": "Ibu", "Saudara": "Saudara", "Saudari": "Saudari"}


AS_OF = "as-of"  # the run cache's key for the moment letters are written as of (--at)


def as_of(session: Session) -> datetime:
    """The moment the letters of this delivery count days from: the run's --at, else now."""
    moment: datetime | None = session.info.get(_RUN_CACHE, {}).get(AS_OF)
    return moment or utcnow()


def memo(session: Session, key: object, build: Callable[[], T], *, per_run: bool = False) -> T:
    """A value computed once per delivery batch (the batch's session carries the cache).

    per_run=True keeps it for the whole delivery run (every chunk of thousands of rows); only
    for values that never touch their session again: plain data, or rows fully loaded.
    """
    name = _RUN_CACHE if per_run and _RUN_CACHE in session.info else _CACHE
    cache: dict[object, Any] = session.info.setdefault(name, {})
    try:
        return cache[key]  # type: ignore[no-any-return]
    except KeyError:
        value = cache[key] = build()
        return value


def sender() -> Contact:
    """Who every message is from: the office's mailbox, also the ORGANIZER of calendar invites."""
    settings = get_settings()
    # The name appears in letters and calendars as well: never with a line break in it.
    return Contact(sanitize_display(settings.sender_name), settings.sender_email.strip())


def message_key(message: Message) -> str:
    """The outbox row's idempotency key; the same row always gets the same Message-ID."""
    # The row's creation instant keeps keys unique across databases: row ids restart after a
    # reset, and Gmail silently drops a message whose Message-ID it has seen before.
    return (
        f"{message.id}.{message.purpose}.{message.sequence}."
        f"{message.created_at.strftime('%Y%m%d%H%M%S%f')}"
    )


def load_recipients(session: Session, messages: list[Message]) -> None:
    """Load the participants and people of a batch in one query; recipient_of then reads them."""
    ids = {m.participant_id for m in messages if m.participant_id is not None}
    loaded: dict[int, tuple[Participant, Person]] = memo(session, _RECIPIENTS, dict)
    if ids:
        rows = session.exec(
            select(Participant, Person)
            .join(Person, col(Person.id) == Participant.person_id)
            .where(col(Participant.id).in_(ids))
        )
        # Held here: the session's identity map keeps objects only while someone refers to them.
        loaded.update({participant.id: (participant, person) for participant, person in rows})


def recipient_of(session: Session, message: Message) -> tuple[Participant | None, Person | None]:
    """The participant and person a row is addressed to (by participant, else by address)."""
    loaded: dict[int, tuple[Participant, Person]] = memo(session, _RECIPIENTS, dict)
    if message.participant_id is not None and message.participant_id in loaded:
        return loaded[message.participant_id]
    participant = (
        session.get(Participant, message.participant_id) if message.participant_id else None
    )
    if participant is not None:
        return participant, session.get(Person, participant.person_id)
    person = session.exec(select(Person).where(Person.email == message.recipient)).first()
    if person is None:
        return None, None
    participant = session.exec(
        select(Participant).where(
            Participant.event_id == message.event_id, Participant.person_id == person.id
        )
    ).first()
    return participant, person


def honorific(person: Person, language: str) -> str:
    """'Bapak'/'Ibu' in Indonesian; 'Mr.'/'Ms.' in English unless an academic title leads."""
    salutation = person.salutation or ""
    if language == "en":
        if person.title_prefix:
            return ""
        return _HONORIFIC_EN.get(salutation, salutation)
    return salutation or "Bapak/Ibu"


def addressed(person: Person, language: str) -> str:
    """How the greeting names someone: 'Prof. Mark Gilbert', 'Mr. Deden Juardi'."""
    name = f"{person.title_prefix} {person.name}".strip()
    title = honorific(person, language)
    return f"{title} {name}".strip()


def you(person: Person, language: str) -> str:
    """How the letter's sentences address the reader ('Bapak', 'Ibu', 'Bapak/Ibu'; 'you')."""
    if language == "en":
        return "you"
    return _YOU_ID.get(person.salutation, "Bapak/Ibu")


def letter_date(language: str, zone: str, now: datetime | None = None) -> str:
    """Today's date as a letter is dated: '1 Desember 2026'."""
    today = (now or utcnow()).astimezone(ZoneInfo(zone)).date()
    return format_date(today, "d MMMM y", locale="en" if language == "en" else "id")
