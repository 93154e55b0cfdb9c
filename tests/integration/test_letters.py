"""The official letter as a PDF attached to each invitation, update and cancellation (a real SMTP
sink; the PDFs read back with pypdf), its register, and its check, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
import vobject
from ical.calendar_stream import IcsCalendarStream
from icalendar import Calendar
from pypdf import PdfReader
from sqlmodel import col, select

from acara.db import unit_of_work
from acara.documents.letters import letter_pdf, letters_pdf
from acara.links import TokenInvalid
from acara.messages.delivery import deliver
from acara.stages import invitations, letters
from acara.stages.letters import letter_of_message
from models import lifecycle
from models.event import Event
from models.letters import Letter, Standing
from models.outbox import Message
from models.people import Person
from tests.integration.test_invitations import (
    calendar_part,
    cancel,
    import_example,
    invite,
    send,
    smtp,
)
from tests.smtp_server import Refusal, SmtpSink

PAMULANG = "camat.pamulang@tangerangselatankota.go.id"
GILBERT = "mark.gilbert@dal.ca"


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    with SmtpSink() as server:
        yield server


def the_letter(message: EmailMessage) -> tuple[str, str]:
    """(file name, text) of the PDF letter attached to an e-mail."""
    parts = [p for p in message.walk() if p.get_content_type() == "application/pdf"]
    assert len(parts) == 1, "one letter per message"
    data = parts[0].get_payload(decode=True)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return parts[0].get_filename(), " ".join(text.split())


def reschedule(event_id: int, days: int) -> None:
    """Move the event as `acara event reschedule` does, and owe the updates (no reaction here)."""
    with unit_of_work() as session:
        event = session.get(Event, event_id)
        assert event is not None
        lifecycle.reschedule(session, event, event.starts_at + timedelta(days=days), actor="test")
    invitations.owe_changes(event_id)


def registered(event_id: int) -> list[Letter]:
    with unit_of_work() as session:
        return list(
            session.exec(select(Letter).where(Letter.event_id == event_id).order_by(col(Letter.id)))
        )


def test_the_jambi_invitation_carries_the_surat_dinas_as_a_pdf(
    acara_env: Path, sink: SmtpSink, tmp_path: Path
) -> None:
    event_id = import_example()
    invite(event_id)
    send(event_id, smtp(sink.url, tmp_path))
    message = sink.received_by(PAMULANG)[0].message()
    name, text = the_letter(message)
    code = re.fullmatch(r"surat-undangan-(S\d+-[A-Z2-7]{8})\.pdf", name)
    assert code, name
    assert re.search(r"Tangerang Selatan, \d{1,2} \w+ 20\d\d", text)
    for field in ("Nomor : 005/1123-Prot/2026", "Sifat : Biasa", "Lampiran : -", "Hal : "):
        assert field in text
    assert "Yth. Bapak Deden Juardi, S.STP., M.Si. Camat Pamulang" in text
    assert "di Tempat" in text
    # The signatory of the host, with the NIP; the copies; the check code.
    assert "NIP " in text and "Sekretaris Daerah" in text
    assert "Tembusan: 1. Wali Kota Tangerang Selatan (sebagai laporan)" in text
    assert "Kode:" in text and code[1] in text
    # His own group's programme, not the other groups'.
    assert "Observasi layanan Kecamatan Pamulang" in text
    assert "Kecamatan Setu" not in text
    # The calendar still parses with three parsers, the iMIP layout holds, the PDF rides last.
    layout = [(p.get_content_type(), p.get_content_disposition()) for p in message.walk()]
    assert layout == [
        ("multipart/mixed", None),
        ("multipart/alternative", None),
        ("text/plain", None),
        ("text/html", None),
        ("text/calendar", None),
        ("application/ics", "attachment"),
        ("application/pdf", "attachment"),
    ]
    method, ics = calendar_part(message)
    assert method == "REQUEST" == str(Calendar.from_ical(ics)["METHOD"])
    assert vobject.readOne(ics.decode(), validate=True).vevent.uid.value
    assert IcsCalendarStream.calendar_from_ics(ics.decode()).events[0].uid


def test_every_letter_is_registered_once_and_a_retry_prints_the_same_letter(
    acara_env: Path, tmp_path: Path
) -> None:
    # The first attempt to Pamulang's office is refused for now (451), the second goes.
    with SmtpSink(fail_rcpt={PAMULANG: Refusal(451, times=1)}) as sink:
        event_id = import_example()
        invite(event_id)
        first = send(event_id, smtp(sink.url, tmp_path, max_attempts=1))
        assert first.retry == 1
        send(event_id, smtp(sink.url, tmp_path))
        received = sink.received_by(PAMULANG)
    assert len(received) == 1
    register = registered(event_id)
    assert len(register) == 34 == len({letter.message_id for letter in register})
    pamulang = next(letter for letter in register if letter.recipient == PAMULANG)
    assert the_letter(received[0].message())[0] == f"surat-undangan-{pamulang.code}.pdf"
    # Shown or printed again later: still the same letter.
    again = letter_of_message(pamulang.message_id)
    assert again.context["letter"]["code"] == pamulang.code
    assert len(registered(event_id)) == 34


def test_a_fan_out_over_many_chunks_issues_each_letter_once_while_marking_the_rows(
    acara_env: Path, tmp_path: Path
) -> None:
    # Chunks of 5: composing the next chunk (which issues letters) overlaps marking this one.
    with SmtpSink() as sink:
        event_id = import_example()
        invite(event_id)
        transport = smtp(sink.url, tmp_path)
        summary = deliver(
            event_id=event_id, purposes=invitations.CALENDAR_PURPOSES, transport=transport, chunk=5
        )
        assert (summary.sent, summary.failed, summary.retry) == (34, 0, 0)
        files = [the_letter(received.message())[0] for received in sink.messages]
    register = registered(event_id)
    assert sorted(files) == sorted(f"surat-undangan-{letter.code}.pdf" for letter in register)
    assert len(register) == 34


def test_a_stamped_letter_reads_as_the_full_render(acara_env: Path, tmp_path: Path) -> None:
    event_id = import_example()
    invite(event_id)
    with unit_of_work() as session:
        rows = session.exec(select(Message.id).where(Message.event_id == event_id)).all()
    for message_id in rows[:3]:
        sheet = letter_of_message(message_id)
        stamped = PdfReader(io.BytesIO(letter_pdf(sheet)))
        full = PdfReader(io.BytesIO(letters_pdf([sheet])))
        words = [
            sorted(" ".join(p.extract_text() for p in r.pages).split()) for r in (stamped, full)
        ]
        assert words[0] == words[1]


def test_updates_and_cancellations_get_letters_of_their_own(
    acara_env: Path, sink: SmtpSink, tmp_path: Path
) -> None:
    event_id = import_example()
    invite(event_id)
    transport = smtp(sink.url, tmp_path)
    send(event_id, transport)
    reschedule(event_id, days=1)
    send(event_id, transport)
    name, text = the_letter(sink.received_by(PAMULANG)[1].message())
    assert name.startswith("surat-perubahan-S")
    assert "Hal : Perubahan" in text and "Rabu, 9 Desember 2026" in text
    old = next(
        sent
        for sent in registered(event_id)
        if sent.recipient == PAMULANG and sent.kind == "invitation"
    )
    assert letters.check(old.code).standing is Standing.SUPERSEDED
    cancel(event_id, "Banjir")
    send(event_id, transport)
    name, text = the_letter(sink.received_by(PAMULANG)[2].message())
    assert name.startswith("surat-pembatalan-S") and "Banjir" in text
    assert letters.check(old.code).standing is Standing.CANCELLED


def test_the_english_fgd_letter_follows_english_business_form(
    acara_env: Path, sink: SmtpSink, tmp_path: Path
) -> None:
    event_id = import_example("fgd-halifax.yaml")
    invite(event_id)
    send(event_id, smtp(sink.url, tmp_path))
    _, text = the_letter(sink.received_by(GILBERT)[0].message())
    assert "Dear Prof. Mark Gilbert," in text
    assert "Yours sincerely," in text
    assert "Ref.: 000.1.2/0871-Prot/2026" in text
    assert "Yth." not in text and "di Tempat" not in text
    assert re.search(r"\d{1,2} December 2026", text)
    # The English title and programme, and times with their offset.
    assert "Focus Group Discussion: Public Service in Halifax and Tangerang" in text
    assert "Opening and welcome by the Acting Mayor of Tangerang" in text
    assert "09:00–12:00 WIB (UTC+7)" in text


def test_an_altered_code_is_refused(acara_env: Path, tmp_path: Path) -> None:
    event_id = import_example()
    invite(event_id)
    with unit_of_work() as session:
        message_id = session.exec(select(Message.id).where(Message.event_id == event_id)).first()
    assert message_id is not None
    code = letter_of_message(message_id).context["letter"]["code"]
    assert letters.check(code).standing is Standing.VALID
    assert letters.check(code.lower()).code == code  # typed in lower case: the same letter
    number, mac = code.split("-")
    for forged in (f"S{int(number[1:]) + 1}-{mac}", f"{number}-{mac[::-1]}", "S1-AAAAAAAA"):
        with pytest.raises(TokenInvalid):
            letters.check(forged)


@pytest.mark.parametrize(
    "name",
    [
        '<b>Deden</b> & "Juardi" <script>x</script>',  # markup stays text
        "Đặng Thị Ngọc Hân 😀",  # characters the stamp's font subset lacks: laid out in full
        "Deden " + "Juardi " * 40,  # more lines than the addressee's box: laid out in full
    ],
)
def test_a_hostile_or_unusual_name_is_printed_as_written(
    acara_env: Path, tmp_path: Path, name: str
) -> None:
    event_id = import_example()
    with unit_of_work() as session:
        person = session.exec(select(Person).where(Person.email == PAMULANG)).one()
        person.name = name
    invite(event_id)
    with unit_of_work() as session:
        message_id = session.exec(
            select(Message.id).where(Message.event_id == event_id, Message.recipient == PAMULANG)
        ).one()
    pdf = PdfReader(io.BytesIO(letter_pdf(letter_of_message(message_id))))
    text = " ".join(" ".join(page.extract_text() for page in pdf.pages).split())
    assert " ".join(name.split())[:40] in text
