"""Invitations, updates and cancellations through the outbox to a real SMTP server (aiosmtpd on
127.0.0.1), on SQLite and PostgreSQL: what participants receive, and that each gets it once."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.policy import compat32
from pathlib import Path
from typing import Any

import pytest
import vobject
from ical.calendar_stream import IcsCalendarStream
from icalendar import Calendar
from sqlmodel import col, select

from acara.db import unit_of_work
from acara.eventfile import read_event_file
from acara.messages.channels import Transport
from acara.messages.channels.email import transport_from_url
from acara.messages.delivery import DeliverySummary, SmtpLoginRefused, SmtpUnreachable, deliver
from acara.stages import invitations, planning
from models import lifecycle
from models.event import Event
from models.outbox import Message
from models.people import Participant, Person
from models.plan import ParticipantSpec
from models.planning import import_event
from models.roster import Row, add_participants
from tests.conftest import EXAMPLES
from tests.smtp_server import Refusal, SmtpSink

JAMBI = "kunjungan-camat-jambi.yaml"
MOU = "penandatanganan-mou-ombudsman.yaml"


# --- helpers -----------------------------------------------------------------------------


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    with SmtpSink() as server:
        yield server


def smtp(url: str, tmp_path: Path, **options: Any) -> Transport:
    """acara's SMTP transport with a short back-off, so retries fit in a test."""
    settings = {
        "backoff": (0.02, 0.05),
        "max_attempts": 3,
        "workers": 4,
        "allow_plaintext_auth": True,  # the test sink offers no TLS
        **options,
    }
    return transport_from_url(
        url, maildir=tmp_path / "unused", domain="tangerangkota.go.id", **settings
    )


def import_example(name: str = JAMBI, **changes: Any) -> int:
    spec, rows = read_event_file(EXAMPLES / name)
    if changes:
        spec = spec.model_copy(update=changes)
    with unit_of_work() as session:
        return import_event(session, spec, rows, actor="test").event_id


def invite(event_id: int) -> int:
    return invitations.owe_invitations(event_id, actor="test").messages


def cancel(event_id: int, reason: str) -> int:
    """Cancel as the cancel-event flow does (no reaction here); how many are owed the news."""
    return planning.cancel(event_id, reason=reason, actor="test", react=False).plan.recipients


def send(event_id: int, transport: Transport) -> DeliverySummary:
    return deliver(event_id=event_id, purposes=invitations.CALENDAR_PURPOSES, transport=transport)


def statuses(event_id: int) -> Counter[str]:
    with unit_of_work() as session:
        rows = session.exec(select(Message.status).where(Message.event_id == event_id)).all()
    return Counter(str(status) for status in rows)


def participants_of(event_id: int) -> list[str]:
    with unit_of_work() as session:
        return sorted(
            session.exec(
                select(Person.email)
                .join(Participant, col(Participant.person_id) == Person.id)
                .where(Participant.event_id == event_id)
            ).all()
        )


def event_row(event_id: int) -> Event:
    with unit_of_work() as session:
        event = session.get(Event, event_id)
        assert event is not None
        return event


def per_recipient(sink: SmtpSink) -> Counter[str]:
    return Counter(address.lower() for r in sink.messages for address in r.rcpt_tos)


def calendar_part(message: EmailMessage) -> tuple[str, bytes]:
    """(method parameter of the inline text/calendar part, its bytes)."""
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            return part.get_param("method"), part.get_payload(decode=True)
    raise AssertionError("no text/calendar part")


def ics_of(message: EmailMessage) -> Calendar:
    return Calendar.from_ical(calendar_part(message)[1])


def text_of(message: EmailMessage, subtype: str = "plain") -> str:
    for part in message.walk():
        if part.get_content_type() == f"text/{subtype}":
            return part.get_content()
    raise AssertionError(f"no text/{subtype} part")


def message_to(sink: SmtpSink, address: str, index: int = 0) -> EmailMessage:
    return sink.received_by(address)[index].message()


def rfc2047(header: str, received: Any) -> str:
    """A header decoded as RFC 2047 says (the stdlib's address parser adds spaces between
    encoded words, which mail programs do not)."""
    raw = message_from_bytes(received.data, policy=compat32)[header]
    return str(make_header(decode_header(raw)))


def unfolded(ics: bytes) -> list[str]:
    return ics.decode().replace("\r\n ", "").split("\r\n")


# --- what a participant receives -------------------------------------------------------


