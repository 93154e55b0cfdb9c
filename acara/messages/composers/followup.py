"""After the event: the minutes, the thank-you letter, the survey invitation, action-item
reminders and their escalation. Each is an official letter in the recipient's language.

What one event shares (the letter frame, the approved minutes' PDF) is built once per
delivery batch through `memo`; per recipient only the salutation and the bodies are made.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from acara.dates import long_date, time_range
from acara.documents.context import main_place
from acara.documents.minutes import approved_minutes_pdf
from acara.links import survey_url
from acara.messages.composers.common import (
    addressed,
    as_of,
    frame,
    honorific,
    letterhead_of,
    memo,
    message_key,
    recipient_of,
    you,
)
from acara.messages.composers.registry import NotOwed, composer
from acara.messages.message import Attachment, ComposedMessage, Contact
from acara.render import render
from acara.settings import get_settings
from models.clock import utcnow
from models.event import Event
from models.followup import (
    ACTION_REMINDER,
    ESCALATION,
    SURVEY,
    THANK_YOU,
    days_overdue,
    local_today,
)
from models.minutes import ActionItem, ActionStatus, MinutesStatus
from models.minutes_rules import MINUTES_PURPOSE, action_items_of, decisions_of, minutes_of
from models.outbox import Message
from models.queries import organisation_name


class NothingToSend(NotOwed):
    """The row no longer stands for a message (its item is done): delivery supersedes it."""


def _event(session: Session, message: Message) -> Event:
    event = session.get(Event, message.event_id)
    if event is None:  # pragma: no cover - rows are deleted with their event
        raise LookupError(f"event {message.event_id} no longer exists")
    return event


def letter_frame(session: Session, event: Event, language: str) -> dict[str, Any]:
    """The parts of a letter every recipient of this event and language shares."""

    def build() -> dict[str, Any]:
        zone = event.timezone
        first = long_date(event.starts_at, language, zone)
        last = long_date(event.ends_at, language, zone)
        place = main_place(session, event)
        head = letterhead_of(session, event)
        return {
            "lang": language,
            "host": organisation_name(session, event.host_id) or head.name,
            "guest": organisation_name(session, event.guest_id),
            **frame(
                head, language, zone, as_of(session), number="", subject=event.titled(language)
            ),
            "event": {
                "code": event.code,
                "kind": event.kind.value,
                "title": event.titled(language),
                "date_line": first if first == last else f"{first} – {last}",
                "time_line": time_range(event.starts_at, event.ends_at, zone, language),
                "place": place.name,
                "address": place.address,
                "description": event.text("description", language),
            },
        }

    return memo(session, ("followup-frame", event.id, language), build)


def addressee(
    session: Session, message: Message, fallback_name: str = ""
) -> tuple[dict[str, Any], str, str]:
    """(recipient context, language, display name) of a row; outsiders get Indonesian."""
    _, person = recipient_of(session, message)
    if person is None:
        name = fallback_name or message.recipient
        return (
            {
                "name": name,
                "honorific": "",
                "addressed": name,
                "you": "Bapak/Ibu",
                "position": "",
                "organisation": "",
            },
            "id",
            name,
        )
    language = person.language.value
    return (
        {
            "name": person.full_name.with_titles,
            "honorific": honorific(person, language),
            "addressed": addressed(person, language),
            "you": you(person, language),
            "position": person.position,
            "organisation": person.organisation,
        },
        language,
        person.full_name.with_titles,
    )


def _minutes_attachment(session: Session, event: Event) -> Attachment | None:
    """The approved minutes as a PDF attachment (rendered once per batch), or None."""

    def build() -> Attachment | None:
        path = approved_minutes_pdf(session, event, now=utcnow())
        if path is None:
            return None
        return Attachment(f"notulen-{event.code}.pdf", path.read_bytes(), "application/pdf")

    return memo(session, ("minutes-pdf", event.id), build)


def plain_letter(
    message: Message,
    name: str,
    context: dict[str, Any],
    language: str,
    display: str,
    attachments: tuple[Attachment, ...] = (),
) -> ComposedMessage:
    """A letter without a calendar invite, rendered from templates/email/<name>."""
    rendered = render(name, language, context)
    return ComposedMessage(
        key=message_key(message),
        sender=Contact(context["sender"]["name"], context["sender"]["email"]),
        recipient=Contact(display, message.recipient),
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        attachments=attachments,
        labels={"Purpose": message.purpose},
    )


def _item_context(item: ActionItem, language: str, zone: str, now: datetime) -> dict[str, Any]:
    today = local_today(now, zone)
    return {
        "id": item.id,
        "description": item.description,
        "owner": item.owner_name,
        "owner_email": item.owner_email,
        "due": long_date(item.due_on, language),
        "days_overdue": days_overdue(item.due_on, today),
    }


@composer(MINUTES_PURPOSE)
def minutes_letter(session: Session, message: Message) -> ComposedMessage:
    """The approved minutes, PDF attached, with the recipient's own action items."""
    event = _event(session, message)
    minutes = minutes_of(session, event)
    attachment = _minutes_attachment(session, event)
    if minutes is None or attachment is None:
        raise NothingToSend(f"the minutes of {event.code} are not approved")
    items = action_items_of(session, minutes)
    owner = next((i.owner_name for i in items if i.owner_email == message.recipient), "")
    recipient, language, display = addressee(session, message, owner)
    context = dict(letter_frame(session, event, language))
    context["recipient"] = recipient
    context["decisions"] = [d.text for d in decisions_of(session, minutes)]
    context["my_actions"] = [
        _item_context(item, language, event.timezone, as_of(session))
        for item in items
        if item.owner_email == message.recipient
    ]
    context["attachment"] = attachment.filename
    return plain_letter(message, "minutes", context, language, display, (attachment,))


