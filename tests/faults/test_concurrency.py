"""Two senders at once: two workers on the same event's invitations, two reminder sweeps.

Each pair runs as two real processes started together against the same database (the
`db_url` fixture runs this on PostgreSQL and on SQLite) and one SMTP server: every person
gets each message once, whoever sent it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from sqlmodel import Session

from models.event import Event
from tests.faults.conftest import Invited, received_per_recipient, statuses
from tests.faults.figures import record
from tests.smtp_server import SmtpSink

ROOT = Path(__file__).resolve().parents[2]


def _together(commands: list[list[str]], cwd: Path, smtp_url: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ACARA_SMTP_URL": smtp_url}
    env["ACARA_DATA_DIR"] = str(cwd / "data")
    running = [
        subprocess.Popen(
            [sys.executable, "-m", *c], cwd=cwd, env=env, stderr=subprocess.PIPE, text=True
        )
        for c in commands
    ]
    for process in running:
        _, err = process.communicate(timeout=300)
        assert process.returncode == 0, err[-3000:]


def test_two_workers_sending_the_same_invitations_send_each_once(
    forum: Invited, tmp_path: Path
) -> None:
    with SmtpSink(delay=0.002) as sink:  # a little latency, so the two really overlap
        sender = ["tests.faults.sender", forum.db_url, str(forum.event_id), sink.url]
        _together([sender, sender], tmp_path, sink.url)
        got = received_per_recipient(sink)
        sessions = sink.sessions
    assert statuses(forum.db_url, forum.event_id) == {"sent": len(forum.emails)}
    assert sorted(got) == list(forum.emails)
    assert [e for e, n in got.items() if n > 1] == []
    assert sessions >= 2  # both processes did connect and send
    record(
        "two senders on the same invitations",
        forum.db_url,
        emails=forum.emails,
        got=got,
        detail=f"two processes, {sessions} SMTP sessions",
    )


def test_two_reminder_sweeps_at_once_remind_each_person_once(
    forum: Invited, session: Session, tmp_path: Path
) -> None:
    event = session.get(Event, forum.event_id)
    assert event is not None
    # The day-before reminder is due; the invitations themselves were already sent.
    with SmtpSink() as sink:
        first = ["tests.faults.sender", forum.db_url, str(forum.event_id), sink.url]
        _together([first], tmp_path, sink.url)
        sink.reset()
        now = (event.starts_at - timedelta(days=1) + timedelta(minutes=5)).isoformat()
        sweep = ["tests.faults.sweeper", forum.db_url, now]
        _together([sweep, sweep], tmp_path, sink.url)
        got = received_per_recipient(sink)
    reminded = statuses(forum.db_url, forum.event_id)["sent"] - len(forum.emails)
    assert reminded > 100 and sum(got.values()) == reminded
    assert [e for e, n in got.items() if n > 1] == []
    record(
        "two reminder sweeps at once",
        forum.db_url,
        emails=list(got),
        got=got,
        detail=f"{reminded} reminders owed and sent once",
    )
