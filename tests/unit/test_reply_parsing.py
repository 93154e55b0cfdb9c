"""The reader understands every client's reply shape, bounces, typed replies; it never raises."""

from __future__ import annotations

import pytest

from acara.messages.inbound import parse
from models.inbound import ReplyKind
from tests.replies_mail import CLIENTS, Answer, apple, dsn, gmail, outlook, thunderbird, typed

UID = "acara-event-7@tangerangkota.go.id"
ANSWER = Answer(UID, "Camat.Kumpeh@JambiProv.go.id", "Drs. Jajang Süryadi, M.Si.", sequence=2)


@pytest.mark.parametrize("client", sorted(CLIENTS))
def test_every_client_shape_gives_the_same_reply(client: str) -> None:
    mail = parse.read(CLIENTS[client](ANSWER))
    assert mail.kind is ReplyKind.CALENDAR, mail.problem
    assert mail.sender == "camat.kumpeh@jambiprov.go.id"
    reply = mail.calendar
    assert reply is not None
    assert (reply.method, reply.uid, reply.sequence) == ("REPLY", UID, 2)
    (attendee,) = reply.attendees
    assert attendee.email == "camat.kumpeh@jambiprov.go.id"  # MAILTO: and case folded
    assert attendee.partstat == "ACCEPTED"
    assert attendee.name == "Drs. Jajang Süryadi, M.Si."  # non-ASCII CN, quoted or not


def test_a_non_ascii_sender_name_is_decoded() -> None:
    assert parse.read(gmail(ANSWER)).sender_name == "Drs. Jajang Süryadi, M.Si."


def test_outlook_without_organizer_and_with_a_windows_zone_keeps_its_times() -> None:
    reply = parse.read(outlook(ANSWER)).calendar
    assert reply is not None and reply.start is not None
    assert reply.start.utcoffset().total_seconds() == 7 * 3600  # type: ignore[union-attr]
    assert reply.start.hour == 9


def test_apple_puts_method_only_in_the_attachment_body() -> None:
    raw = apple(ANSWER)
    assert b"method=" not in raw.lower().split(b"begin:vcalendar")[0]
    assert parse.read(raw).calendar.method == "REPLY"  # type: ignore[union-attr]


def test_a_delegation_names_the_delegate() -> None:
    delegating = Answer(
        UID, "camat.kumpeh@jambiprov.go.id", "Camat", delegate=("sekcam@x.id", "Sekcam")
    )
    reply = parse.read(thunderbird(delegating)).calendar
    assert reply is not None
    delegator = next(a for a in reply.attendees if a.partstat == "DELEGATED")
    assert delegator.delegated_to == ("sekcam@x.id",)
    assert {a.email for a in reply.attendees} == {"camat.kumpeh@jambiprov.go.id", "sekcam@x.id"}


def test_a_counter_proposal_carries_the_proposed_times() -> None:
    mail = parse.read(outlook(ANSWER, method="COUNTER"))
    assert mail.kind is ReplyKind.COUNTER
    assert mail.calendar is not None and mail.calendar.start is not None


def test_a_delivery_report_names_the_failed_address_and_the_original_message() -> None:
    mail = parse.read(dsn("salah@jambiprov.go.id", "5.1.1", "<acara.12.invitation@x.id>"))
    assert mail.kind is ReplyKind.BOUNCE
    (failure,) = mail.failures
    assert (failure.address, failure.status, failure.permanent) == (
        "salah@jambiprov.go.id",
        "5.1.1",
        True,
    )
    assert "<acara.12.invitation@x.id>" in mail.references


def test_a_typed_reply_keeps_its_own_words_without_the_quote() -> None:
    mail = parse.read(typed("camat@x.id", "Siap hadir, terima kasih."))
    assert mail.kind is ReplyKind.TYPED
    assert mail.excerpt == "Siap hadir, terima kasih."


def test_an_out_of_office_notice_is_automatic() -> None:
    mail = parse.read(typed("camat@x.id", "Saya sedang cuti sampai 5 Desember.", auto=True))
    assert mail.kind is ReplyKind.AUTOMATIC


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (thunderbird(ANSWER).replace(b"BEGIN:VEVENT", b"BEGIN:VEVENT\r\nEND:VCALENDAR"), "broken"),
        (thunderbird(ANSWER).replace(b"BEGIN:VEVENT", b"BEGIN:VTODO"), "no VEVENT"),
        (b"\x00\xff\xfe not mail at all", ""),
        (
            b"From: a@b.c\r\nContent-Type: text/calendar; method=REPLY\r\n\r\nBEGIN:VCALENDAR\r\n",
            "broken",
        ),
        (
            b"Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n" * 2000,
            "",
        ),
    ],
)
def test_broken_or_hostile_mail_never_raises(raw: bytes, problem: str) -> None:
    mail = parse.read(raw)
    assert mail.kind in (ReplyKind.MALFORMED, ReplyKind.TYPED, ReplyKind.CALENDAR)
    if problem:
        assert mail.kind is ReplyKind.MALFORMED and problem in mail.why


def test_a_broken_inline_calendar_falls_back_to_the_attached_copy() -> None:
    raw = gmail(ANSWER).replace(b"BEGIN:VEVENT", b"BEGIN:VEVENT\r\nEND:VCALENDAR", 1)
    assert parse.read(raw).kind is ReplyKind.CALENDAR


def test_a_message_too_large_to_read_is_set_aside_from_its_header() -> None:
    mail = parse.read(typed("big@x.id", "x"), size=31_000_000, too_large=True)
    assert mail.kind is ReplyKind.MALFORMED
    assert mail.why == "too large (31.0 MB)"
    assert mail.sender == "big@x.id"


def test_the_mailbox_is_read_every_five_minutes_on_jakarta_time() -> None:
    from acara.service import build_deployments

    built, missing = build_deployments()
    assert missing == []
    (schedule,) = {d.name: d for d in built}["read-replies"].schedules
    assert (schedule.schedule.cron, schedule.schedule.timezone) == ("*/5 * * * *", "Asia/Jakarta")


def test_the_mailbox_url_names_imaps_starttls_or_a_maildir(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from acara.messages.inbound.mailboxes import ImapMailbox, MaildirMailbox, mailbox_from_url

    imaps = mailbox_from_url("imaps://protokol%40kota.go.id:s3cret@mail.kota.go.id/Balasan")
    assert isinstance(imaps, ImapMailbox)
    assert (imaps.port, imaps.security, imaps.folder) == (993, "tls", "Balasan")
    assert imaps.username == "protokol@kota.go.id"
    starttls = mailbox_from_url("imap://mail.kota.go.id", username="u", password="p")
    assert isinstance(starttls, ImapMailbox) and (starttls.port, starttls.security) == (
        143,
        "starttls",
    )
    assert (
        starttls.name == "imap://u@mail.kota.go.id/INBOX"
    )  # no port: a switch reads nothing again
    assert isinstance(mailbox_from_url(f"maildir:{tmp_path}"), MaildirMailbox)
