"""Delivery against a real aiosmtpd server (tests/smtp_server.py) and a real maildir."""

from __future__ import annotations

import asyncio
import mailbox
import socket
from collections.abc import Iterator, Sequence
from email.parser import BytesParser
from email.policy import default as default_policy
from pathlib import Path

import pytest

from acara.messages.channels import (
    DeliveryResult,
    DeliveryStatus,
    Transport,
    TransportAuthError,
    TransportUnavailable,
)
from acara.messages.channels.email import transport_from_url
from acara.messages.channels.maildir import MaildirTransport
from acara.messages.channels.mime import message_id
from acara.messages.channels.smtp import SmtpTransport
from acara.messages.message import CalendarPart, ComposedMessage, Contact
from tests.smtp_server import Refusal, SmtpSink

DOMAIN = "acara.test"
ORGANIZER = Contact("Bagian Protokol Kota Tangerang", "protokol@tangerangkota.go.id")
ICS = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//acara//test//ID\r\nMETHOD:REQUEST\r\n"
    b"BEGIN:VEVENT\r\nUID:evt-3@acara.test\r\nSEQUENCE:0\r\nDTSTAMP:20241101T020000Z\r\n"
    b"DTSTART:20241114T020000Z\r\nDTEND:20241114T050000Z\r\nSUMMARY:FGD\r\n"
    b"END:VEVENT\r\nEND:VCALENDAR\r\n"
)


def invitation(n: int, method: str = "REQUEST", **changes: object) -> ComposedMessage:
    fields: dict[str, object] = {
        "key": f"evt-3/p-{n}/invitation/0",
        "sender": ORGANIZER,
        "recipient": Contact(f"Peserta Ñomor {n}", f"p{n}@example.org"),
        "subject": "Undangan: FGD Tangerang Live Room",
        "text": f"Yth. Peserta {n},\nDengan hormat ...\n",
        "html": f"<p>Yth. Peserta {n},</p>",
        "calendar": CalendarPart(ICS, method),
    }
    fields.update(changes)
    return ComposedMessage(**fields)  # type: ignore[arg-type]


def invitations(count: int) -> list[ComposedMessage]:
    return [invitation(n) for n in range(count)]


def smtp_to(sink: SmtpSink, **options: object) -> SmtpTransport:
    settings: dict[str, object] = {
        "security": "none",
        "workers": 4,
        "backoff": (0.01,),
        "timeout": 5,
        "domain": DOMAIN,
        "allow_plaintext_auth": True,  # the sink offers no TLS
    }
    settings.update(options)
    return SmtpTransport(sink.host, sink.port, **settings)  # type: ignore[arg-type]


def send(
    transport: Transport, messages: Sequence[ComposedMessage], seen: list[DeliveryResult]
) -> list[DeliveryResult]:
    return asyncio.run(transport.send_batch(messages, seen.append))


def by_status(results: Sequence[DeliveryResult], status: DeliveryStatus) -> set[str]:
    return {r.key for r in results if r.status is status}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    with SmtpSink() as server:
        yield server


def test_every_message_is_delivered_over_at_most_one_connection_per_worker(
    sink: SmtpSink,
) -> None:
    messages = invitations(40)
    seen: list[DeliveryResult] = []

    results = send(smtp_to(sink, workers=4), messages, seen)

    assert [r.key for r in results] == [m.key for m in messages]
    assert {r.status for r in results} == {DeliveryStatus.SENT}
    assert sorted(seen, key=lambda r: r.key) == sorted(results, key=lambda r: r.key)
    assert sink.count == 40
    assert sink.sessions <= 4
    for msg in messages:
        (received,) = sink.received_by(msg.recipient.email)
        assert received.mail_from == ORGANIZER.email
        assert received.message()["Message-ID"] == message_id(msg.key, DOMAIN)


def test_a_sent_result_carries_the_message_id_and_the_server_reply(sink: SmtpSink) -> None:
    (result,) = send(smtp_to(sink), [invitation(1)], [])

    assert result.smtp_message_id == message_id(invitation(1).key, DOMAIN)
    assert "queued as sink-1" in result.detail
    assert result.attempts == 1


def test_the_received_invitation_is_the_imip_message(sink: SmtpSink) -> None:
    send(smtp_to(sink), [invitation(1)], [])

    received = sink.messages[0].message()
    assert received.get_content_type() == "multipart/mixed"
    calendar = received.get_payload()[0].get_payload()[2]
    assert calendar.get_content_type() == "text/calendar"
    assert calendar.get_payload(decode=True) == ICS


