"""The invitation stage: invite everyone once, tell them of every change, cancel.

Owing and sending are separate steps: owing is one transaction derived from the state
(who is not yet invited, whose calendar holds an older SEQUENCE), sending works off the
outbox. Both are idempotent, so a crash, a retried task or a second run sends nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from acara.db import unit_of_work
from acara.messages.delivery import DeliverySummary, Progress, deliver
from acara.stages.plan import Change, Plan, outbox_mark
from acara.stages.unit import change
from models import invitations
from models.errors import N_
from models.event import EventStatus
from models.queries import get_event

CALENDAR_PURPOSES = invitations.CALENDAR_PURPOSES


@dataclass(frozen=True, slots=True)
class Owed:
    """What a step put in the outbox for an event."""

    event_id: int
    event_code: str
    messages: int
    plan: Plan


def owe_invitations(event: str | int, *, actor: str, dry_run: bool = False) -> Owed:
    """Announce a draft event; owe invitations to the uninvited and news to the outdated.

    The announcement is published, but not reacted to here: the caller sends next.
    """
    with change(react=False, dry_run=dry_run) as (session, _):
        target = get_event(session, event)
        plan = Plan.of("invite", target)
        if target.status is EventStatus.DRAFT:
            plan.changes.append(Change(N_("status"), target.status.value, "announced"))
        mark = outbox_mark(session)
        added = invitations.invite(session, target, actor=actor)
        added += invitations.owe_changes(session, target)
        plan.owe(session, mark, target)
        assert target.id is not None
        return Owed(target.id, target.code, added, plan)


def owe_changes(event: str | int) -> Owed:
    """Owe an update (or a cancellation) to everyone whose own programme changed."""
    with unit_of_work() as session:
        target = get_event(session, event)
        plan = Plan.of("send changes", target)
        mark = outbox_mark(session)
        added = invitations.owe_changes(session, target)
        plan.owe(session, mark, target)
        assert target.id is not None
        return Owed(target.id, target.code, added, plan)


def send_owed(event_id: int, progress: Progress | None = None) -> DeliverySummary:
    """Send the invitations, updates and cancellations owed for an event."""
    return deliver(event_id=event_id, purposes=CALENDAR_PURPOSES, progress=progress)


def send_invitations(event_id: int) -> DeliverySummary:
    """Reaction to EventAnnounced: invite everyone not yet invited and send it."""
    owe_invitations(event_id, actor="system")
    return send_owed(event_id)


def send_changes(event_id: int) -> DeliverySummary:
    """Reaction to EventRescheduled and EventCancelled: tell everyone invited."""
    owe_changes(event_id)
    return send_owed(event_id)


def event_code(event_id: int) -> str:
    """The event's code, for names people read (flow runs, logs)."""
    with unit_of_work() as session:
        return get_event(session, event_id).code
