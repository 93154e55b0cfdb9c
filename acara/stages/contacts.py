"""Reaching participants without e-mail: who they are, and click-to-chat links for mobiles.

Nothing here sends anything: a chat link (https://wa.me/<number>?text=...) opens WhatsApp
with a short personal message the officer sends by hand, so no plan is needed. The links
carry each participant's signed RSVP link: they are handed to the officer who asked for them
and never logged.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from sqlmodel import Session, col, select

from acara import i18n
from acara.dates import long_datetime
from acara.db import unit_of_work
from acara.documents.render import render
from acara.exports import csv_text
from acara.links import rsvp_links, verify_url
from acara.messages.composers.common import addressed, you
from models.event import Event
from models.letters import Letter
from models.people import Person, Via
from models.plan import is_mobile
from models.queries import ParticipantLine, get_event, participants

CHAT_URL = "https://wa.me/{number}?text={text}"


@dataclass(frozen=True, slots=True)
class Contact:
    """A participant as the officer reaches them: how, at which number and address."""

    participant_id: int
    name: str  # with titles
    group: str
    position: str
    organisation: str
    email: str  # "" when they have none
    phone: str  # E.164, or ""
    address: str  # postal address, or ""
    channel: Via  # e-mail; else letter, chat or both
    language: str
    chat: str  # the click-to-chat link, "" without a mobile number


@dataclass(frozen=True, slots=True)
class Reach:
    """An event's participants by how they are reached, for `acara chat` and the workspace."""

    event: Event
    chats: list[Contact]  # everyone with a mobile number, each with a chat link
    without_email: list[Contact]  # reached by printed letter, chat or both


def reach(event: str | int) -> Reach:
    """Chat links for everyone with a mobile number, and who has no e-mail address."""
    with unit_of_work() as session:
        target = get_event(session, event)
        letters = latest_letters(session, target)
        contacts = [
            _contact(target, line, letters.get(line.participant.id or 0))
            for line in participants(session, target)
        ]
    return Reach(
        target,
        [c for c in contacts if c.chat],
        [c for c in contacts if not c.email],
    )


def latest_letters(session: Session, event: Event) -> dict[int, str]:
    """The check code of each participant's newest letter for the event (by participant id)."""
    rows = session.exec(
        select(Letter.participant_id, Letter.code)
        .where(col(Letter.event_id) == event.id, col(Letter.participant_id).is_not(None))
        .order_by(col(Letter.sequence), col(Letter.id))
    ).all()
    return {pid: code for pid, code in rows if pid is not None}  # the newest one wins


def _contact(event: Event, line: ParticipantLine, letter: str | None) -> Contact:
    person = line.person
    assert line.participant.id is not None and event.id is not None
    link = ""
    if is_mobile(person.phone):
        rsvp = rsvp_links(line.participant.id, event.id)["page"]
        verify = verify_url(letter) if letter else None
        link = chat_link(person.phone, chat_message(event, person, rsvp, verify))
    return Contact(
        participant_id=line.participant.id,
        name=person.full_name.with_titles,
        group=line.group,
        position=person.position,
        organisation=person.organisation,
        email=person.email or "",
        phone=person.phone,
        address=person.address,
        channel=person.via,
        language=person.language.value,
        chat=link,
    )


def chat_message(event: Event, person: Person, rsvp: str, verify: str | None = None) -> str:
    """The short personal message of a chat, in the participant's language; with the check
    link of their letter of invitation once one was issued."""
    language = person.language.value
    text = i18n.translate(
        language,
        "Dear %(name)s, we invite %(you)s to %(title)s on %(when)s. "
        "Please tell us whether you will come: %(link)s",
        name=addressed(person, language),
        you=you(person, language),
        title=event.titled(language),
        when=long_datetime(event.starts_at, event.timezone, language),
        link=rsvp,
    )
    if verify:
        text += " " + i18n.translate(
            language, "Your letter of invitation can be checked at %(link)s", link=verify
        )
    return text


def chat_link(phone: str, text: str) -> str:
    """https://wa.me/<E.164 digits, no plus>?text=<the message, URL-encoded>."""
    return CHAT_URL.format(number=phone.removeprefix("+"), text=quote(text, safe=""))


CSV_COLUMNS = ("name", "group", "position", "phone", "channel", "language", "link")


def chats_csv(reach: Reach) -> str:
    """The chat links as Excel in an Indonesian locale opens them: semicolons, a byte-order
    mark, every cell formula-safe (acara.exports)."""
    rows = [CSV_COLUMNS] + [
        (c.name, c.group, c.position, c.phone, c.channel.value, c.language, c.chat)
        for c in reach.chats
    ]
    return csv_text(rows)


def chats_html(reach: Reach) -> str:
    """A page of the chat links, one per participant, each opening the chat in a new tab."""
    context = {"event": reach.event, "contacts": reach.chats, "lang": i18n.current()}
    return render("chat-links.html", context)
