"""What every composer needs: the letterhead and sender, the recipient, a per-batch cache, the
letter's date."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from babel.dates import format_date
from sqlmodel import Session, col, select

from acara import i18n
from acara.documents.letters import head_of
from acara.i18n import Np_
from acara.messages.message import Contact, sanitize_display
from acara.settings import office_letterhead
from models.clock import utcnow
from models.event import Event
from models.letters import Letter, issued_for
from models.organisations import Letterhead, letterhead
from models.outbox import Message
from models.people import Participant, Person, person_id_of

T = TypeVar("T")

_CACHE = "acara.messages.composers"  # per session: one chunk of a delivery run
_RUN_CACHE = "acara.run"  # given by the delivery run to every chunk's session
_RECIPIENTS = "recipients"
_LETTERS = "letters"

# How a letter addresses someone, by the salutation stored with the person: the courtesy title
# before the name, and the word its sentences use for the reader (English: "you").
_COURTESY = {
    "Bapak": Np_("courtesy title of a man addressed as Bapak", "Mr."),
    "Ibu": Np_("courtesy title of a woman addressed as Ibu", "Ms."),
    "Saudara": Np_("courtesy title of a man addressed as Saudara", "Mr."),
    "Saudari": Np_("courtesy title of a woman addressed as Saudari", "Ms."),
}
_READER = {
    "Bapak": Np_("the reader, a man addressed as Bapak", "you"),
    "Ibu": Np_("the reader, a woman addressed as Ibu", "you"),
    "Saudara": Np_("the reader, a man addressed as Saudara", "you"),
    "Saudari": Np_("the reader, a woman addressed as Saudari", "you"),
}
_READER_UNKNOWN = Np_("the reader, whose form of address is not recorded", "you")


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


def letterhead_of(session: Session, event: Event) -> Letterhead:
    """The event's letterhead (its host's; the office settings' without a host), once a batch."""
    return memo(
        session, ("letterhead", event.id), lambda: letterhead(session, event, office_letterhead())
    )


def sender(head: Letterhead) -> Contact:
    """Who an event's messages are from: its host's mailbox, also the calendar ORGANIZER."""
    # The name appears in letters and calendars as well: never with a line break in it.
    return Contact(sanitize_display(head.sender_name), head.sender_email.strip())


def frame(
    head: Letterhead, language: str, zone: str, today: datetime, *, number: str, subject: str
) -> dict[str, Any]:
    """The frame every letter of an event shares: the kop, the sender, place and date, Nomor
    and Hal (the `sender` and `letter` of templates/email/_letter.*)."""
    office = sender(head)
    kop = head_of(head, language)
    return {
        "sender": {"name": office.name, "email": office.email},
        "letter": {
            "kop": kop["kop_lines"],
            "contact": kop["contact"],
            "place": head.city,
            "date": letter_date(language, zone, today),
            "number": number,
            "subject": subject,
        },
    }


def message_key(message: Message) -> str:
    """The outbox row's idempotency key; the same row always gets the same Message-ID."""
    # The row's creation instant keeps keys unique across databases: row ids restart after a
    # reset, and Gmail silently drops a message whose Message-ID it has seen before.
    return (
        f"{message.id}.{message.purpose}.{message.sequence}."
        f"{message.created_at.strftime('%Y%m%d%H%M%S%f')}"
    )


def load_recipients(session: Session, messages: list[Message]) -> None:
    """Load the participants and people of a batch in one query, and the letters already issued
    for its messages in another; recipient_of and letter_issued then read them."""
    memo(session, _LETTERS, dict).update(
        issued_for(session, [m.id for m in messages if m.id is not None])
    )
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


def letter_issued(session: Session, message: Message) -> Letter | None:
    """The letter issued for a row of the batch before, if load_recipients found one."""
    return memo(session, _LETTERS, dict).get(message.id)


def recipient_of(session: Session, message: Message) -> tuple[Participant | None, Person | None]:
    """The participant and person a row is addressed to (by participant, else by address or
    'person:<id>')."""
    loaded: dict[int, tuple[Participant, Person]] = memo(session, _RECIPIENTS, dict)
    if message.participant_id is not None and message.participant_id in loaded:
        return loaded[message.participant_id]
    participant = (
        session.get(Participant, message.participant_id) if message.participant_id else None
    )
    if participant is not None:
        return participant, session.get(Person, participant.person_id)
    person_id = person_id_of(message.recipient)
    person = (
        session.get(Person, person_id)
        if person_id is not None
        else session.exec(select(Person).where(Person.email == message.recipient)).first()
    )
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
    known = _COURTESY.get(salutation)
    with i18n.language(language):
        title = i18n.pgettext(*known) if known else salutation
        if not title:
            # TRANSLATORS: the courtesy title when none is recorded; %(title)s is empty.
            title = i18n.pgettext("courtesy title, none recorded", "%(title)s") % {"title": ""}
        if person.title_prefix:
            # TRANSLATORS: English drops the courtesy title before Prof. or Dr. (%(title).0s
            # prints nothing); write %(title)s where your language keeps it.
            return i18n.pgettext("courtesy title before an academic title", "%(title).0s") % {
                "title": title
            }
        return title


def addressed(person: Person, language: str) -> str:
    """How the greeting names someone: 'Prof. Mark Gilbert', 'Mr. Deden Juardi'."""
    name = f"{person.title_prefix} {person.name}".strip()
    title = honorific(person, language)
    return f"{title} {name}".strip()


def you(person: Person, language: str) -> str:
    """How the letter's sentences address the reader ('Bapak', 'Ibu', 'Bapak/Ibu'; 'you')."""
    with i18n.language(language):
        return i18n.pgettext(*_READER.get(person.salutation, _READER_UNKNOWN))


def letter_date(language: str, zone: str, now: datetime | None = None) -> str:
    """Today's date as a letter is dated: '1 Desember 2026'."""
    today = (now or utcnow()).astimezone(ZoneInfo(zone)).date()
    return format_date(today, "d MMMM y", locale=i18n.supported(language))