def test_a_451_recipient_is_retried_and_delivered_exactly_once(sink: SmtpSink) -> None:
    busy = invitation(7)
    sink.fail_rcpt[busy.recipient.email] = Refusal(451, times=2)

    results = send(smtp_to(sink), [*invitations(5), busy], [])

    assert {r.status for r in results} == {DeliveryStatus.SENT}
    assert results[-1].attempts == 3
    assert sink.rcpt_attempts(busy.recipient.email) == 3
    assert len(sink.received_by(busy.recipient.email)) == 1


def test_a_recipient_refused_451_every_time_is_left_to_retry(sink: SmtpSink) -> None:
    busy = invitation(7)
    sink.fail_rcpt[busy.recipient.email] = 451

    (result,) = send(smtp_to(sink, max_attempts=3), [busy], [])

    assert result.status is DeliveryStatus.RETRY
    assert result.attempts == 3
    assert result.detail.startswith("451")
    assert sink.count == 0


def test_550_recipients_fail_and_the_others_are_sent(sink: SmtpSink) -> None:
    messages = invitations(10)
    gone = {messages[2].recipient.email, messages[5].recipient.email}
    for address in gone:
        sink.fail_rcpt[address] = Refusal(550, text="5.1.1 No such user")

    results = send(smtp_to(sink), messages, [])

    assert by_status(results, DeliveryStatus.FAILED) == {messages[2].key, messages[5].key}
    assert by_status(results, DeliveryStatus.SENT) == {m.key for m in messages} - {
        messages[2].key,
        messages[5].key,
    }
    assert all(
        r.detail == "550 5.1.1 No such user" and r.attempts == 1
        for r in results
        if r.status is DeliveryStatus.FAILED
    )
    assert sink.count == 8
    assert all(not sink.received_by(address) for address in gone)


def test_transient_data_failures_are_retried_until_delivered() -> None:
    messages = invitations(60)
    with SmtpSink(transient_rate=0.25, seed=11) as sink:
        results = send(smtp_to(sink, max_attempts=10), messages, [])

        assert {r.status for r in results} == {DeliveryStatus.SENT}
        assert sink.injected.get("data-421", 0) > 0 and sink.injected.get("data-451", 0) > 0
        assert all(len(sink.received_by(m.recipient.email)) == 1 for m in messages)


def test_dropped_connections_are_reopened_and_the_message_retried() -> None:
    messages = invitations(40)
    with SmtpSink(drop_rate=0.2, seed=5) as sink:
        results = send(smtp_to(sink, max_attempts=10), messages, [])

        assert {r.status for r in results} == {DeliveryStatus.SENT}
        assert sink.injected["drop"] > 0
        assert sink.sessions > 4  # reconnected
        assert all(len(sink.received_by(m.recipient.email)) == 1 for m in messages)


def test_a_server_that_is_down_raises_transport_unavailable() -> None:
    transport = SmtpTransport(
        "127.0.0.1", free_port(), security="none", backoff=(0.01,), domain=DOMAIN
    )
    seen: list[DeliveryResult] = []

    with pytest.raises(TransportUnavailable, match=r"127\.0\.0\.1"):
        send(transport, invitations(3), seen)
    assert seen == []


def test_wrong_credentials_raise_transport_auth_error() -> None:
    seen: list[DeliveryResult] = []
    with SmtpSink(require_auth=("acara", "rahasia")) as sink:
        with pytest.raises(TransportAuthError, match="535"):
            send(smtp_to(sink, username="acara", password="salah"), invitations(3), seen)

        assert sink.count == 0
    assert seen == []


def test_a_server_that_demands_a_login_we_lack_raises_transport_auth_error() -> None:
    seen: list[DeliveryResult] = []
    with SmtpSink(require_auth=("acara", "rahasia")) as sink:
        with pytest.raises(TransportAuthError, match="530"):
            send(smtp_to(sink), invitations(3), seen)

        assert sink.count == 0
    assert seen == []


def test_right_credentials_deliver() -> None:
    with SmtpSink(require_auth=("acara", "rahasia")) as sink:
        results = send(smtp_to(sink, username="acara", password="rahasia"), invitations(5), [])

        assert {r.status for r in results} == {DeliveryStatus.SENT}
        assert sink.count == 5


def test_credentials_refused_mid_batch_stop_it_and_report_only_what_was_sent() -> None:
    seen: list[DeliveryResult] = []
    with SmtpSink(require_auth=("acara", "rahasia")) as sink:

        def rotate_password_after_three(result: DeliveryResult) -> None:
            seen.append(result)
            if len(seen) == 3:
                sink.require_auth = ("acara", "baru")

        transport = smtp_to(
            sink, username="acara", password="rahasia", workers=2, max_per_connection=2
        )
        with pytest.raises(TransportAuthError):
            asyncio.run(transport.send_batch(invitations(20), rotate_password_after_three))

        assert {r.status for r in seen} == {DeliveryStatus.SENT}
        assert 3 <= len(seen) < 20
        assert sink.count == len(seen)
        assert {m.rcpt_tos[0] for m in sink.messages} == {
            invitation(int(r.key.split("/")[1][2:])).recipient.email for r in seen
        }


