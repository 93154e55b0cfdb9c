"""kill -9 in the middle of sending 500 invitations, then run again: everyone ends with exactly
one invitation, except the messages in flight at the kill (sent, not yet marked), and those
are at most one per SMTP worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import insert, select, text

from acara import db as acara_db
from acara.db import unit_of_work
from acara.eventfile import read_event_file
from acara.messages.channels.email import transport_from_url
from acara.messages.delivery import deliver
from acara.stages import invitations
from models.people import Participant, Person, Role
from models.planning import import_event
from tests.conftest import EXAMPLES
from tests.smtp_server import SmtpSink

ROOT = Path(__file__).resolve().parents[2]
TOTAL = 500
WORKERS = 4
SENDER = """
import sys
from pathlib import Path
from acara.messages.delivery import deliver
from acara.messages.channels.email import transport_from_url
transport = transport_from_url(
    sys.argv[2], maildir=Path("unused"), workers=int(sys.argv[3]), domain="tangerangkota.go.id"
)
deliver(event_id=int(sys.argv[1]), purposes=["invitation"], transport=transport)
"""


def _event_with_many_invitations(db_url: str) -> int:
    """The MoU signing, grown to TOTAL participants, with every invitation owed."""
    spec, rows = read_event_file(EXAMPLES / "penandatanganan-mou-ombudsman.yaml")
    with unit_of_work() as session:
        event_id = import_event(session, spec, rows, actor="test").event_id
    more = TOTAL - len(rows)
    with acara_db.engine_for(db_url).begin() as conn:
        conn.execute(
            insert(Person),
            [
                {"email": f"ketua.rw{n:03d}@kel.tangerangkota.go.id", "name": f"Ketua RW {n:03d}"}
                for n in range(more)
            ],
        )
        ids = conn.execute(select(Person.id).where(Person.email.like("ketua.rw%"))).scalars()  # type: ignore[attr-defined]
        conn.execute(
            insert(Participant),
            [{"event_id": event_id, "person_id": i, "role": Role.COMMUNITY} for i in ids],
        )
    assert invitations.owe_invitations(event_id, actor="test").messages == TOTAL
    return event_id


def _rows(db_url: str, event_id: int) -> dict[str, str]:
    with acara_db.engine_for(db_url).connect() as conn:
        found = conn.execute(
            text("SELECT recipient, status FROM message WHERE event_id = :e"), {"e": event_id}
        ).all()
    return {recipient: str(status) for recipient, status in found}


def test_a_sender_killed_mid_run_and_run_again_leaves_everyone_one_invitation(
    acara_env: Path, db_url: str, tmp_path: Path
) -> None:
    event_id = _event_with_many_invitations(db_url)
    # A slightly slow server, so the kill lands in the middle of the run.
    with SmtpSink(discard=True, delay=0.004) as sink:
        sender = subprocess.Popen(
            [sys.executable, "-c", SENDER, str(event_id), sink.url, str(WORKERS)],
            cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 120
        while sink.count < TOTAL // 3 and sender.poll() is None and time.monotonic() < deadline:
            time.sleep(0.001)
        os.kill(sender.pid, signal.SIGKILL)
        sender.wait()
        assert sender.returncode == -signal.SIGKILL, sender.stderr.read() if sender.stderr else ""

        at_kill = _rows(db_url, event_id)
        received = {a.lower() for r in sink.messages for a in r.rcpt_tos}
        claimed = {a for a, status in at_kill.items() if status == "sending"}
        # The only messages that can arrive twice: the server has them, the row is not marked.
        in_flight = received - {a for a, status in at_kill.items() if status == "sent"}
        assert in_flight <= claimed

        transport = transport_from_url(
            sink.url, maildir=tmp_path / "unused", domain="tangerangkota.go.id"
        )
        summary = deliver(event_id=event_id, purposes=["invitation"], transport=transport)

        got = Counter(a.lower() for r in sink.messages for a in r.rcpt_tos)
    duplicates = {address for address, n in got.items() if n > 1}
    print(
        f"\nkilled after {len(received)} of {TOTAL} messages: {len(claimed)} rows claimed, "
        f"{len(in_flight)} in flight (sent, unmarked); re-run recovered {summary.recovered}, "
        f"sent {summary.sent}; duplicates: {len(duplicates)}"
    )
    assert 0 < len(received) < TOTAL, "the kill must land in the middle of the run"
    assert summary.recovered == len(claimed)  # a dead local sender needs no lease to expire
    assert set(got) == set(_rows(db_url, event_id)), "someone got no invitation"
    assert max(got.values()) <= 2
    assert duplicates == in_flight
    assert len(in_flight) <= WORKERS
    assert set(_rows(db_url, event_id).values()) == {"sent"}