def test_each_participant_gets_one_message_in_the_imip_mime_layout(
    acara_env: Path, sink: SmtpSink, tmp_path: Path
) -> None:
    event_id = import_example()
    assert invite(event_id) == 34
    summary = send(event_id, smtp(sink.url, tmp_path))
    assert (summary.sent, summary.failed, summary.retry) == (34, 0, 0)
    assert per_recipient(sink) == Counter(dict.fromkeys(participants_of(event_id), 1))
    for received in sink.messages:
        message = received.message()
        layout = [
            (part.get_content_type(), part.get_content_disposition()) for part in message.walk()
        ]
        assert layout == [
            ("multipart/mixed", None),
            ("multipart/alternative", None),
            ("text/plain", None),
            ("text/html", None),
            ("text/calendar", None),
            ("application/ics", "attachment"),
            ("application/pdf", "attachment"),  # the official letter (tests/.../test_letters.py)
        ]
        method, ics = calendar_part(message)
        assert method == "REQUEST" == str(Calendar.from_ical(ics)["METHOD"])
        assert "METHOD:REQUEST" in unfolded(ics)
        attachment = next(p for p in message.walk() if p.get_content_type() == "application/ics")
        assert attachment.get_payload(decode=True) == ics
        # The visit is hosted by Kota Tangerang Selatan: its mailbox sends and organises.
        sender = message["From"].addresses[0]
        assert sender.addr_spec == "protokol@tangerangselatankota.go.id"
        assert sender.display_name.endswith("Setda Kota Tangerang Selatan")
        organizer = ics_of(message).events[0]["ORGANIZER"]
        assert str(organizer).lower() == "mailto:protokol@tangerangselatankota.go.id"
        assert organizer.params["CN"] == sender.display_name
    assert statuses(event_id) == {"sent": 34}


def test_the_letter_is_official_personal_and_in_indonesian(
    acara_env: Path, sink: SmtpSink, tmp_path: Path
) -> None:
    event_id = import_example()
    invite(event_id)
    send(event_id, smtp(sink.url, tmp_path))
    message = message_to(sink, "camat.pamulang@tangerangselatankota.go.id")
    text, html = text_of(message).replace("\r\n", "\n"), text_of(message, "html")
    assert message["Subject"].startswith("Undangan: Kunjungan Kerja Camat se-Provinsi Jambi")
    # The host's kop, its address, and its city on the date line.
    assert text.startswith("PEMERINTAH KOTA TANGERANG SELATAN\nSEKRETARIAT DAERAH\nJl. Raya Maruga")
    assert re.search(r"^Tangerang Selatan, \d{1,2} \w+ 20\d\d$", text, re.MULTILINE)
    assert "PEMERINTAH KOTA TANGERANG SELATAN" in html and "tangerangselatankota.go.id" in html
    assert "Setda Kota Tangerang\n" not in text and "tangerangkota.go.id" not in text
    assert "Nomor : 005/1123-Prot/2026" in text
    assert "Perihal : Kunjungan Kerja Diklat Kepemimpinan Camat Provinsi Jambi" in text
    assert "Yth. Bapak Deden Juardi, S.STP., M.Si." in text
    assert "Selasa, 8 Desember 2026" in text and "08.30–15.30 WIB" in text
    # His own group's session at his office, and not the other groups'.
    assert "Observasi layanan Kecamatan Pamulang" in text
    assert "Aula Kecamatan Pamulang, Kantor Kecamatan Pamulang" in text
    assert "Kecamatan Setu" not in text
    links = re.findall(r"http://127\.0\.0\.1:8000/rsvp/([\w.-]+)\?answer=(\w+)", text)
    assert {answer for _, answer in links} == {"accept", "decline", "represent"}
    assert len({token for token, _ in links}) == 1 and links[0][0] in html


def test_the_ics_is_accepted_by_icalendar_vobject_and_ical(
    acara_env: Path, sink: SmtpSink, tmp_path: Path
) -> None:
    event_id = import_example()
    invite(event_id)
    send(event_id, smtp(sink.url, tmp_path))
    event = event_row(event_id)
    for received in sink.messages[:5]:
        _, ics = calendar_part(received.message())
        text = ics.decode()
        parsed = Calendar.from_ical(ics).events[0]
        validated = vobject.readOne(text, validate=True)
        stream = IcsCalendarStream.calendar_from_ics(text)
        assert str(parsed["UID"]) == validated.vevent.uid.value == stream.events[0].uid
        assert str(parsed["UID"]) == event.calendar_uid
        assert validated.vevent.dtstart.value.astimezone(UTC) == event.starts_at
        assert stream.events[0].dtstart.astimezone(UTC) == event.starts_at
        attendees = parsed.get("ATTENDEE")
        assert str(attendees).lower() == f"mailto:{received.rcpt_tos[0].lower()}"
        assert attendees.params["RSVP"] == "TRUE" and "VALARM" in text


