"""The outbox's own rules on SQLite and PostgreSQL: enqueue once, claim once, recover, give up."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event as sa_event
from sqlmodel import Session, col, select

from acara import db as acara_db
from acara.db import unit_of_work
from acara.eventfile import read_event_file
from acara.messages.delivery import deliver, worker_name
from acara.stages import invitations
from models.clock import utcnow
from models.event import Event
from models.outbox import (
    MAX_ATTEMPTS,
    NO_DAY,
    Channel,
    Message,
    MessageStatus,
    Outcome,
    Owed,
    claim,
    enqueue,
    enqueue_many,
    finish,
    recover_stale,
    release,
)
from models.plan import ParticipantSpec
from models.planning import import_event
from models.roster import Row, add_participants
from tests.conftest import EXAMPLES


def mou(session: Session) -> int:
    spec, rows = read_event_file(EXAMPLES / "penandatanganan-mou-ombudsman.yaml")
    event_id = import_event(session, spec, rows, actor="test").event_id
    session.commit()
    return event_id


def test_enqueueing_the_same_message_twice_owes_it_once(session: Session) -> None:
    event_id = mou(session)
    args = {"event_id": event_id, "recipient": "A@Example.org", "purpose": "invitation"}
    assert enqueue(session, **args, sequence=0) is True
    assert enqueue(session, **args, sequence=0) is False
    assert enqueue(session, **args, sequence=1) is True  # a newer version is another message
    owed = [Owed(f"p{n}@example.org", "invitation", 0) for n in range(1200)]
    assert enqueue_many(session, event_id, owed + owed[:10]) == 1200
    session.commit()
    rows = session.exec(select(Message.recipient).where(Message.sequence == 0)).all()
    assert len(rows) == 1201 and "a@example.org" in rows


def test_two_claims_never_take_the_same_row(session: Session, db_url: str) -> None:
    event_id = mou(session)
    enqueue_many(session, event_id, [Owed(f"p{n}@example.org", "invitation", 0) for n in range(50)])
    session.commit()
    with Session(acara_db.engine_for(db_url)) as other:
        first = claim(session, worker="a", limit=30, event_id=event_id)
        if db_url.startswith("postgresql"):
            # Still uncommitted: PostgreSQL skips the locked rows instead of waiting for them.
            second = claim(other, worker="b", limit=30, event_id=event_id)
            session.commit()
        else:
            session.commit()  # SQLite has one writer at a time
            second = claim(other, worker="b", limit=30, event_id=event_id)
        other.commit()
    assert len(first) == 30 and len(second) == 20 and not set(first) & set(second)
    claimed = session.exec(select(Message.claimed_by, Message.attempts)).all()
    assert sorted({c for c, _ in claimed}) == ["a", "b"] and {a for _, a in claimed} == {1}


def test_only_pending_rows_of_the_asked_purposes_are_claimed(session: Session) -> None:
    event_id = mou(session)
    owed = [
        Owed("x@example.org", purpose, 0, reminder_offset=offset)
        for purpose, offset in [
            ("invitation", 0),
            ("reminder", 1440),
            ("reminder", 120),
            ("reminders", 0),
            ("minutes", 0),
        ]
    ]
    enqueue_many(session, event_id, owed)
    session.commit()
    ids = claim(session, worker="w", limit=10, purposes=["reminder", "invitation"])
    got = session.exec(
        select(Message.purpose, Message.reminder_offset).where(col(Message.id).in_(ids))
    ).all()
    assert sorted(got) == [("invitation", 0), ("reminder", 120), ("reminder", 1440)]


def test_a_message_is_owed_once_per_typed_key(session: Session) -> None:
    event_id = mou(session)
    step = date(2026, 12, 12)
    owed = [
        Owed("x@example.org", "reminder", 0, reminder_offset=1440),
        Owed("x@example.org", "reminder", 0, reminder_offset=120),
        Owed("x@example.org", "action-reminder", 0, action_item_id=12, action_step_on=step),
        Owed(
            "x@example.org",
            "action-reminder",
            0,
            action_item_id=12,
            action_step_on=date(2026, 12, 16),
        ),
        Owed("x@example.org", "action-reminder", 0, action_item_id=13, action_step_on=step),
        Owed("x@example.org", "escalation", 0, action_item_id=12),
        Owed("x@example.org", "escalation", 0, action_item_id=13),
    ]
    assert enqueue_many(session, event_id, owed) == len(owed)
    # The same keys again: nothing new (no NULL in the key lets a duplicate through).
    assert enqueue_many(session, event_id, owed) == 0
    assert not enqueue(
        session,
        event_id=event_id,
        recipient="x@example.org",
        purpose="escalation",
        sequence=0,
        action_item_id=12,
    )
    session.commit()
    rows = session.exec(select(Message).where(Message.purpose == "escalation")).all()
    assert {(m.action_item_id, m.action_step_on, m.channel) for m in rows} == {
        (12, NO_DAY, Channel.EMAIL),
        (13, NO_DAY, Channel.EMAIL),
    }


def test_a_stale_claim_is_queued_again_after_the_lease_and_a_fresh_one_is_not(
    session: Session,
) -> None:
    event_id = mou(session)
    enqueue_many(session, event_id, [Owed(f"p{n}@example.org", "invitation", 0) for n in range(4)])
    session.commit()
    ids = claim(session, worker="gone", limit=2)
    claim(session, worker="busy", limit=2)
    session.commit()
    later = utcnow() + timedelta(minutes=20)
    assert recover_stale(session, now=utcnow(), lease=timedelta(minutes=15)) == 0
    assert recover_stale(session, now=later, lease=timedelta(minutes=15)) == 4
    session.commit()
    claim(session, worker="busy", limit=4)
    assert recover_stale(session, dead_workers=["gone"]) == 0
    session.commit()
    assert set(session.exec(select(Message.status)).all()) == {MessageStatus.SENDING}
    assert ids


def test_a_run_recovers_at_once_what_a_dead_process_on_this_machine_left(
    acara_env: Path, session: Session
) -> None:
    event_id = mou(session)
    invitations.owe_invitations(event_id, actor="test")
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        text=True,
        capture_output=True,
        check=True,
    )
    host = socket.gethostname()[:40]
    claim(session, worker=f"{host}:{dead.stdout.strip()}:abcd", limit=3)
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        claim(session, worker=f"{host}:{alive.pid}:abcd", limit=2)  # still sending, maybe
        session.commit()
        summary = deliver(event_id=event_id)
    finally:
        alive.kill()
        alive.wait()
    assert summary.recovered == 3 and summary.sent == 6
    held = session.exec(select(Message.status).where(Message.claimed_by.endswith(":abcd")))  # type: ignore[union-attr]
    assert sorted(held.all()) == [MessageStatus.SENDING] * 2
    assert worker_name().split(":")[1] == str(os.getpid())


def test_a_retryable_failure_gives_up_after_the_last_attempt(session: Session) -> None:
    event_id = mou(session)
    enqueue(
        session, event_id=event_id, recipient="busy@example.org", purpose="invitation", sequence=0
    )
    session.commit()
    for attempt in range(1, MAX_ATTEMPTS + 1):
        (row_id,) = claim(session, worker="w", limit=1)
        finish(session, "w", [Outcome(row_id, MessageStatus.RETRY, "451 try later")])
        session.commit()
        row = session.get(Message, row_id)
        assert row is not None
        session.refresh(row)
        expected = MessageStatus.FAILED if attempt == MAX_ATTEMPTS else MessageStatus.RETRY
        assert (row.attempts, row.status) == (attempt, expected)
    assert claim(session, worker="w", limit=1) == []


def test_handing_rows_back_does_not_count_an_attempt(session: Session) -> None:
    event_id = mou(session)
    enqueue(session, event_id=event_id, recipient="x@example.org", purpose="invitation", sequence=0)
    session.commit()
    ids = claim(session, worker="w", limit=1)
    assert release(session, "other", ids, "not mine") == 0
    assert release(session, "w", ids, "server down") == 1
    session.commit()
    row = session.get(Message, ids[0])
    assert row is not None
    session.refresh(row)
    assert (row.status, row.attempts, row.last_error) == (MessageStatus.QUEUED, 0, "server down")


def test_composing_a_fan_out_costs_the_same_queries_for_ten_or_a_hundred_people(
    acara_env: Path, db_url: str, session: Session
) -> None:
    """No query per recipient: the event, its agenda and the people are loaded per chunk."""
    event_id = mou(session)
    event = session.get(Event, event_id)
    assert event is not None
    engine = acara_db.engine_for(db_url)
    counts = []
    for batch, extra in enumerate((2, 100)):
        people = [
            Row(f"row {n}", ParticipantSpec(name=f"Ketua RW {n}", email=f"rw{batch}-{n}@x.org"))
            for n in range(extra)
        ]
        add_participants(session, event, people)
        session.commit()
        invitations.owe_invitations(event_id, actor="test")
        selects: list[str] = []

        def count(conn: object, cursor: object, statement: str, *args: object) -> None:
            if statement.lstrip().upper().startswith(("SELECT", "WITH")):
                selects.append(statement)  # noqa: B023 - removed before the next loop

        sa_event.listen(engine, "before_cursor_execute", count)
        try:
            assert deliver(event_id=event_id).sent == extra + (8 if batch == 0 else 0)
        finally:
            sa_event.remove(engine, "before_cursor_execute", count)
        counts.append(len(selects))
    assert counts[1] <= counts[0], counts


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_unit_of_work_sees_the_marks(acara_env: Path, session: Session) -> None:
    event_id = mou(session)
    invitations.owe_invitations(event_id, actor="test")
    deliver(event_id=event_id)
    with unit_of_work() as fresh:
        assert set(fresh.exec(select(Message.status)).all()) == {MessageStatus.SENT}
