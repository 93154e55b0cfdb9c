"""The reminder sweep's cost follows the due work, not the size of the database.

Builds SQLite databases with 1,000 and 100,000 invitations already sent (100 announced events,
a week apart, each with a hundredth of the invitations), then times the sweep's database
step (`acara.stages.reminders.owe_due_reminders`: find the open windows, owe each round) when
nothing is due and when one event's H-1 reminder is due (1% of the invitations). With a SMTP
sink URL it also times delivering those reminders.

    .venv/bin/python -m bench.reminder_sweep            # prints a table
    timings(sizes=(1_000, 100_000)) -> list[Timing]     # for `make bench`
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select

from acara import db as acara_db
from acara.settings import get_settings
from bench.data import copy_sqlite, event_spec
from models.event import Event
from models.lifecycle import Action, apply
from models.outbox import Message, MessageStatus
from models.people import Participant, Person, RsvpStatus
from models.planning import import_event

EVENTS = 100
SPACING = timedelta(days=7)  # so only one event's reminder window is open at a time
FIRST_START = datetime(2027, 3, 1, 2, 0, tzinfo=UTC)  # 09.00 WIB
_WIB = ZoneInfo("Asia/Jakarta")


@dataclass(frozen=True, slots=True)
class Timing:
    """One measurement: database size, what was due, what the sweep owed, how long it took."""

    invitations: int
    case: str  # "nothing due" or "1% due"
    owed: int  # reminder messages owed by the sweep
    seconds: float  # median over repeats (owe step), or one delivery
    step: str = "owe"  # "owe" (database) or "deliver" (SMTP)


def build(path: Path, invitations: int) -> str:
    """A migrated SQLite file with EVENTS announced events and `invitations` sent invitations."""
    url = f"sqlite:///{path}"
    acara_db.upgrade(url)
    per_event = invitations // EVENTS
    engine = acara_db.engine_for(url)
    with engine.begin() as conn:
        conn.execute(
            insert(Person),
            [
                {"email": f"rw{n:06d}@rw.tangerangkota.go.id", "name": f"Ketua RW {n}"}
                for n in range(per_event)
            ],
        )
        person_ids = conn.execute(select(Person.id).order_by(Person.id)).scalars().all()
    for i in range(EVENTS):
        start = FIRST_START + i * SPACING
        spec = event_spec(start.astimezone(_WIB)).model_copy(update={"code": f"fkp-{i:03d}"})
        with acara_db.unit_of_work(url) as session:
            event_id = import_event(session, spec, [], actor="bench").event_id
            event = session.get(Event, event_id)
            assert event is not None
            apply(session, event, Action.ANNOUNCE, actor="bench")
        with engine.begin() as conn:
            conn.execute(
                insert(Participant),
                [
                    {"event_id": event_id, "person_id": pid, "rsvp": RsvpStatus.ACCEPTED}
                    for pid in person_ids
                ],
            )
            participants = conn.execute(
                select(Participant.id, Person.email)
                .join(Person, Person.id == Participant.person_id)
                .where(Participant.event_id == event_id)
            ).all()
            conn.execute(
                insert(Message),
                [
                    {
                        "event_id": event_id,
                        "participant_id": pid,
                        "recipient": email,
                        "purpose": "invitation",
                        "sequence": 0,
                        "status": MessageStatus.SENT,
                        "created_at": FIRST_START - timedelta(days=30),
                        "sent_at": FIRST_START - timedelta(days=30),
                    }
                    for pid, email in participants
                ],
            )
    engine.dispose()
    return url


def _use(url: str) -> None:
    os.environ["ACARA_DATABASE_URL"] = url
    get_settings.cache_clear()


def _owe(now: datetime) -> tuple[int, float]:
    from acara.stages.reminders import owe_due_reminders

    began = time.perf_counter()
    _, rounds = owe_due_reminders(now)
    return sum(r.recipients for r in rounds), time.perf_counter() - began


def timings(
    sizes: tuple[int, ...] = (1_000, 100_000),
    *,
    repeats: int = 5,
    smtp_url: str | None = None,
    workdir: Path | None = None,
) -> list[Timing]:
    """Time the sweep with nothing due and with 1% due, at each database size."""
    from acara.stages.reminders import send_owed_reminders

    results: list[Timing] = []
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        for size in sizes:
            template = Path(tmp) / f"template-{size}.db"
            build(template, size)
            quiet = FIRST_START - timedelta(days=10)  # no window open anywhere
            due = FIRST_START - timedelta(days=1) + timedelta(minutes=1)  # the first event's H-1
            _use(copy_sqlite(template, Path(tmp) / f"quiet-{size}.db"))
            samples = [_owe(quiet) for _ in range(repeats)]
            results.append(Timing(size, "nothing due", 0, statistics.median(s for _, s in samples)))
            owe_times, owed = [], 0
            for r in range(repeats):
                url = copy_sqlite(template, Path(tmp) / f"due-{size}-{r}.db")
                _use(url)
                owed, seconds = _owe(due)
                owe_times.append(seconds)
                acara_db.engine_for(url).dispose()
            results.append(Timing(size, "1% due", owed, statistics.median(owe_times)))
            if smtp_url:
                os.environ["ACARA_SMTP_URL"] = smtp_url
                get_settings.cache_clear()
                began = time.perf_counter()
                send_owed_reminders()
                results.append(
                    Timing(size, "1% due", owed, time.perf_counter() - began, step="deliver")
                )
    return results


def main() -> None:
    """Print the table."""
    from tests.smtp_server import SmtpSink

    with SmtpSink(discard=True) as sink:
        rows = timings(smtp_url=sink.url)
    print(f"{'invitations':>12} {'case':<12} {'step':<8} {'owed':>6} {'ms':>10}")
    for row in rows:
        print(
            f"{row.invitations:>12,} {row.case:<12} {row.step:<8} {row.owed:>6} "
            f"{row.seconds * 1000:>10.1f}"
        )


if __name__ == "__main__":
    main()
