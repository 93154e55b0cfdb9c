"""kill -9 during a 2,000-invitation run, again and again: everyone ends with one invitation.

The sending process is killed at a random point of the run (a random number of messages
after it starts), then the run is started again, as an officer or the scheduler would.
Messages in flight at the kill may arrive twice (the server took them, the row was not yet
marked); nothing may be lost, and duplicates may not exceed what was in flight.
"""

from __future__ import annotations

import logging
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import insert, select
from sqlmodel import Session

from acara import db as acara_db
from models.event import Event
from models.invitations import invite
from models.people import Participant, Person, Role
from tests.faults.conftest import (
    ONLY_POSTGRES,
    Invited,
    invite_example,
    received_per_recipient,
    statuses,
)
from tests.faults.figures import record
from tests.smtp_server import SmtpSink

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parents[2]
# acara's default SMTP workers. Delivery marks each row before its worker sends the next
# message, so at a kill at most one message per worker is sent but not yet marked.
IN_FLIGHT = 4


def _grow(session: Session, db_url: str, total: int) -> Invited:
    """The Jambi visit, with RW heads added until `total` people are invited."""
    invited = invite_example(session, db_url, "kunjungan-camat-jambi.yaml")
    more = total - len(invited.emails)
    engine = acara_db.engine_for(db_url)
    with engine.begin() as conn:
        conn.execute(
            insert(Person),
            [
                {"email": f"ketua.rw{n:04d}@kel.tangerangkota.go.id", "name": f"Ketua RW {n}"}
                for n in range(more)
            ],
        )
        ids = conn.execute(
            select(Person.id).where(Person.email.like("ketua.rw%"))  # type: ignore[attr-defined]
        ).scalars()
        conn.execute(
            insert(Participant),
            [{"event_id": invited.event_id, "person_id": i, "role": Role.COMMUNITY} for i in ids],
        )
    session.expire_all()
    event = session.get(Event, invited.event_id)
    assert event is not None
    invite(session, event, actor="test")
    session.commit()
    query = select(Person.email).join(Participant, Participant.person_id == Person.id)
    emails = tuple(sorted(session.execute(query).scalars()))
    assert len(emails) == total
    return Invited(db_url, invited.event_id, emails)


def _sender(invited: Invited, sink: SmtpSink, cwd: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.faults.sender",
            invited.db_url,
            str(invited.event_id),
            sink.url,
        ],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def crash_and_resume(
    session: Session, db_url: str, tmp_path: Path, *, total: int, kills: int, seed: int
) -> int:
    """Kill the sender `kills` times at random points, then let it finish; returns duplicates."""
    invited = _grow(session, db_url, total)
    rng = random.Random(seed)
    killed_at = []
    with SmtpSink(discard=True) as sink:
        for _ in range(kills):
            start = sink.count
            remaining = total - start
            if remaining <= IN_FLIGHT:
                break
            target = start + rng.randint(1, max(1, remaining // 3))
            sender = _sender(invited, sink, tmp_path)
            while sink.count < target and sender.poll() is None:
                time.sleep(0.002)
            os.kill(sender.pid, signal.SIGKILL)
            sender.wait()
            killed_at.append(sink.count)
        finisher = _sender(invited, sink, tmp_path)
        _, err = finisher.communicate(timeout=600)
        assert finisher.returncode == 0, err.decode()[-3000:]
        got = received_per_recipient(sink)
    duplicates = sum(got.values()) - len(got)
    log.warning("crash test: killed at %s messages; %d duplicates", killed_at, duplicates)
    print(f"\ncrash test: {len(killed_at)} kills at {killed_at}; duplicates: {duplicates}")
    assert statuses(db_url, invited.event_id) == {"sent": total}
    assert sorted(got) == list(invited.emails), "someone got no invitation"
    # Only messages in flight at a kill can arrive twice.
    assert duplicates <= IN_FLIGHT * len(killed_at)
    record(
        f"kill -9 of the sender, {len(killed_at)} times",
        db_url,
        emails=invited.emails,
        got=got,
        detail=f"killed after {', '.join(map(str, killed_at))} messages; at most "
        f"{IN_FLIGHT} in flight per kill",
    )
    return duplicates


def test_killing_the_sender_three_times_loses_no_invitation(
    session: Session, db_url: str, tmp_path: Path
) -> None:
    crash_and_resume(session, db_url, tmp_path, total=200, kills=3, seed=1)


@pytest.mark.slow
@ONLY_POSTGRES  # the 200-message variant above covers SQLite in `make test`
def test_killing_the_sender_ten_times_during_two_thousand_invitations_loses_none(
    session: Session, db_url: str, tmp_path: Path
) -> None:
    crash_and_resume(session, db_url, tmp_path, total=2000, kills=10, seed=2)
