"""SMTP misbehaving while invitations go out: nothing lost, nothing twice, failures named.

Each test sends the real FKP Volume-3 invitations (175 people) through the outbox and
acara.messages.delivery.deliver to a real aiosmtpd server on 127.0.0.1 that fails on purpose.
"""

from __future__ import annotations

import random
import socket
import threading
import time
from pathlib import Path

import pytest

from acara.messages.delivery import SmtpLoginRefused, SmtpUnreachable, deliver
from tests.faults.conftest import ONLY_POSTGRES, Invited, received_per_recipient, smtp, statuses
from tests.faults.figures import record
from tests.smtp_server import Refusal, SmtpSink

SENT, FAILED = "sent", "failed_permanent"


def deliver_until_settled(invited: Invited, transport: object, runs: int = 6) -> None:
    """Run the delivery again while rows are still owed (what the retry sweep does)."""
    for _ in range(runs):
        deliver(event_id=invited.event_id, transport=transport)
        owed = statuses(invited.db_url, invited.event_id)
        if not owed["queued"] and not owed["failed_retryable"] and not owed["sending"]:
            return


def test_random_421_and_451_on_a_fifth_of_commands_still_deliver_everyone_exactly_once(
    forum: Invited, tmp_path: Path
) -> None:
    rng = random.Random(421)
    # A 451 at RCPT TO once for a fifth of the people, and a 421/451 on a fifth of DATAs.
    busy = {e: Refusal(451, times=1) for e in forum.emails if rng.random() < 0.2}
    with SmtpSink(fail_rcpt=busy, transient_rate=0.2, seed=7) as sink:
        deliver_until_settled(forum, smtp(sink.url, tmp_path))
        injected = sink.injected
        got = received_per_recipient(sink)
    assert injected.get("rcpt-451", 0) == len(busy) > 10
    assert injected.get("data-421", 0) + injected.get("data-451", 0) > 10
    assert statuses(forum.db_url, forum.event_id) == {SENT: len(forum.emails)}
    assert sorted(got) == list(forum.emails)
    assert [e for e, n in got.items() if n > 1] == []
    detail = ", ".join(f"{n} × {k}" for k, n in sorted(injected.items()))
    record(
        "421/451 on a fifth of SMTP commands",
        forum.db_url,
        emails=forum.emails,
        got=got,
        detail=f"injected {detail}",
    )


def test_550_for_named_recipients_fails_exactly_those_and_sends_the_rest(
    forum: Invited, tmp_path: Path
) -> None:
    gone = set(random.Random(550).sample(forum.emails, 7))
    with SmtpSink(fail_rcpt=dict.fromkeys(gone, 550)) as sink:
        deliver_until_settled(forum, smtp(sink.url, tmp_path))
        got = received_per_recipient(sink)
    assert statuses(forum.db_url, forum.event_id) == {
        SENT: len(forum.emails) - len(gone),
        FAILED: len(gone),
    }
    failed = _recipients_with(forum, FAILED)
    assert failed == gone
    assert set(got) == set(forum.emails) - gone and max(got.values()) == 1
    record(
        "550 for named recipients",
        forum.db_url,
        emails=forum.emails,
        got=got,
        expected_missing=len(gone),
        detail=f"exactly those {len(gone)} failed for good, reported",
    )


def _recipients_with(invited: Invited, status: str) -> set[str]:
    from sqlalchemy import text

    from acara import db as acara_db

    with acara_db.engine_for(invited.db_url).connect() as conn:
        rows = conn.execute(
            text("SELECT recipient FROM message WHERE event_id = :e AND status = :s"),
            {"e": invited.event_id, "s": status},
        ).scalars()
        return set(rows)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_with_server_down_for(forum: Invited, tmp_path: Path, outage: float) -> None:
    """The server is down when the run starts and comes back after `outage` seconds."""
    port = _free_port()
    sink = SmtpSink(port=port)
    transport = smtp(f"smtp://127.0.0.1:{port}", tmp_path, timeout=2)
    started = time.monotonic()
    comes_back = threading.Timer(outage, sink.start)
    comes_back.start()
    try:
        told = 0
        while time.monotonic() - started < outage + 60:
            try:
                deliver(event_id=forum.event_id, transport=transport)
            except SmtpUnreachable as stopped:  # the officer is told, in one sentence
                assert "reach" in str(stopped).lower() or str(stopped)
                told += 1
            now = statuses(forum.db_url, forum.event_id)
            if time.monotonic() - started < outage - 1:
                # Down: nothing sent, nothing given up on, nothing stuck as "sending".
                assert set(now) <= {"queued", "failed_retryable"}, now
            if now == {SENT: len(forum.emails)}:
                break
            time.sleep(1)
        got = received_per_recipient(sink)
    finally:
        comes_back.cancel()
        sink.stop()
    assert time.monotonic() - started >= outage
    assert told >= 1, "a run while the server was down should say so"
    assert statuses(forum.db_url, forum.event_id) == {SENT: len(forum.emails)}
    assert sorted(got) == list(forum.emails) and max(got.values()) == 1
    record(
        f"server down for the first {outage:.0f} s",
        forum.db_url,
        emails=forum.emails,
        got=got,
        detail=f"{told} run(s) told the officer it was unreachable",
    )


def test_a_server_down_for_the_first_fifteen_seconds_loses_nothing(
    forum: Invited, tmp_path: Path
) -> None:
    run_with_server_down_for(forum, tmp_path, outage=15)


@pytest.mark.slow
@ONLY_POSTGRES  # the 15-second variant covers both databases
def test_a_server_down_for_the_first_minute_loses_nothing(forum: Invited, tmp_path: Path) -> None:
    run_with_server_down_for(forum, tmp_path, outage=60)


def test_an_authentication_failure_stops_the_run_and_marks_nothing_sent(
    forum: Invited, tmp_path: Path
) -> None:
    with SmtpSink(require_auth=("protokol", "rahasia")) as sink:
        url = f"smtp://protokol:salah@127.0.0.1:{sink.port}?security=none"
        with pytest.raises(SmtpLoginRefused):
            deliver(event_id=forum.event_id, transport=smtp(url, tmp_path))
        assert sink.count == 0 and sink.auth_failures >= 1
        # Nothing sent, nothing failed for good: every invitation is still owed.
        assert statuses(forum.db_url, forum.event_id) == {"queued": len(forum.emails)}
        # With the right password the same run delivers everyone once.
        good = f"smtp://protokol:rahasia@127.0.0.1:{sink.port}?security=none"
        deliver_until_settled(forum, smtp(good, tmp_path))
        got = received_per_recipient(sink)
    assert sorted(got) == list(forum.emails) and max(got.values()) == 1