def test_a_server_lost_mid_batch_leaves_the_rest_to_retry() -> None:
    messages = invitations(30)
    seen: list[DeliveryResult] = []
    sink = SmtpSink().start()
    try:

        def pull_the_plug_after_five(result: DeliveryResult) -> None:
            seen.append(result)
            if len(seen) == 5:
                sink.stop()

        transport = smtp_to(sink, workers=3, max_attempts=3)
        results = asyncio.run(transport.send_batch(messages, pull_the_plug_after_five))
    finally:
        sink.stop()

    assert len(results) == 30 and sorted(seen, key=str) == sorted(results, key=str)
    sent = by_status(results, DeliveryStatus.SENT)
    assert 5 <= len(sent) < 30
    assert by_status(results, DeliveryStatus.RETRY) == {m.key for m in messages} - sent
    delivered = {m.rcpt_tos[0] for m in sink.messages}
    assert {invitation(int(k.split("/")[1][2:])).recipient.email for k in sent} <= delivered


def test_each_result_is_reported_as_soon_as_it_is_known() -> None:
    count_at_report: list[int] = []
    with SmtpSink(delay=0.02) as sink:
        transport = smtp_to(sink, workers=1)
        asyncio.run(
            transport.send_batch(invitations(5), lambda r: count_at_report.append(sink.count))
        )

    assert count_at_report == [1, 2, 3, 4, 5]


def test_an_async_on_result_is_awaited(sink: SmtpSink) -> None:
    recorded: list[str] = []

    async def record(result: DeliveryResult) -> None:
        await asyncio.sleep(0)
        recorded.append(result.key)

    asyncio.run(smtp_to(sink).send_batch(invitations(6), record))

    assert sorted(recorded) == sorted(m.key for m in invitations(6))


def test_an_error_in_on_result_stops_the_batch(sink: SmtpSink) -> None:
    calls: list[DeliveryResult] = []

    def fail_on_third(result: DeliveryResult) -> None:
        calls.append(result)
        if len(calls) == 3:
            raise RuntimeError("database gone")

    with pytest.raises(RuntimeError, match="database gone"):
        asyncio.run(smtp_to(sink, workers=2).send_batch(invitations(30), fail_on_third))

    # The other worker may finish the message it was sending; then everyone stops.
    assert 3 <= sink.count <= 4
    assert len(calls) <= 4


def test_a_message_that_cannot_be_built_fails_alone(sink: SmtpSink) -> None:
    broken = invitation(3, method="CANCEL")

    results = send(smtp_to(sink), [invitation(1), broken, invitation(2)], [])

    assert [r.status for r in results] == [
        DeliveryStatus.SENT,
        DeliveryStatus.FAILED,
        DeliveryStatus.SENT,
    ]
    assert "invalid message" in results[1].detail and results[1].attempts == 0
    assert sink.count == 2


def test_an_empty_batch_opens_no_connection(sink: SmtpSink) -> None:
    assert send(smtp_to(sink), [], []) == []
    assert sink.sessions == 0


def test_a_session_cap_reconnects_without_losing_messages(sink: SmtpSink) -> None:
    results = send(smtp_to(sink, workers=1, max_per_connection=3), invitations(10), [])

    assert {r.status for r in results} == {DeliveryStatus.SENT}
    assert sink.sessions == 4 and sink.count == 10


def test_the_maildir_transport_writes_readable_eml_files(tmp_path: Path) -> None:
    root = tmp_path / "outbox"
    messages = invitations(3)
    seen: list[DeliveryResult] = []

    results = send(MaildirTransport(root, domain=DOMAIN), messages, seen)

    assert seen == results
    assert {r.status for r in results} == {DeliveryStatus.SENT}
    files = sorted((root / "new").iterdir())
    assert len(files) == 3 and all(f.suffix == ".eml" for f in files)
    assert list((root / "tmp").iterdir()) == []
    parsed = BytesParser(policy=default_policy).parsebytes(files[0].read_bytes())
    assert parsed.get_content_type() == "multipart/mixed"
    assert {str(m["Message-ID"]) for m in mailbox.Maildir(root, create=False)} == {
        message_id(m.key, DOMAIN) for m in messages
    }
    assert [r.smtp_message_id for r in results] == [message_id(m.key, DOMAIN) for m in messages]


