"""Reminders before the event and the RSVP nudge: short letters with the participant's own
programme and place; the last reminder carries the check-in QR code.

They show the event exactly as the invitation did (the same per-batch event view); per
recipient only the salutation, the personal links and the QR code are made.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from acara import i18n
from acara.dates import long_datetime
from acara.links import checkin_code, checkin_qr_png, checkin_url, rsvp_links
from acara.messages.composers.common import (
    addressed,
    honorific,
    memo,
    message_key,
    recipient_of,
    you,
)
from acara.messages.composers.invitations import EventView, RecipientGone
from acara.messages.composers.registry import composer
from acara.messages.message import Attachment, ComposedMessage, Contact
from acara.render import Stencil
from models.event import Event
from models.outbox import Message
from models.people import RsvpStatus
from models.reminders import NUDGE, REMINDER, offset_minutes, parse_offsets

QR_FILENAME = "qr-presensi.png"


@composer(REMINDER)
def reminder(session: Session, message: Message) -> ComposedMessage:
    """The reminder at one offset; the last one before the event has the check-in QR code."""
    return _compose(session, message, REMINDER)


@composer(NUDGE)
def nudge(session: Session, message: Message) -> ComposedMessage:
    """The request to answer the invitation, to invitees who have not."""
    return _compose(session, message, NUDGE)


def _compose(session: Session, message: Message, template: str) -> ComposedMessage:
    view: EventView = memo(
        session, ("event-view", message.event_id), lambda: EventView.load(session, message)
    )
    participant, person = recipient_of(session, message)
    if person is None or participant is None or participant.id is None:
        raise RecipientGone(f"{message.recipient} is no longer a participant of this event")
    language = person.language.value
    personal = {
        "recipient.name": person.full_name.with_titles,
        "recipient.addressed": addressed(person, language),
        "recipient.position": person.position,
        "recipient.organisation": person.organisation,
    }
    if template == NUDGE or participant.rsvp is RsvpStatus.PENDING:
        links = rsvp_links(participant.id, view.event_id)
        personal.update({f"rsvp.{k}": v for k, v in links.items()})
    attachments: tuple[Attachment, ...] = ()
    if template == REMINDER and is_last_reminder(view.event, message.reminder_offset):
        personal["checkin.url"] = checkin_url(participant.id, view.event_id)
        personal["checkin.code"] = checkin_code(participant.id, view.event_id)
        png = checkin_qr_png(participant.id, view.event_id)
        attachments = (Attachment(QR_FILENAME, png, "image/png"),)
    personal = {path: value for path, value in personal.items() if value}
    title, form = honorific(person, language), you(person, language)
    group_id = participant.group_id
    key = ("reminder-stencil", template, view.event_id, language, group_id, title, form)
    stencil = memo(
        session,
        (*key, frozenset(personal)),
        lambda: Stencil(
            template, language, _context(session, view, group_id, language, title, form), personal
        ),
    )
    rendered = stencil.fill(personal)
    return ComposedMessage(
        key=message_key(message),
        sender=view.sender,
        recipient=Contact(person.full_name.with_titles, message.recipient),
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        attachments=attachments,
    )


def _context(
    session: Session, view: EventView, group_id: int | None, language: str, title: str, form: str
) -> dict[str, Any]:
    """The letter shared by a group, language and form of address; personal fields left blank."""
    context = view.blank_letter(group_id, language, title, form)
    # A reminder is not a new letter: it cites the invitation's number instead of reusing it.
    context["letter"] = {**context["letter"], "number": ""}
    now = view.today
    context["reminder"] = {
        "when": when(view.event, now, language),
        "number": view.event.letter_number or "",
    }
    context["checkin"] = {"url": "", "code": ""}
    return context


def when(event: Event, now: datetime, language: str) -> str:
    """How soon, in the event's own calendar: 'besok, Selasa, 8 Desember 2026 pukul 08.30 WIB'."""
    days = (event.local(event.starts_at).date() - event.local(now).date()).days
    with i18n.language(language):
        soon = (
            i18n.gettext("today")
            if days <= 0
            else i18n.gettext("tomorrow")
            if days == 1
            else i18n.ngettext("in %(num)d day", "in %(num)d days", days) % {"num": days}
        )
    return f"{soon}, {long_datetime(event.starts_at, event.timezone, language)}"


def is_last_reminder(event: Event, reminder_offset: int) -> bool:
    """Whether a reminder (its offset in minutes) is the event's last one before it starts."""
    offsets = parse_offsets(event.reminder_offsets)
    return bool(offsets) and reminder_offset == offset_minutes(offsets[-1])