@pytest.mark.parametrize(("zone", "label"), [("WIB", "Asia/Jakarta"), ("WITA", "Asia/Makassar")])
def test_times_round_trip_in_the_events_own_zone(
    acara_env: Path, sink: SmtpSink, tmp_path: Path, zone: str, label: str
) -> None:
    event_id = import_example(MOU, timezone=zone)
    invite(event_id)
    send(event_id, smtp(sink.url, tmp_path))
    message = message_to(sink, "banten@ombudsman.go.id")
    event = ics_of(message).events[0]
    assert str(event["DTSTART"].params["TZID"]) == label
    assert event.start == datetime(2027, 1, 7, 10, 0, tzinfo=event.start.tzinfo)
    assert event.start.utcoffset() == timedelta(hours=7 if zone == "WIB" else 8)
    assert event.start.astimezone(UTC) == event_row(event_id).starts_at
    assert "VTIMEZONE" in calendar_part(message)[1].decode()
    assert f"10.00–11.30 {zone}" in text_of(message)
    assert "Kamis, 7 Januari 2027" in text_of(message)


def add_people(event_id: int, *specs: ParticipantSpec) -> None:
    with unit_of_work() as session:
        event = session.get(Event, event_id)
        assert event is not None
        add_participants(session, event, [Row(f"row {n}", s) for n, s in enumerate(specs)])


def test_non_ascii_names_survive_in_headers_cn_and_body(
    acara_env: Path, sink: SmtpSink, tmp_path: Path
) -> None:
    event_id = import_example(MOU)
    name = "Prof. Dr. Ir. Hj. Siti Nurhaliza Ängström-Đặng, M.Sc."
    add_people(
        event_id,
        ParticipantSpec(name=name, email="siti@example.org", salutation="Ibu", language="en"),
    )
    invite(event_id)
    send(event_id, smtp(sink.url, tmp_path))
    message = message_to(sink, "siti@example.org")
    assert rfc2047("To", sink.received_by("siti@example.org")[0]) == f"{name} <siti@example.org>"
    attendee = ics_of(message).events[0]["ATTENDEE"]
    assert attendee.params["CN"] == name
    assert vobject.readOne(calendar_part(message)[1].decode(), validate=True)
    assert f"To: {name}" in text_of(message)  # an English letter
    assert "Dear Prof. Dr. Ir. Hj. Siti Nurhaliza Ängström-Đặng," in text_of(message)
    assert "Ängström-Đặng" in text_of(message, "html")
    assert message["Subject"].startswith("Invitation: ")


def test_html_or_crlf_in_a_name_injects_neither_markup_nor_headers(
    acara_env: Path, db_url: str, sink: SmtpSink, tmp_path: Path
) -> None:
    event_id = import_example(MOU)
    hostile = 'Budi <script>alert(1)</script>\r\nBcc: evil@example.org\r\n\r\n<a href="x">'
    # Straight into the tables, past the event file's checks: the letters must still be safe.
    with unit_of_work() as session:
        person = Person(email="budi@example.org", name=hostile, salutation="Bapak\r\nX-Evil: 1")
        session.add(person)
        session.flush()
        session.add(Participant(event_id=event_id, person_id=person.id))
    invite(event_id)
    summary = send(event_id, smtp(sink.url, tmp_path))
    assert summary.failed == 0 and summary.sent == 9
    assert "evil@example.org" not in per_recipient(sink)
    received = sink.received_by("budi@example.org")
    assert len(received) == 1 and received[0].rcpt_tos == ("budi@example.org",)
    message = received[0].message()
    assert message["Bcc"] is None and message["X-Evil"] is None
    head = received[0].data.split(b"\r\n\r\n", 1)[0]
    assert not re.search(rb"^(Bcc|X-Evil):", head, re.MULTILINE)
    html = text_of(message, "html")
    assert "<script>" not in html and '<a href="x">' not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    ics = calendar_part(message)[1]
    assert not [line for line in unfolded(ics) if line.startswith(("Bcc", "X-Evil"))]
    vobject.readOne(ics.decode(), validate=True)
    IcsCalendarStream.calendar_from_ics(ics.decode())


