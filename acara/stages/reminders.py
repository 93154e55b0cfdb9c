"""The reminder stage: owe what fell due, send it through the outbox, re-emit lost events.

The scheduled flow (flows/reminders.py) runs each step as a task; `acara remind --now`
runs `sweep`, the same steps in one go. The sweep sends everything the outbox owes, of every
purpose, event by event: the reminders and nudges it owed, and whatever a run that died left
queued or in flight (invitations, updates, cancellations, minutes, follow-up).
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
from models.outbox import events_with_work
from models.reminders import drop_stale, open_rounds, owe_round, without_email

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


@dataclass(frozen=True, slots=True)
class EventDelivery:
    """What a sweep sent for one event."""

    event_id: int
    event_code: str
    sent: int
    retry: int
    failed: int
    superseded: int
    recovered: int  # left in flight by a run that died, queued again and sent now
    note: str


def send_owed(as_of: datetime | None = None) -> list[EventDelivery]:
    """Deliver everything the outbox owes, event by event, whatever its purpose.

    `as_of`: the moment the letters' "tomorrow", "in 3 days" count from (a simulated --at).
    """
    with unit_of_work() as session:
        events = events_with_work(session)
        codes = dict(
            session.exec(select(Event.id, Event.code).where(col(Event.id).in_(events))).all()
        )
    delivered = []
    for event_id in events:
        summary = deliver(event_id=event_id, as_of=as_of)
        delivered.append(
            EventDelivery(
                event_id,
                codes.get(event_id, str(event_id)),
                summary.sent,
                summary.retry,
                summary.failed,
                summary.superseded,
                summary.recovered,
                str(summary),
            )
        )
    return delivered


def send_owed_reminders(as_of: datetime | None = None) -> tuple[int, int, int, str]:
    """Deliver what is owed (reminders, and what a dead run left): (sent, retry, failed, line)."""
    delivered = send_owed(as_of)
    sent, retry, failed = (
        sum(getattr(d, f) for d in delivered) for f in ("sent", "retry", "failed")
    )
    if not delivered:
        return 0, 0, 0, "nothing was owed"
    line = "; ".join(f"{d.event_code}: {d.note}" for d in delivered)
    return sent, retry, failed, line


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
        skipped: dict[int, int] = {}
        for round_ in due:
            skipped[round_.event_id] = skipped.get(round_.event_id, 0) + without_email(
                session, round_
            )
            owe_round(session, round_, when)
        plans = []
        for event_id in dict.fromkeys(r.event_id for r in due):
            event = session.get(Event, event_id)
            assert event is not None
            plan = Plan.of("remind", event)
            plan.owe(session, mark, event)
            plan.skipped_without_email(skipped[event_id])
            plans.append(plan)
        return plans
