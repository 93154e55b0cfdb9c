"""Two reminder sweeps at once (two workers, or a slow run overlapping the next) remind each
person once: many trials, two threads started together, on SQLite and PostgreSQL, with a
real SMTP server counting what arrives."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update
from sqlmodel import Session, col, func, select

from acara.eventfile import read_event_file
from acara.settings import get_settings
from acara.stages.reminders import SweepReport, owe_due_reminders, sweep
from models.event import Event
from models.lifecycle import Action, apply, reschedule
from models.outbox import Message, MessageStatus, Owed, enqueue_many
from models.people import Participant, Person, RsvpStatus
from models.planning import import_event
from models.reminders import ReminderRound
from tests.conftest import EXAMPLES
from tests.smtp_server import SmtpSink

OWE_TRIALS = 20


@pytest.fixture
def sink(acara_env: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpSink]:
    """A real SMTP server that delivery uses (ACARA_SMTP_URL), slightly slow to widen races."""
    with SmtpSink(delay=0.002) as server:
        monkeypatch.setenv("ACARA_SMTP_URL", server.url)
        get_settings.cache_clear()
        yield server
    get_settings.cache_clear()


@pytest.fixture
def event(session: Session) -> Event:
    """The Jambi visit, announced, everyone invited and coming."""
    spec, rows = read_event_file(EXAMPLES / "kunjungan-camat-jambi.yaml")
    result = import_event(session, spec, rows, actor="test")
    target = session.get(Event, result.event_id)
    assert target is not None
    apply(session, target, Action.ANNOUNCE, actor="test")
    people = session.exec(
        select(Participant, Person).join(Person, col(Person.id) == Participant.person_id)
    ).all()
    enqueue_many(session, target.id or 0, [Owed(p.email, "invitation", 0, t.id) for t, p in people])
    session.execute(update(Message).values(status=MessageStatus.SENT))
    session.execute(update(Participant).values(rsvp=RsvpStatus.ACCEPTED))
    session.commit()
    return target


def together(work: Callable[[], Any]) -> list[Any]:
    """Run `work` in two threads released at the same instant; their results."""
    gate = threading.Barrier(2)
    results: list[Any] = [None, None]
    errors: list[BaseException] = []

    def run(slot: int) -> None:
        try:
            gate.wait()
            results[slot] = work()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return results


def move(session: Session, event_id: int, days: int) -> datetime:
    """Reschedule the event (a new SEQUENCE: every reminder is owed afresh); its new start."""
    target = session.get(Event, event_id)
    assert target is not None
    session.refresh(target)
    reschedule(session, target, target.starts_at + timedelta(days=days), actor="test")
    session.commit()
    return target.starts_at


def test_two_sweeps_at_once_owe_each_round_once(session: Session, event: Event) -> None:
    assert event.id is not None
    for trial in range(OWE_TRIALS):
        start = move(session, event.id, 1) if trial else event.starts_at
        results = together(lambda s=start: owe_due_reminders(s - timedelta(days=1)))
        owed_by = [len(rounds) for _, rounds in results]
        assert sorted(owed_by) == [0, 1], f"trial {trial}: {owed_by}"
    session.expire_all()
    assert session.exec(select(func.count()).select_from(ReminderRound)).one() == OWE_TRIALS
    per_key = session.exec(
        select(Message.recipient, Message.sequence, func.count())
        .where(Message.purpose == "reminder", Message.reminder_offset == 24 * 60)
        .group_by(col(Message.recipient), col(Message.sequence))
    ).all()
    assert len(per_key) == 34 * OWE_TRIALS and {n for *_, n in per_key} == {1}


@pytest.mark.parametrize("trials", [4, pytest.param(30, marks=pytest.mark.slow)])
def test_two_sweeps_at_once_send_each_reminder_once(
    session: Session, event: Event, sink: SmtpSink, trials: int
) -> None:
    assert event.id is not None
    for trial in range(trials):
        start = move(session, event.id, 1) if trial else event.starts_at
        sink.reset()
        reports: list[SweepReport] = together(lambda s=start: sweep(s - timedelta(hours=2)))
        received = Counter(rcpt for m in sink.messages for rcpt in m.rcpt_tos)
        assert len(received) == 34 and set(received.values()) == {1}, f"trial {trial}"
        assert sum(r.sent for r in reports) == 34, f"trial {trial}: {[r.sent for r in reports]}"
    session.expire_all()
    statuses = dict(
        session.exec(
            select(Message.status, func.count())
            .where(Message.purpose == "reminder", Message.reminder_offset == 2 * 60)
            .group_by(col(Message.status))
        ).all()
    )
    assert statuses == {MessageStatus.SENT: 34 * trials}
