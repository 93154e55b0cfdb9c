"""The minutes stage: the notulen are recorded from a file, approved, rendered and sent.

Approving records MinutesApproved; the minutes go out first, then the fact is published and
the follow-up (the thank-you with the minutes) reacts to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from acara.db import unit_of_work
from acara.documents.minutes import MinutesFiles, write_minutes
from acara.minutesfile import read_minutes_file
from acara.stages.followup import Delivery, send
from acara.stages.plan import Change, Plan, outbox_mark
from acara.stages.unit import change
from models.clock import Moment, moment, utcnow
from models.errors import N_, NotFound
from models.event import Event
from models.minutes import ActionItem, Decision, Minutes
from models.minutes_rules import (
    MINUTES_PURPOSE,
    action_items_of,
    approve_minutes,
    decisions_of,
    minutes_of,
    parse_minutes,
    record_minutes,
)
from models.queries import get_event


@dataclass(frozen=True, slots=True)
class Recorded:
    """Minutes taken in from a file as a draft."""

    event: Event
    replaced: bool  # a draft was there and is replaced
    decisions: int
    action_items: int
    key_statements: int


@dataclass(frozen=True, slots=True)
class MinutesView:
    """Recorded minutes with their decisions and action items."""

    event: Event
    minutes: Minutes
    decisions: list[Decision]
    action_items: list[ActionItem]


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


def record(event: str | int, path: Path, *, actor: str) -> Recorded:
    """Record the minutes as a draft (again: the draft is replaced; approved ones are kept)."""
    source = read_minutes_file(path)
    with change() as (session, _):
        target = get_event(session, event)
        spec = parse_minutes(source, target)
        recorded = record_minutes(session, target, spec, actor=actor, now=utcnow())
    return Recorded(
        target,
        recorded.replaced,
        len(spec.decisions),
        len(spec.action_items),
        len(spec.key_statements),
    )


def show(event: str | int) -> MinutesView:
    """The recorded minutes of an event, or NotFound."""
    with unit_of_work() as session:
        target = get_event(session, event)
        minutes = minutes_of(session, target)
        if minutes is None:
            raise NotFound(N_("No minutes recorded for {event!r}."), event=target.code)
        return MinutesView(
            target, minutes, decisions_of(session, minutes), action_items_of(session, minutes)
        )


def render(event: str | int) -> MinutesFiles:
    """Write the minutes (draft or approved) as HTML and PDF, without sending anything."""
    with unit_of_work() as session:
        return write_minutes(session, get_event(session, event), now=utcnow())


def plan_approval(event_ref: str | int, at: Moment = None, *, force: str | None = None) -> Plan:
    """Who approving the minutes would send them to, without approving (a dry run)."""
    with change(dry_run=True) as (session, _):
        event = get_event(session, event_ref)
        plan = Plan.of("minutes approve", event)
        mark = outbox_mark(session)
        now = moment(at, event.timezone, "--at")
        approval = approve_minutes(session, event, actor="", now=now, force=force)
        if approval.newly_approved:
            plan.changes.append(Change(N_("minutes"), "draft", "approved"))
        plan.owe(session, mark, event)
        plan.skipped_without_email(approval.without_email)
    return plan


def approve(
    event_ref: str | int,
    *,
    actor: str,
    now: Moment = None,
    send_now: bool = True,
    follow_up: bool = True,
    force: str | None = None,
) -> Approved:
    """Approve the minutes, render them, mail them; then the follow-up starts (run again: no-op).

    The order is the officer's: the minutes go out first, then MinutesApproved is published;
    with no Prefect server its follow-up (the thank-you with the minutes) runs here, unless
    follow_up=False (tests that drive the follow-up with their own clock).
    """
    with change(react=follow_up, defer=True) as (session, published):
        event = get_event(session, event_ref)
        now = moment(now, event.timezone, "--at")
        approval = approve_minutes(session, event, actor=actor, now=now, force=force)
    assert event.id is not None
    with unit_of_work() as session:
        files = write_minutes(session, get_event(session, event.id), now=now)
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
        outcome.delivery = send(event.id, [MINUTES_PURPOSE], as_of=now)
    outcome.bus_lines = published.publish().lines()
    return outcome
