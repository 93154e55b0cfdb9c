"""A foreign guest reads the event in English: title, subject, description, agenda, and times with
their offset ("WIB (UTC+7)"); the office's own letters stay Indonesian ("09.00–12.00 WIB").

The Halifax FGD (examples/fgd-halifax.yaml gives the English texts), sent to a real SMTP server
on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlmodel import Session

from acara.links import make_rsvp_token
from acara.stages import invitations, reminders
from acara.stages import rsvp as stage
from acara.web import create_app
from models.event import Event
from models.rsvp import Answer
from tests.integration.test_letters import the_letter
from tests.smtp_server import SmtpSink
from tests.web_helpers import days_ahead, participant, seed_event

GILBERT = "mark.gilbert@dal.ca"  # reads English
MAYOR = "walikota@tangerangkota.go.id"  # reads Indonesian
TITLE_EN = "Focus Group Discussion: Public Service in Halifax and Tangerang"
TITLE_ID = "Focus Group Discussion: Pelayanan Publik Kota Halifax dan Kota Tangerang"


def plain(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return part.get_content()


def calendar_of(message: EmailMessage) -> Calendar:
    (part,) = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    return Calendar.from_ical(part.get_content())


@pytest.fixture
def invited(session: Session, sink: SmtpSink) -> Event:
    """The Halifax FGD announced and its invitations sent, some days before it."""
    event = seed_event(session, "fgd-halifax.yaml", announce=False)
    with days_ahead(event):
        invitations.send_invitations(event.id)
    return event


def test_the_english_invitation_and_calendar_entry_read_in_english_with_the_offset(
    invited: Event, sink: SmtpSink
) -> None:

    (received,) = sink.received_by(GILBERT)
    mail = received.message()
    text = plain(mail)
    assert TITLE_EN in mail["Subject"]
    assert "Invitation to a Focus Group Discussion on Public Service" in text  # the subject
    assert "citizen-centred services" in text  # the description
    assert "09:00–12:00 WIB (UTC+7)" in text
    assert "Opening and welcome by the Acting Mayor of Tangerang" in text
    assert "Pembukaan" not in text and "Pelayanan Publik Kota" not in text
    (entry,) = calendar_of(mail).walk("VEVENT")
    assert str(entry["SUMMARY"]) == TITLE_EN
    description = str(entry["DESCRIPTION"])
    assert "Closing and group photo" in description and "(UTC+7)" in description
    _, letter = the_letter(mail)  # the PDF surat undangan
    assert "Subject: Invitation to a Focus Group Discussion on Public Service" in letter
    assert f"invites you to attend {TITLE_EN}" in letter
    assert "Time : 09:00–12:00 WIB (UTC+7)" in letter
    assert "Opening and welcome by the Acting Mayor of Tangerang" in letter

    (received,) = sink.received_by(MAYOR)
    mail = received.message()
    text = plain(mail)
    assert TITLE_ID in mail["Subject"] and "09.00–12.00 WIB" in text and "UTC" not in text
    assert "Pembukaan dan sambutan Pj Wali Kota Tangerang" in text
    (entry,) = calendar_of(mail).walk("VEVENT")
    assert str(entry["SUMMARY"]) == TITLE_ID


def test_the_english_reminder_and_rsvp_page_use_the_english_texts(
    session: Session, invited: Event, sink: SmtpSink
) -> None:
    event = invited
    guest = participant(session, event, GILBERT)
    stage.answer(event.id, guest.id, Answer.ACCEPT, actor=f"participant:{guest.id}")
    day_before = event.starts_at - timedelta(days=1)
    reminders.owe_due_reminders(now=day_before)
    reminders.send_owed(as_of=day_before)

    reminder = sink.received_by(GILBERT)[-1].message()
    assert reminder["Subject"] != sink.received_by(GILBERT)[0].message()["Subject"]
    text = plain(reminder)
    assert TITLE_EN in text and "at 09:00 WIB (UTC+7)" in text

    with TestClient(create_app()) as client:
        page = client.get(f"/rsvp/{make_rsvp_token(guest.id, event.id)}").text
    assert TITLE_EN in page and "Closing and group photo" in page
    assert "09:00–12:00 WIB (UTC+7)" in page and "All times in WIB (UTC+7)." in page
