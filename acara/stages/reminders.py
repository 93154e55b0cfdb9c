"""The reminder stage: owe what fell due, send it through the outbox, re-emit lost events.

The scheduled flow (flows/reminders.py) runs each step as a task; `acara remind --now`
runs `sweep`, the same steps in one go.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import col, select

from acara import bus
from acara.db import unit_of_work
from acara.messages.delivery import deliver
from acara.stages.plan import Plan, outbox_mark
from models.clock import Moment, moment, require_aware, utcnow
from models.event import Event
from models.reminders import PURPOSES, drop_stale, open_rounds, owe_round

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class OwedRound:
    """A round this sweep owed: which event, which reminder, how many messages."""

    event_id: int
    event_code: str
    purpose: str
    sequence: int
    recipients: int


@dataclass(slots=True)
class SweepReport:
    """What one sweep did."""

    now: datetime
    dropped: int = 0  # stale reminders superseded (event started, moved or cancelled)
    rounds: list[OwedRound] = field(default_factory=list)
    sent: int = 0
    failed: int = 0
    retry: int = 0
    delivery_note: str = ""
    reemitted: int = 0
    still_pending: int = 0


def owe_due_reminders(now: datetime | None = None) -> tuple[int, list[OwedRound]]:
    """Supersede stale reminders, then owe every round due at `now` (one transaction each)."""
    now = require_aware(now or utcnow(), "now")
    with unit_of_work() as session:
        dropped = drop_stale(session, now)
        due = open_rounds(session, now)
        codes = dict(
            session.exec(
                select(Event.id, Event.code).where(col(Event.id).in_({r.event_id for r in due}))
            ).all()
        )
    owed = []
    for round_ in due:
        with unit_of_work() as session:
            added = owe_round(session, round_, now)
        if added is None:  # a concurrent sweep owed it first
            continue
        owed.append(
            OwedRound(round_.event_id, codes[round_.event_id], round_.label, round_.sequence, added)
        )
        log.info("owed %s of event %s to %d people", round_.label, round_.event_id, added)
    return dropped, owed


def send_owed_reminders(as_of: datetime | None = None) -> tuple[int, int, int, str]:
    """Deliver queued reminders and nudges: (sent, retry, failed, summary line).

    `as_of`: the moment their "tomorrow", "in 3 days" count from (a simulated --at), else now.
    """
    summary = deliver(purposes=list(PURPOSES), as_of=as_of)
    return summary.sent, summary.retry, summary.failed, str(summary)


def sweep(now: datetime | None = None) -> SweepReport:
    """A whole sweep, as `acara remind --now` runs it."""
    report = SweepReport(now=require_aware(now or utcnow(), "now"))
    report.dropped, report.rounds = owe_due_reminders(report.now)
    sent = send_owed_reminders(report.now)
    report.sent, report.retry, report.failed, report.delivery_note = sent
    emitted = bus.reemit_pending()
    report.reemitted, report.still_pending = len(emitted.emitted), len(emitted.pending)
    return report


def plan_sweep(now: Moment = None) -> list[Plan]:
    """What a sweep at `now` would owe, per event, without owing it (a dry run)."""
    when = moment(now, where="--at")
    with unit_of_work(keep=False) as session:
        mark = outbox_mark(session)
        drop_stale(session, when)
        due = open_rounds(session, when)
        for round_ in due:
            owe_round(session, round_, when)
        plans = []
        for event_id in dict.fromkeys(r.event_id for r in due):
            event = session.get(Event, event_id)
            assert event is not None
            plan = Plan.of("remind", event)
            plan.owe(session, mark, event)
            plans.append(plan)
        return plans