# --- later changes: same calendar entry -----------------------------------------------------


def test_update_and_cancellation_keep_the_uid_with_a_strictly_higher_sequence(
    acara_env: Path, sink: SmtpSink, tmp_path: Path
) -> None:
    event_id = import_example()
    invite(event_id)
    transport = smtp(sink.url, tmp_path)
    send(event_id, transport)
    with unit_of_work() as session:
        event = session.get(Event, event_id)
        assert event is not None
        new_start = event.starts_at + timedelta(days=1)
        lifecycle.reschedule(session, event, new_start, actor="test")
    assert invitations.owe_changes(event_id).messages == 34
    assert send(event_id, transport).sent == 34
    assert cancel(event_id, "Banjir di lokasi") == 34
    assert send(event_id, transport).sent == 34
    for address in participants_of(event_id):
        got = [r.message() for r in sink.received_by(address)]
        calendars = [ics_of(m) for m in got]
        events = [c.events[0] for c in calendars]
        assert [str(c["METHOD"]) for c in calendars] == ["REQUEST", "REQUEST", "CANCEL"]
        assert [calendar_part(m)[0] for m in got] == ["REQUEST", "REQUEST", "CANCEL"]
        assert len({str(e["UID"]) for e in events}) == 1
        assert [int(e["SEQUENCE"]) for e in events] == [0, 1, 2]
        assert events[1].start.astimezone(UTC) == new_start
        assert str(events[2]["STATUS"]) == "CANCELLED"
        assert "Banjir di lokasi" in text_of(got[2])
        assert got[1]["Subject"].startswith("Perubahan jadwal: ")
    assert statuses(event_id) == {"sent": 34 * 3}


def test_a_change_of_room_in_a_reimported_file_sends_an_update_with_the_new_place(
    acara_env: Path, sink: SmtpSink, tmp_path: Path
) -> None:
    event_id = import_example(MOU)
    invite(event_id)
    transport = smtp(sink.url, tmp_path)
    send(event_id, transport)
    spec, rows = read_event_file(EXAMPLES / MOU)
    venue = spec.venues[0]
    moved = venue.model_copy(
        update={
            "rooms": [*venue.rooms, venue.rooms[0].model_copy(update={"name": "Aula Al-Amanah"})]
        }
    )
    agenda = [
        day.model_copy(
            update={
                "sessions": [s.model_copy(update={"room": "Aula Al-Amanah"}) for s in day.sessions]
            }
        )
        for day in spec.agenda
    ]
    with unit_of_work() as session:
        result = import_event(
            session,
            spec.model_copy(update={"venues": [moved], "agenda": agenda}),
            rows,
            actor="test",
        )
    assert result.rescheduled
    assert invitations.owe_changes(event_id).messages == 8
    assert send(event_id, transport).sent == 8
    update = message_to(sink, "banten@ombudsman.go.id", 1)
    event = ics_of(update).events[0]
    assert int(event["SEQUENCE"]) == 1 and "Aula Al-Amanah" in str(event["LOCATION"])
    assert "Aula Al-Amanah" in text_of(update)


def test_participants_added_later_get_only_their_invitation(
    acara_env: Path, sink: SmtpSink, tmp_path: Path
) -> None:
    event_id = import_example(MOU)
    transport = smtp(sink.url, tmp_path)
    invite(event_id)
    send(event_id, transport)
    add_people(
        event_id,
        ParticipantSpec(name="Dewi Lestari, S.E.", email="dewi@example.org", salutation="Ibu"),
        ParticipantSpec(name="Agus Salim", email="agus@example.org", salutation="Bapak"),
    )
    assert invite(event_id) == 2
    summary = send(event_id, transport)
    assert (summary.sent, summary.skipped) == (2, 8)
    assert per_recipient(sink) == Counter(dict.fromkeys(participants_of(event_id), 1))
    assert invite(event_id) == 0 and send(event_id, transport).sent == 0


