"""The reminder and nudge letters as participants read them."""

from __future__ import annotations

import email
from datetime import timedelta
from email.message import EmailMessage
from email.policy import default as default_policy

import pytest
from sqlmodel import Session, col, select

from acara.eventfile import read_event_file
from acara.messages.channels.mime import build_message, to_bytes, to_email
from acara.messages.composers import compose
from acara.messages.composers.reminders import QR_FILENAME
from models.event import BreakoutGroup, Event
from models.lifecycle import Action, apply
from models.outbox import Message, Owed, enqueue_many
from models.people import Language, Participant, Person, RsvpStatus
from models.planning import import_event
from models.reminders import NUDGE, REMINDER, offset_minutes
from tests.conftest import EXAMPLES

NONE = timedelta(0)


@pytest.fixture
def event(session: Session) -> Event:
    """The Jambi visit, announced; the first invitee speaks English and has not answered."""
    spec, rows = read_event_file(EXAMPLES / "kunjungan-camat-jambi.yaml")
    result = import_event(session, spec, rows, actor="test")
    target = session.get(Event, result.event_id)
    assert target is not None
    apply(session, target, Action.ANNOUNCE, actor="test")
    session.commit()
    return target


def letter(
    session: Session, event: Event, email_address: str, purpose: str, before: timedelta = NONE
) -> EmailMessage:
    """Owe one message to a participant, compose it, and read it back as a mail client would."""
    offset = offset_minutes(before)
    owed = Owed(email_address, purpose, event.sequence, reminder_offset=offset)
    enqueue_many(session, event.id or 0, [owed])
    row = session.exec(
        select(Message).where(
            Message.recipient == email_address,
            Message.purpose == purpose,
            Message.reminder_offset == offset,
        )
    ).one()
    outgoing = to_email(compose(session, row))
    raw = to_bytes(build_message(outgoing, domain="tangerangkota.go.id"))
    return email.message_from_bytes(raw, policy=default_policy)  # type: ignore[return-value]


def body(message: EmailMessage, subtype: str) -> str:
    part = message.get_body(preferencelist=(subtype,))
    assert part is not None
    return part.get_content()


def person(session: Session, event: Event, group: str | None) -> tuple[Participant, Person]:
    """A participant of a breakout group (or of the plenary only)."""
    rows = session.exec(
        select(Participant, Person)
        .join(Person, col(Person.id) == Participant.person_id)
        .where(Participant.event_id == event.id)
        .order_by(col(Participant.id))
    ).all()
    groups = {g.id: g.name for g in session.exec(select(BreakoutGroup))}
    for participant, someone in rows:
        if (groups.get(participant.group_id) if participant.group_id else None) == group:
            return participant, someone
    raise AssertionError(f"nobody in {group}")


def test_a_reminder_shows_the_participants_own_group_programme_and_place(
    session: Session, event: Event
) -> None:
    participant, someone = person(session, event, "Kelompok 2 - Setu")
    participant.rsvp = RsvpStatus.ACCEPTED
    session.add(participant)
    message = letter(session, event, someone.email, REMINDER, timedelta(days=1))
    text = body(message, "plain")
    assert message["Subject"].startswith("Pengingat: Kunjungan Kerja Camat se-Provinsi Jambi")
    assert "Observasi layanan Kecamatan Setu" in text
    assert "Aula Kecamatan Setu" in text
    assert "Kecamatan Pamulang" not in text and "Serpong Utara" not in text
    assert "Nomor 005/1123-Prot/2026" in text
    assert "Selasa, 8 Desember 2026 pukul 08.30 WIB" in text
    assert "/rsvp/" not in text  # they already answered
    assert not [p for p in message.iter_attachments()]  # not the last reminder: no QR code


def test_the_last_reminder_carries_the_check_in_qr_code(session: Session, event: Event) -> None:
    participant, someone = person(session, event, "Kelompok 1 - Pamulang")
    participant.rsvp = RsvpStatus.ACCEPTED
    session.add(participant)
    message = letter(session, event, someone.email, REMINDER, timedelta(hours=2))
    (qr,) = [p for p in message.iter_attachments()]
    assert qr.get_filename() == QR_FILENAME and qr.get_content_type() == "image/png"
    assert qr.get_content().startswith(b"\x89PNG")
    text, html = body(message, "plain"), body(message, "html")
    assert f"/checkin/{event.id}-{participant.id}-" in text
    assert f"{event.id}-{participant.id}-" in html and "<strong>" in html


def test_an_undecided_participant_is_asked_again_in_their_language(
    session: Session, event: Event
) -> None:
    _, someone = person(session, event, "Kelompok 3 - Serpong Utara")
    someone.language = Language.EN
    session.add(someone)
    nudge = letter(session, event, someone.email, NUDGE)
    reminder = letter(session, event, someone.email, REMINDER, timedelta(days=1))
    assert nudge["Subject"].startswith("Please confirm your attendance: Kunjungan Kerja")
    assert "/rsvp/" in body(nudge, "plain") and "?answer=decline" in body(nudge, "html")
    assert reminder["Subject"].startswith("Reminder: Kunjungan Kerja")
    assert "We have not yet received your reply" in body(reminder, "plain")


def test_the_letter_says_how_soon_in_the_events_own_calendar(
    session: Session, event: Event
) -> None:
    from acara.messages.composers.reminders import when

    assert when(event, event.starts_at - timedelta(days=1), "id").startswith("besok, Selasa")
    assert when(event, event.starts_at - timedelta(hours=2), "en").startswith("today, Tuesday")
    assert when(event, event.starts_at - timedelta(days=3), "id").startswith("3 hari lagi")
