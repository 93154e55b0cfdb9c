"""Replies read back from a maildir and from a real Dovecot, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import mailbox
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, col, func, select
from typer.testing import CliRunner

from acara.cli import app
from acara.messages.inbound.mailboxes import ImapMailbox, MaildirMailbox
from acara.settings import get_settings
from acara.stages import replies
from models.audit import DomainEvent
from models.event import Event
from models.events import InvitationAnswered
from models.inbound import InboundMessage, ReplyKind, ReplyOutcome
from models.outbox import Message, MessageStatus, Owed, enqueue_many
from models.people import Participant, Person, RsvpStatus
from models.replies import REFRESH
from tests.imap_server import LocalDovecot
from tests.replies_mail import (
    CLIENTS,
    ORGANIZER,
    Answer,
    dsn,
    gmail,
    outlook,
    thunderbird,
    typed,
)
from tests.web_helpers import participant, participants_in_order, seed_event

GUEST = "mark.gilbert@dal.ca"


_USERS = iter(range(1, 1000))


@pytest.fixture(scope="module")
def dovecot() -> Iterator[LocalDovecot]:
    server = LocalDovecot()
    for number in range(1, 21):  # the users file is read at start: make them all now
        server.add_user(f"protokol{number}", "rahasia")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def event(session: Session) -> Event:
    """The FGD, announced, every invitation sent at SEQUENCE 0 (with its Message-ID)."""
    target = seed_event(session, "fgd-halifax.yaml")
    letters(session, target, 0)
    return target


def letters(session: Session, target: Event, sequence: int, purpose: str = "invitation") -> None:
    rows = session.exec(
        select(Participant.id, Person.email)
        .join(Person, col(Person.id) == Participant.person_id)
        .where(Participant.event_id == target.id)
    ).all()
    enqueue_many(session, target.id or 0, [Owed(e, purpose, sequence, pid) for pid, e in rows])
    queued = select(Message).where(
        col(Message.event_id) == target.id, col(Message.status) == MessageStatus.QUEUED
    )
    for message in session.exec(queued):
        message.status = MessageStatus.SENT  # as if the outbox had sent it, with its id
        message.smtp_message_id = f"<acara.{message.id}.{message.purpose}@t>"
        session.add(message)
    session.commit()


def inbox(tmp_path: Path, *messages: bytes) -> Path:
    root = tmp_path / "inbox"
    root.parent.mkdir(parents=True, exist_ok=True)
    box = mailbox.Maildir(root, create=True)
    for raw in messages:
        box.add(raw)
    return root


def read(tmp_path: Path, *messages: bytes) -> replies.ReadReport:
    return replies.read_maildir(inbox(tmp_path, *messages))


def status(session: Session, target: Event, email: str) -> RsvpStatus:
    session.expire_all()
    return participant(session, target, email).rsvp


def reply(target: Event, email: str = GUEST, **kw: object) -> Answer:
    return Answer(target.calendar_uid, email, kw.pop("name", "Prof. Mark Gilbert"), **kw)  # type: ignore[arg-type]


def outcomes(report: replies.ReadReport) -> list[str]:
    return [h.outcome for h in report.handled if not h.taken]


# --- REPLY ------------------------------------------------------------------------------------


@pytest.mark.parametrize("client", sorted(CLIENTS))
def test_a_calendar_accept_from_any_client_marks_the_guest_attending(
    session: Session, event: Event, tmp_path: Path, client: str
) -> None:
    report = read(tmp_path, CLIENTS[client](reply(event, GUEST.upper())))
    assert outcomes(report) == ["applied"]
    assert status(session, event, GUEST) is RsvpStatus.ACCEPTED
    fact = session.exec(
        select(DomainEvent).where(DomainEvent.name == InvitationAnswered.name)
    ).one()
    assert (fact.payload["channel"], fact.payload["rsvp"]) == ("calendar", "accepted")


@pytest.mark.parametrize("client", sorted(CLIENTS))
def test_a_reply_to_the_host_mailbox_of_another_city_is_matched_too(
    session: Session, tmp_path: Path, client: str
) -> None:
    # The Jambi visit's invitations came from Kota Tangerang Selatan's mailbox: its replies are
    # addressed there (To, ORGANIZER) and still find their invitation by UID and attendee.
    target = seed_event(session, "kunjungan-camat-jambi.yaml")
    letters(session, target, 0)
    camat = "camat.pamulang@tangerangselatankota.go.id"
    raw = CLIENTS[client](reply(target, camat, name="Deden Juardi"))
    raw = raw.replace(ORGANIZER.encode(), b"protokol@tangerangselatankota.go.id")
    assert ORGANIZER.encode() not in raw
    assert outcomes(read(tmp_path, raw)) == ["applied"]
    assert status(session, target, camat) is RsvpStatus.ACCEPTED


def test_decline_and_tentative_apply_and_tentative_is_nudged_like_the_undecided(
    session: Session, event: Event, tmp_path: Path
) -> None:
    from models.reminders import _UNDECIDED

    assert outcomes(read(tmp_path, gmail(reply(event, partstat="DECLINED")))) == ["applied"]
    assert status(session, event, GUEST) is RsvpStatus.DECLINED
    later = reply(event, partstat="TENTATIVE", message_id="<r2@x>")
    assert outcomes(read(tmp_path / "2", outlook(later))) == ["applied"]
    assert status(session, event, GUEST) is RsvpStatus.TENTATIVE
    assert RsvpStatus.TENTATIVE in _UNDECIDED


def test_going_tentative_frees_the_seat_for_the_waiting_list(
    session: Session, tmp_path: Path
) -> None:
    target = seed_event(session, "fgd-halifax.yaml", capacity=1)
    letters(session, target, 0)
    first, second = participants_in_order(session, target)[:2]
    emails = [session.get(Person, p.person_id).email for p in (first, second)]  # type: ignore[union-attr]
    read(tmp_path / "a", gmail(reply(target, emails[0], message_id="<a@x>")))
    read(tmp_path / "b", gmail(reply(target, emails[1], message_id="<b@x>")))
    assert status(session, target, emails[1]) is RsvpStatus.WAITLISTED
    read(
        tmp_path / "c", outlook(reply(target, emails[0], partstat="TENTATIVE", message_id="<c@x>"))
    )
    assert status(session, target, emails[0]) is RsvpStatus.TENTATIVE
    assert status(session, target, emails[1]) is RsvpStatus.ACCEPTED  # promoted


def test_a_delegation_invites_the_delegate_like_the_rsvp_page(
    session: Session, event: Event, tmp_path: Path, acara_env: Path
) -> None:
    delegating = reply(event, delegate=("wakil.dekan@dal.ca", "Dr. Sarah Wakil"))
    report = read(tmp_path, thunderbird(delegating))
    assert outcomes(report) == ["applied"]
    assert status(session, event, GUEST) is RsvpStatus.REPRESENTED
    stand_in = participant(session, event, "wakil.dekan@dal.ca")
    assert stand_in.represents_id == participant(session, event, GUEST).id
    sent = session.exec(
        select(Message).where(
            Message.purpose == "representative", Message.participant_id == stand_in.id
        )
    ).one()
    assert sent.status is MessageStatus.SENT  # the delegate's own invitation went out


def test_a_reply_to_an_older_sequence_is_kept_but_changes_nothing(
    session: Session, event: Event, tmp_path: Path
) -> None:
    read(tmp_path / "a", gmail(reply(event, message_id="<a@x>")))  # accepted at SEQUENCE 0
    letters(session, event, 1, purpose="update")  # the event moved: everyone got SEQUENCE 1
    stale = outlook(reply(event, partstat="DECLINED", sequence=0, message_id="<b@x>"))
    report = read(tmp_path / "b", stale)
    assert outcomes(report) == ["stale"]
    assert "SEQUENCE 0" in report.handled[0].reason
    assert status(session, event, GUEST) is RsvpStatus.ACCEPTED
    kept = session.exec(select(InboundMessage).where(InboundMessage.message_id == "<b@x>")).one()
    assert kept.detail["partstat"] == "DECLINED"  # in the history
    fresh = outlook(reply(event, partstat="DECLINED", sequence=1, message_id="<c@x>"))
    assert outcomes(read(tmp_path / "c", fresh)) == ["applied"]
    assert status(session, event, GUEST) is RsvpStatus.DECLINED


def test_a_reply_written_before_a_newer_web_answer_does_not_override_it(
    session: Session, event: Event, tmp_path: Path
) -> None:
    from models.rsvp import Answer as Choice
    from models.rsvp import respond

    written = reply(event, partstat="ACCEPTED", sent=datetime.now(UTC) - timedelta(hours=1))
    guest = participant(session, event, GUEST)
    respond(
        session,
        event_id=event.id or 0,
        participant_id=guest.id or 0,
        answer=Choice.DECLINE,
        actor="web",
    )
    session.commit()
    assert outcomes(read(tmp_path, gmail(written))) == ["stale"]
    assert status(session, event, GUEST) is RsvpStatus.DECLINED


# --- COUNTER, REFRESH, bounces, typed replies ----------------------------------------------------


def test_a_counter_proposal_is_shown_to_the_officer_and_moves_nothing(
    session: Session, event: Event, tmp_path: Path
) -> None:
    before = (event.starts_at, event.sequence)
    proposal = reply(
        event, start=event.starts_at + timedelta(days=1), end=event.ends_at + timedelta(days=1)
    )
    assert outcomes(read(tmp_path, outlook(proposal, method="COUNTER"))) == ["held"]
    session.refresh(event)
    assert (event.starts_at, event.sequence) == before
    (line,) = replies.listing(event.code)
    assert line.message.kind is ReplyKind.COUNTER
    assert "proposes" in line.message.reason and "WIB" in line.message.reason
    assert line.participant.endswith("Mark Gilbert, Ph.D.")


def test_a_refresh_is_answered_with_the_current_request(
    session: Session, event: Event, tmp_path: Path
) -> None:
    asked = outlook(reply(event, partstat="NEEDS-ACTION"), method="REFRESH")
    assert outcomes(read(tmp_path / "a", asked)) == ["noted"]
    again = outlook(reply(event, partstat="NEEDS-ACTION", message_id="<r2@x>"), method="REFRESH")
    report = read(tmp_path / "b", again)
    assert "already sent today" in report.handled[0].reason
    (sent,) = session.exec(select(Message).where(Message.purpose == REFRESH)).all()
    assert sent.status is MessageStatus.SENT


def test_a_bounce_marks_the_address_on_the_participant(
    session: Session, event: Event, tmp_path: Path
) -> None:
    original = session.exec(
        select(Message.smtp_message_id).where(Message.recipient == "sarah.thompson@dal.ca")
    ).one()
    read(tmp_path / "a", dsn("sarah.thompson@dal.ca", "5.1.1", original or ""))
    read(
        tmp_path / "b",
        dsn(GUEST, "4.2.2", "<unknown@x>", action="delayed").replace(b"dsn-1", b"dsn-2"),
    )
    _, lines = replies.answers(event.code)
    bounced = {line.email: line.bounced for line in lines if line.bounced}
    assert bounced == {"sarah.thompson@dal.ca": "permanent", GUEST: "transient"}
    row = session.exec(
        select(InboundMessage).where(InboundMessage.kind == ReplyKind.BOUNCE)
    ).first()
    assert row is not None and row.event_id == event.id
    # The officers' dashboard names the bouncing addresses too.
    from fastapi.testclient import TestClient

    from acara.web import create_app
    from tests.web_helpers import add_officer, log_in

    add_officer("Rina")
    with TestClient(create_app(), raise_server_exceptions=False) as officer:
        log_in(officer)
        page = officer.get(f"/events/{event.id}").text
    shown = page.split('id="bounced">')[1].split("</dd>")[0]
    assert "sarah.thompson@dal.ca" in shown and GUEST in shown


def test_a_typed_reply_is_listed_for_the_officer_with_its_participant(
    session: Session, event: Event, tmp_path: Path
) -> None:
    original = session.exec(select(Message.smtp_message_id).where(Message.recipient == GUEST)).one()
    read(tmp_path, typed(GUEST, "Siap hadir, terima kasih.", in_reply_to=original or ""))
    (line,) = replies.listing(event.code)
    assert (line.message.kind, line.message.outcome) == (ReplyKind.TYPED, ReplyOutcome.HELD)
    assert line.message.detail["excerpt"] == "Siap hadir, terima kasih."
    assert status(session, event, GUEST) is RsvpStatus.PENDING  # a person decides


# --- hostile mail ---------------------------------------------------------------------------------


def test_hostile_and_broken_mail_is_set_aside_and_never_stops_the_reader(
    session: Session, event: Event, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACARA_IMAP_MAX_BYTES", "200000")
    get_settings.cache_clear()
    other = "sarah.thompson@dal.ca"
    messages = {
        "forged": gmail(reply(event, other, sender=GUEST, message_id="<f@x>")),
        "unknown event": gmail(Answer("nope@elsewhere", GUEST, "x", message_id="<u@x>")),
        "no uid": gmail(reply(event, message_id="<n@x>")).replace(b"UID:", b"X-NO-UID:"),
        "broken": thunderbird(reply(event, message_id="<b@x>")).replace(
            b"BEGIN:VEVENT", b"BEGIN:VEVENT\r\nEND:VCALENDAR"
        ),
        "stranger": gmail(reply(event, "someone@else.example", message_id="<s@x>")),
        "huge": typed(GUEST, "x" * 300_000),
        "good": gmail(reply(event, message_id="<g@x>")),
    }
    report = read(tmp_path, *messages.values())
    by_sender = {(h.reason): h.outcome for h in report.handled}
    assert len(report.handled) == len(messages)
    assert status(session, event, GUEST) is RsvpStatus.ACCEPTED  # the good one still applied
    assert status(session, event, other) is RsvpStatus.PENDING  # the forgery did not
    reasons = " | ".join(by_sender)
    for expected in (
        "the sender is not the attendee",
        "no event has the calendar UID",
        "has no UID",
        "broken calendar",
        "is not invited",
        "too large",
    ):
        assert expected in reasons
    assert sorted(outcomes(report)).count("set_aside") == 4


# --- IMAP, concurrency, a killed reader ---------------------------------------------------------


def _imap(server: LocalDovecot, user: str) -> ImapMailbox:
    return ImapMailbox(
        "127.0.0.1", server.port, username=user, password=server.users[user], context=server.trust()
    )


def test_replies_read_over_imap_with_starttls_are_applied_once(
    session: Session, event: Event, dovecot: LocalDovecot, db_url: str
) -> None:
    user = f"protokol{next(_USERS)}"
    dovecot.deliver(user, gmail(reply(event)), typed(GUEST, "Terima kasih"))
    first = replies.read_mailbox(_imap(dovecot, user))
    assert outcomes(first) == ["applied", "held"]
    assert status(session, event, GUEST) is RsvpStatus.ACCEPTED
    assert replies.read_mailbox(_imap(dovecot, user)).handled == []  # nothing twice
    over_imaps = ImapMailbox(
        "127.0.0.1",
        dovecot.tls_port,
        username=user,
        password="rahasia",
        security="tls",
        context=dovecot.trust(),
    )
    assert replies.read_mailbox(over_imaps).handled == []  # the same mailbox over IMAPS


def test_two_readers_at_once_apply_each_message_once(
    session: Session, event: Event, dovecot: LocalDovecot, db_url: str
) -> None:
    user = f"protokol{next(_USERS)}"
    people = [line for line in participants_in_order(session, event)]
    emails = [session.get(Person, p.person_id).email for p in people]  # type: ignore[union-attr]
    dovecot.deliver(
        user, *(gmail(reply(event, e, message_id=f"<{i}@x>")) for i, e in enumerate(emails))
    )
    reports: list[replies.ReadReport] = []
    readers = [
        threading.Thread(target=lambda: reports.append(replies.read_mailbox(_imap(dovecot, user))))
        for _ in range(2)
    ]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join()
    applied = [h for r in reports for h in r.handled if not h.taken]
    assert len(applied) == len(emails)
    rows = session.exec(select(func.count()).select_from(InboundMessage)).one()
    facts = session.exec(
        select(func.count())
        .select_from(DomainEvent)
        .where(DomainEvent.name == InvitationAnswered.name)
    ).one()
    assert rows == facts == len(emails)


_KILLER = """
import os, signal, sys
import models.replies as domain
import acara.stages.replies as stage
calls = []
real = domain.apply
def apply(session, row, mail, *, now):
    calls.append(row.mail_key)
    decided = real(session, row, mail, now=now)
    if len(calls) == 2:
        session.flush()
        os.kill(os.getpid(), signal.SIGKILL)  # after the claim and the answer, before the commit
    return decided