def test_someone_added_after_a_reschedule_is_invited_at_the_new_sequence_only(
    acara_env: Path, sink: SmtpSink, tmp_path: Path
) -> None:
    event_id = import_example(MOU)
    transport = smtp(sink.url, tmp_path)
    invite(event_id)
    send(event_id, transport)
    with unit_of_work() as session:
        event = session.get(Event, event_id)
        assert event is not None
        lifecycle.reschedule(session, event, event.starts_at + timedelta(hours=2), actor="test")
    add_people(event_id, ParticipantSpec(name="Agus Salim", email="agus@example.org"))
    assert invite(event_id) == 1 + 8  # the newcomer's invitation and everyone else's update
    send(event_id, transport)
    got = [ics_of(r.message()).events[0] for r in sink.received_by("agus@example.org")]
    assert [int(e["SEQUENCE"]) for e in got] == [1]


def test_a_cancellation_reaches_only_those_who_were_invited(
    acara_env: Path, sink: SmtpSink, tmp_path: Path
) -> None:
    event_id = import_example(MOU)
    invite(event_id)
    assert cancel(event_id, "Ditunda") == 0
    assert send(event_id, smtp(sink.url, tmp_path)).sent == 0
    assert sink.count == 0
    assert statuses(event_id) == {"superseded": 8}


# --- the SMTP server misbehaves -------------------------------------------------------------


def test_451_answers_are_retried_and_delivered(
    acara_env: Path, sink: SmtpSink, tmp_path: Path
) -> None:
    event_id = import_example(MOU)
    busy = ["banten@ombudsman.go.id", "sekda@tangerangkota.go.id"]
    sink.fail_rcpt = {address: Refusal(451, times=2) for address in busy}
    invite(event_id)
    summary = send(event_id, smtp(sink.url, tmp_path))
    assert (summary.sent, summary.failed, summary.retry) == (8, 0, 0)
    assert all(sink.rcpt_attempts(address) == 3 for address in busy)
    assert per_recipient(sink) == Counter(dict.fromkeys(participants_of(event_id), 1))
    assert statuses(event_id) == {"sent": 8}
    with unit_of_work() as session:
        row = session.exec(select(Message).where(Message.recipient == busy[0])).one()
    assert row.attempts == 1 and row.sent_at is not None  # one claim; the 451s inside it
    assert abs(row.sent_at - datetime.now(UTC)) < timedelta(minutes=5)
    assert row.smtp_message_id == message_to(sink, busy[0])["Message-ID"]


def test_550_fails_exactly_those_recipients_and_the_summary_names_them(
    acara_env: Path, sink: SmtpSink, tmp_path: Path
) -> None:
    event_id = import_example(MOU)
    gone = {"redaksi@satelitnews.example", "asisten.pvl@ombudsman.go.id"}
    sink.fail_rcpt = {address: 550 for address in gone}
    invite(event_id)
    summary = send(event_id, smtp(sink.url, tmp_path))
    assert (summary.sent, summary.failed) == (6, 2)
    assert {f.recipient for f in summary.failures} == gone
    assert all(f.reason.startswith("550") for f in summary.failures)
    assert set(per_recipient(sink)) == set(participants_of(event_id)) - gone
    assert statuses(event_id) == {"sent": 6, "failed_permanent": 2}
    # Running again sends nothing more: a 550 is final.
    assert send(event_id, smtp(sink.url, tmp_path)).attempted == 0


def test_a_server_that_is_down_gives_a_clear_error_and_a_later_run_delivers_everything(
    acara_env: Path, tmp_path: Path
) -> None:
    event_id = import_example(MOU)
    invite(event_id)
    server = SmtpSink()
    server.start()
    url = server.url
    server.stop()  # nobody listens on that port now
    with pytest.raises(SmtpUnreachable) as stopped:
        send(event_id, smtp(url, tmp_path))
    assert "Cannot reach the mail server" in str(stopped.value)
    assert "8 not sent stay queued" in str(stopped.value)
    assert stopped.value.summary.sent == 0
    assert statuses(event_id) == {"queued": 8}
    with SmtpSink(port=int(url.rsplit(":", 1)[1])) as back:
        summary = send(event_id, smtp(back.url, tmp_path))
        assert summary.sent == 8
        assert per_recipient(back) == Counter(dict.fromkeys(participants_of(event_id), 1))
    assert statuses(event_id) == {"sent": 8}


def test_a_refused_login_stops_the_run_and_nothing_is_marked_sent(
    acara_env: Path, tmp_path: Path
) -> None:
    event_id = import_example(MOU)
    invite(event_id)
    with SmtpSink(require_auth=("protokol", "rahasia")) as server:
        wrong = smtp(server.url, tmp_path, username="protokol", password="salah")
        with pytest.raises(SmtpLoginRefused) as stopped:
            send(event_id, wrong)
        assert "refused the login" in str(stopped.value)
        assert "ACARA_SMTP_PASSWORD" in str(stopped.value)
        assert server.count == 0 and statuses(event_id) == {"queued": 8}
        right = smtp(server.url, tmp_path, username="protokol", password="rahasia")
        assert send(event_id, right).sent == 8