def test_the_maildir_replaces_a_resent_message_instead_of_duplicating_it(tmp_path: Path) -> None:
    transport = MaildirTransport(tmp_path / "outbox", domain=DOMAIN)

    send(transport, [invitation(1)], [])
    send(transport, [invitation(1, subject="Undangan (ralat)")], [])

    (only,) = (tmp_path / "outbox" / "new").iterdir()
    assert only == transport.path_for(invitation(1).key)
    assert "ralat" in only.read_text()


def test_the_maildir_fails_only_the_message_that_cannot_be_built(tmp_path: Path) -> None:
    results = send(MaildirTransport(tmp_path, domain=DOMAIN), [invitation(1, method="X")], [])

    assert results[0].status is DeliveryStatus.FAILED


def test_no_url_means_the_maildir(tmp_path: Path) -> None:
    for url in (None, ""):
        transport = transport_from_url(url, maildir=tmp_path)
        assert isinstance(transport, MaildirTransport)
        assert transport.describe() == f"maildir {tmp_path}"


def test_an_smtp_url_gives_opportunistic_starttls_and_decoded_credentials(tmp_path: Path) -> None:
    transport = transport_from_url(
        "smtp://mailer:p%40ss%3Aw@mail.example.org:587", maildir=tmp_path
    )

    assert isinstance(transport, SmtpTransport)
    assert (transport.host, transport.port, transport.security) == (
        "mail.example.org",
        587,
        "starttls",
    )
    assert (transport.username, transport.password) == ("mailer", "p@ss:w")
    assert transport.describe() == "smtp://mailer@mail.example.org:587"


def test_an_smtps_url_gives_implicit_tls_on_port_465(tmp_path: Path) -> None:
    transport = transport_from_url(
        "smtps://mail.example.org", maildir=tmp_path, username="u", password="rahasia", workers=2
    )

    assert isinstance(transport, SmtpTransport)
    assert (transport.port, transport.security, transport.workers) == (465, "tls", 2)
    assert (transport.username, transport.password) == ("u", "rahasia")
    assert transport.describe() == "smtps://u@mail.example.org:465"


def test_a_url_can_turn_tls_off(tmp_path: Path) -> None:
    transport = transport_from_url("smtp://127.0.0.1:2525?security=none", maildir=tmp_path)

    assert isinstance(transport, SmtpTransport) and transport.security == "none"


@pytest.mark.parametrize(
    "url", ["http://mail.example.org", "smtp://", "smtp://host:notaport", "smtp://h?security=x"]
)
def test_a_bad_mail_url_is_refused(url: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        transport_from_url(url, maildir=tmp_path)


def test_a_url_sends_through_the_sink(sink: SmtpSink, tmp_path: Path) -> None:
    transport = transport_from_url(sink.url, maildir=tmp_path, domain=DOMAIN)

    results = send(transport, invitations(3), [])

    assert {r.status for r in results} == {DeliveryStatus.SENT}
    assert sink.count == 3


def test_a_reply_lost_after_the_server_accepted_costs_one_duplicate_not_a_lost_message() -> None:
    with SmtpSink(drop_rate=0.5, drop_after_accept=True, seed=3) as sink:
        results = send(smtp_to(sink, workers=1, max_attempts=10), invitations(10), [])

        assert {r.status for r in results} == {DeliveryStatus.SENT}
        copies = [len(sink.received_by(m.recipient.email)) for m in invitations(10)]
        # Every drop after acceptance makes the retry a duplicate; SMTP cannot avoid it,
        # the stable Message-ID lets the recipient's client fold them into one.
        assert sum(copies) == 10 + sink.injected["drop"]
        assert all(c >= 1 for c in copies)


def test_the_sink_in_discard_mode_counts_without_keeping_bodies() -> None:
    with SmtpSink(discard=True) as sink:
        send(smtp_to(sink), invitations(5), [])

        assert sink.count == 5
        assert {m.data for m in sink.messages} == {b""}
        assert len(sink.received_by(invitation(3).recipient.email)) == 1


def test_the_sink_forgets_and_reseeds_on_reset(sink: SmtpSink) -> None:
    sink.refuse(invitation(1).recipient.email, 451, times=1)
    send(smtp_to(sink), invitations(3), [])
    sink.reset()

    assert (sink.count, sink.sessions, sink.injected) == (0, 0, {})
    assert sink.rcpt_attempts(invitation(1).recipient.email) == 0
    send(smtp_to(sink), [invitation(1)], [])
    assert sink.injected == {"rcpt-451": 1}  # the refusal applies afresh
    assert sink.wait_for(1, timeout=1)
