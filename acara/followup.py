"""Follow-up steps shared by the CLI and the Prefect flow; each step is one unit of work.

approve: the minutes are approved (domain event acara.minutes.approved), rendered to HTML and
PDF and owed to everyone present and to every action-item owner. owe: the thank-you letter,
survey invitations, action-item reminders and escalations due now. press: the press-release
draft. send: deliver what the outbox owes for these purposes. report: held -> reported once
the follow-up is done. Every step is safe to run again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import event as sa_event
from sqlmodel import Session

from acara import bus
from acara.db import unit_of_work
from acara.documents.minutes import write_minutes
from acara.documents.press import press_release_written, write_press_release
from acara.settings import get_settings
from models.audit import DomainEvent
from models.clock import require_aware, utcnow
from models.followup import (
    FOLLOW_UP_PURPOSES,
    FollowUpPlan,
    FollowUpPolicy,
    events_to_follow_up,
    plan_follow_up,
    report_if_done,
)
from models.minutes import MinutesStatus
from models.minutes_rules import MINUTES_PURPOSE, approve_minutes, minutes_of
from models.queries import get_event

log = logging.getLogger(__name__)


def policy() -> FollowUpPolicy:
    """The follow-up timings from settings (ACARA_ESCALATE_AFTER_DAYS and friends)."""
    settings = get_settings()
    return FollowUpPolicy(
        remind_before_days=settings.action_remind_before_days,
        remind_every_days=settings.action_remind_every_days,
        escalate_after_days=settings.escalate_after_days,
        thank_you_wait_days=settings.thank_you_wait_days,
        survey_open_days=settings.survey_open_days,
    )


@dataclass(slots=True)
class Delivery:
    """What one delivery pass did; `problem` says why it stopped, if it did."""

    sent: int = 0
    retry: int = 0
    failed: int = 0
    problem: str = ""
    summary: str = ""  # the delivery's own one-line summary


def send(event_id: int | None, purposes: list[str]) -> Delivery:
    """Deliver what the outbox owes for these purposes; a re-run sends only what is unsent."""
    from acara.messages.delivery import DeliveryStopped, deliver

    try:
        summary = deliver(event_id=event_id, purposes=purposes)
    except DeliveryStopped as exc:
        # The server is down or refused the login: what is owed stays queued for the next run.
        log.warning("follow-up delivery stopped: %s", exc)
        return Delivery(problem=str(exc))
    return Delivery(summary.sent, summary.retry, summary.failed, summary=str(summary))


@dataclass(slots=True)
class Approved:
    """The outcome of `approve`."""

    event_id: int
    code: str
    newly_approved: bool
    recipients: int
    queued: int
    html: Path
    pdf: Path
    delivery: Delivery | None = None  # None when asked not to send
    bus_lines: list[str] = field(default_factory=list)


def approve(
    event_ref: str | int,
    *,
    actor: str,
    now: datetime | None = None,
    send_now: bool = True,
    follow_up: bool = True,
) -> Approved:
    """Approve the minutes, render them, mail them; then the follow-up starts (run again: no-op).

    The order is the officer's: the minutes go out first, then acara.minutes.approved is
    emitted; with no Prefect server its follow-up (the thank-you with the minutes) runs here,
    unless follow_up=False (tests that drive the follow-up with their own clock).
    """
    now = require_aware(now or utcnow(), "now")
    facts: list[DomainEvent] = []
    with unit_of_work() as session:
        sa_event.listen(session, "before_flush", _collector(facts))
        event = get_event(session, event_ref)
        approval = approve_minutes(session, event, actor=actor, now=now)
    assert event.id is not None
    with unit_of_work() as session:
        event = get_event(session, event.id)
        files = write_minutes(session, event, now=now)
    outcome = Approved(
        event.id,
        event.code,
        approval.newly_approved,
        len(approval.recipients),
        approval.queued,
        files.html,
        files.pdf,
    )
    if send_now:
        outcome.delivery = send(event.id, [MINUTES_PURPOSE])
    report = bus.after_commit([f.id for f in facts], inline=follow_up)
    outcome.bus_lines = report.lines()
    return outcome


def _collector(facts: list[DomainEvent]) -> Callable[..., None]:
    """A before_flush listener that remembers the domain events a unit of work stores."""

    def collect(session: Session, _context: object, _instances: object) -> None:
        facts.extend(o for o in session.new if isinstance(o, DomainEvent))

    return collect


def owe(event_id: int, now: datetime) -> FollowUpPlan:
    """Owe every follow-up message due at `now` for one event."""
    with bus.publishing() as (session, _):
        event = get_event(session, event_id)
        plan = plan_follow_up(session, event, now=now, policy=policy())
    return plan


def press(event_id: int, now: datetime, *, overwrite: bool = True) -> Path | None:
    """Write the press-release draft; with overwrite=False, only when there is none yet.

    The flow writes it once the minutes are approved (their key statements are its quotes)
    and never overwrites it; `acara followup press` always writes it anew.
    """
    with unit_of_work() as session:
        event = get_event(session, event_id)
        if not overwrite:
            minutes = minutes_of(session, event)
            if minutes is None or minutes.status is not MinutesStatus.APPROVED:
                return None
            if press_release_written(event):
                return None
        return write_press_release(session, event, now=now).markdown


def report(event_id: int) -> bool:
    """Held -> reported when the minutes are approved and the follow-up is owed and written."""
    with bus.publishing() as (session, _):
        event = get_event(session, event_id)
        return report_if_done(session, event, press_release_written=press_release_written(event))


def due_events() -> list[int]:
    """The events the daily sweep follows up."""
    with unit_of_work() as session:
        return events_to_follow_up(session)


@dataclass(slots=True)
class FollowUpReport:
    """What one follow-up run of one event did, for the CLI and the flow's result."""

    event_id: int
    code: str
    plan: FollowUpPlan
    press_release: Path | None
    delivery: Delivery
    reported: bool
    status: str

    def __str__(self) -> str:
        """One line, as the bus prints an inline handler's result."""
        p = self.plan
        return (
            f"follow-up of {self.code}: owed {p.queued} message(s), sent {self.delivery.sent}"
            + (", press-release draft written" if self.press_release else "")
            + f"; event is {self.status}"
        )

    def lines(self) -> list[str]:
        """Human-readable lines."""
        p = self.plan
        out = [
            f"{self.code}: owed {p.thank_you} thank-you, {p.survey} survey, "
            f"{p.reminders} action reminder(s), {p.escalations} escalation(s).",
        ]
        out += [f"  waiting: {note}" for note in p.waiting]
        if p.newly_overdue:
            out.append(f"  newly overdue action items: {', '.join(map(str, p.newly_overdue))}")
        if self.press_release:
            out.append(f"  press-release draft: {self.press_release}")
        out.append(
            f"  sent {self.delivery.sent}, retry {self.delivery.retry}, "
            f"failed {self.delivery.failed}"
            + (f" ({self.delivery.problem})" if self.delivery.problem else "")
        )
        out.append(
            f"  event is {self.status}" + (" (moved to reported now)" if self.reported else "")
        )
        return out


def run(event_ref: str | int, now: datetime | None = None) -> FollowUpReport:
    """The whole follow-up of one event without Prefect: what the flow does, step by step."""
    now = require_aware(now or utcnow(), "now")
    with unit_of_work() as session:
        event = get_event(session, event_ref)
    assert event.id is not None
    plan = owe(event.id, now)
    draft = press(event.id, now, overwrite=False)
    delivery = send(event.id, [MINUTES_PURPOSE, *FOLLOW_UP_PURPOSES])
    moved = report(event.id)
    return FollowUpReport(event.id, event.code, plan, draft, delivery, moved, _status(event.id))


def _status(event_id: int) -> str:
    with unit_of_work() as session:
        return get_event(session, event_id).status.value