def test_a_rerun_after_a_partial_run_sends_only_what_is_missing(
    acara_env: Path, sink: SmtpSink, tmp_path: Path
) -> None:
    event_id = import_example()
    busy = {"camat.kumpeh@jambiprov.go.id", "humas@tangerangselatankota.go.id"}
    sink.fail_rcpt = {address: 451 for address in busy}  # busy for the whole first run
    invite(event_id)
    transport = smtp(sink.url, tmp_path)
    first = send(event_id, transport)
    assert (first.sent, first.retry) == (32, 2)
    assert {r.recipient for r in first.retries} == busy
    assert statuses(event_id) == {"sent": 32, "failed_retryable": 2}
    sink.fail_rcpt = {}
    second = send(event_id, transport)
    assert (second.sent, second.skipped) == (2, 32)
    assert per_recipient(sink) == Counter(dict.fromkeys(participants_of(event_id), 1))
    assert statuses(event_id) == {"sent": 34}


def test_a_participant_removed_after_being_owed_a_message_is_not_sent_anything(
    acara_env: Path, sink: SmtpSink, tmp_path: Path
) -> None:
    event_id = import_example(MOU)
    invite(event_id)
    with unit_of_work() as session:
        person = session.exec(select(Person).where(Person.email == "banten@ombudsman.go.id")).one()
        participant = session.exec(
            select(Participant).where(Participant.person_id == person.id)
        ).one()
        message = session.exec(select(Message).where(Message.recipient == person.email)).one()
        message.participant_id = None
        session.add(message)
        session.flush()
        session.delete(participant)
    summary = send(event_id, smtp(sink.url, tmp_path))
    assert (summary.sent, summary.failed, summary.superseded) == (7, 0, 1)
    assert "banten@ombudsman.go.id" not in per_recipient(sink)
    assert statuses(event_id) == {"sent": 7, "superseded": 1}


def test_the_maildir_holds_one_real_message_file_per_participant(acara_env: Path) -> None:
    event_id = import_example(MOU)
    invite(event_id)
    summary = deliver(event_id=event_id)  # no ACARA_SMTP_URL: the maildir in the data folder
    assert summary.sent == 8 and summary.destination.startswith("maildir ")
    files = sorted((acara_env / "outbox" / "new").glob("*.eml"))
    assert len(files) == 8
    from email import message_from_bytes, policy

    message = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert message.get_content_type() == "multipart/mixed"
    assert deliver(event_id=event_id).skipped == 8


class _ReschedulesAfterFirstBatch:
    """A transport that lets the officer move the event while the run is still sending."""

    def __init__(self, inner: Transport, event_id: int, new_start: datetime) -> None:
        self.inner, self.event_id, self.new_start, self.moved = inner, event_id, new_start, False

    def describe(self) -> str:
        return self.inner.describe()

    async def send_batch(self, messages: Any, on_result: Any = None) -> Any:
        results = await self.inner.send_batch(messages, on_result)
        if not self.moved:
            self.moved = True
            with unit_of_work() as session:
                event = session.get(Event, self.event_id)
                assert event is not None
                lifecycle.reschedule(session, event, self.new_start, actor="officer")
            invitations.owe_changes(self.event_id)
        return results


def test_a_reschedule_during_a_long_run_reaches_everyone_with_the_new_time(
    acara_env: Path, sink: SmtpSink, tmp_path: Path
) -> None:
    event_id = import_example()
    invite(event_id)
    new_start = event_row(event_id).starts_at + timedelta(days=2)
    transport = _ReschedulesAfterFirstBatch(smtp(sink.url, tmp_path), event_id, new_start)
    deliver(event_id=event_id, transport=transport, chunk=5)
    assert transport.moved
    for address in participants_of(event_id):
        events = [ics_of(r.message()).events[0] for r in sink.received_by(address)]
        latest = max(events, key=lambda e: int(e["SEQUENCE"]))
        assert latest.start.astimezone(UTC) == new_start, address
        assert len(events) in (1, 2)
    assert statuses(event_id)["sent"] == sum(
        len(sink.received_by(a)) for a in participants_of(event_id)
    )