@composer(THANK_YOU)
def thank_you_letter(session: Session, message: Message) -> ComposedMessage:
    """Thanks to the guest delegation, with the approved minutes when there are any."""
    event = _event(session, message)
    minutes = minutes_of(session, event)
    attachment = (
        _minutes_attachment(session, event)
        if minutes is not None and minutes.status is MinutesStatus.APPROVED
        else None
    )
    recipient, language, display = addressee(session, message)
    context = dict(letter_frame(session, event, language))
    context["recipient"] = recipient
    context["attachment"] = attachment.filename if attachment else ""
    attachments = (attachment,) if attachment else ()
    return plain_letter(message, THANK_YOU, context, language, display, attachments)


@composer(SURVEY)
def survey_invitation(session: Session, message: Message) -> ComposedMessage:
    """The personal link to the feedback survey and how long it stays open."""
    event = _event(session, message)
    participant, _ = recipient_of(session, message)
    if participant is None or participant.id is None:
        raise NothingToSend(f"{message.recipient} is no longer a participant of {event.code}")
    recipient, language, display = addressee(session, message)
    closes = event.ends_at + timedelta(days=get_settings().survey_open_days)
    context = dict(letter_frame(session, event, language))
    context["recipient"] = recipient
    context["survey"] = {
        "url": survey_url(participant.id, event.id or 0),
        "closes": long_date(closes, language, event.timezone),
    }
    return plain_letter(message, SURVEY, context, language, display)


def _open_item(session: Session, item_id: int) -> ActionItem:
    item = session.get(ActionItem, item_id)
    if item is None:
        raise NothingToSend(f"action item {item_id} no longer exists")
    if item.status is ActionStatus.DONE:
        raise NothingToSend(f"action item {item_id} is done")
    return item


@composer(ACTION_REMINDER)
def action_reminder(session: Session, message: Message) -> ComposedMessage:
    """A reminder to an action item's owner: due soon, or overdue by so many days."""
    event = _event(session, message)
    item = _open_item(session, message.action_item_id)
    recipient, language, display = addressee(session, message, item.owner_name)
    context = dict(letter_frame(session, event, language))
    context["recipient"] = recipient
    context["item"] = _item_context(item, language, event.timezone, as_of(session))
    context["overdue"] = message.action_step_on > item.due_on
    return plain_letter(message, ACTION_REMINDER, context, language, display)


@composer(ESCALATION)
def escalation(session: Session, message: Message) -> ComposedMessage:
    """To a host official: an action item is still open well past its due date."""
    event = _event(session, message)
    item = _open_item(session, message.action_item_id)
    recipient, language, display = addressee(session, message)
    context = dict(letter_frame(session, event, language))
    context["recipient"] = recipient
    context["item"] = _item_context(item, language, event.timezone, as_of(session))
    return plain_letter(message, ESCALATION, context, language, display)