stage.apply = apply
stage.read_maildir(sys.argv[1])
"""


def test_a_reader_killed_mid_way_loses_nothing_and_applies_nothing_twice(
    session: Session, event: Event, tmp_path: Path, acara_env: Path
) -> None:
    emails = [GUEST, "sarah.thompson@dal.ca", "bappeda@tangerangkota.go.id"]
    root = inbox(
        tmp_path, *(gmail(reply(event, e, message_id=f"<{i}@x>")) for i, e in enumerate(emails))
    )
    killed = subprocess.run(
        [sys.executable, "-c", _KILLER, str(root)], env=os.environ.copy(), capture_output=True
    )
    assert killed.returncode == -9, killed.stderr.decode()[-2000:]
    assert session.exec(select(func.count()).select_from(InboundMessage)).one() == 1
    report = replies.read_maildir(root)
    assert len([h for h in report.handled if not h.taken]) == 2
    assert {status(session, event, e) for e in emails} == {RsvpStatus.ACCEPTED}
    facts = session.exec(
        select(func.count())
        .select_from(DomainEvent)
        .where(DomainEvent.name == InvitationAnswered.name)
    ).one()
    assert facts == 3


# --- what the officer sees -----------------------------------------------------------------------


def test_participants_list_as_csv_says_answer_channel_and_bounce(
    session: Session, event: Event, tmp_path: Path
) -> None:
    read(tmp_path / "a", gmail(reply(event, partstat="TENTATIVE")))
    original = session.exec(
        select(Message.smtp_message_id).where(Message.recipient == "sarah.thompson@dal.ca")
    ).one()
    read(tmp_path / "b", dsn("sarah.thompson@dal.ca", "5.1.1", original or ""))
    result = CliRunner().invoke(app, ["participants", "list", event.code, "--format", "csv"])
    assert result.exit_code == 0, result.output
    header, *rows = list(csv.reader(io.StringIO(result.output)))
    assert {"email", "answer", "via", "bounced"} <= set(header)
    by_email = {row[header.index("email")]: dict(zip(header, row, strict=False)) for row in rows}
    assert by_email[GUEST]["answer"] == "tentative" and by_email[GUEST]["via"] == "calendar"
    assert by_email["sarah.thompson@dal.ca"]["bounced"] == "permanent"
    assert by_email["bappeda@tangerangkota.go.id"]["answer"] == "pending"


def fetched_in(
    language: str, event: Event, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[CliRunner, str]:
    """`acara replies fetch` of a calendar answer and a stranger's typed reply, in a language:
    the runner (for more commands) and what it printed, on one line."""
    monkeypatch.setenv("ACARA_LANGUAGE", language)
    get_settings.cache_clear()
    root = inbox(tmp_path, gmail(reply(event)), typed("stranger@x.example", "Halo?"))
    runner = CliRunner()
    fetched = runner.invoke(app, ["replies", "fetch", "--maildir", str(root)])
    assert fetched.exit_code == 0, fetched.output
    return runner, " ".join(fetched.output.split())


def test_fetch_and_list_print_what_each_message_did(
    session: Session, event: Event, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner, said = fetched_in("en", event, tmp_path, monkeypatch)
    assert f"mark.gilbert@dal.ca [{event.code}]: calendar reply, applied" in said
    assert "accepted: pending -> accepted" in said
    assert "1 answer(s) applied" in said
    listed = runner.invoke(app, ["replies", "list"])  # mail of no event
    cells = "".join(c for c in listed.output if c.isalnum() or c in "@.")
    assert "stranger@x.example" in cells and "typedreply" in cells
    assert "fortheofficertoread" in cells
    missing = runner.invoke(app, ["replies", "fetch", "--maildir", str(tmp_path / "none")])
    assert "is not a maildir" in str(missing.exception)  # main() prints it as one error line


def test_the_officer_reads_the_replies_and_their_reasons_in_indonesian(
    session: Session, event: Event, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner, said = fetched_in("id", event, tmp_path, monkeypatch)
    assert f"mark.gilbert@dal.ca [{event.code}]: balasan kalender, diterapkan" in said
    assert "hadir: pending -> accepted" in said
    assert "1 jawaban diterapkan" in said
    # The reason was stored in English with its params: read later, it is still Indonesian.
    listed = runner.invoke(app, ["replies", "list"])
    cells = "".join(c for c in listed.output if c.isalnum())  # the table wraps its cells
    assert "Balasan" in cells and "balasantertulis" in cells and "untukdibacapetugas" in cells
    table = runner.invoke(app, ["participants", "list", event.code])
    words = "".join(c for c in table.output if c.isalnum())
    assert "Melalui" in words and "Hadir" in words and "kalender" in words
    assert "Pleno" in words and "Belum" in words  # no answer yet (the cell wraps)


def test_maildir_keys_ignore_the_flags_a_mail_program_adds(tmp_path: Path) -> None:
    root = inbox(tmp_path, typed("a@b.c", "x"))
    with MaildirMailbox(root) as box:
        (before,) = box.envelopes()
    new = next((root / "new").iterdir())
    new.rename(root / "cur" / f"{new.name}:2,S")
    with MaildirMailbox(root) as box:
        assert box.envelopes() == [before]
