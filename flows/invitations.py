"""The invitation stage: invite, tell everyone about a change, cancel.

Each flow is the officer's checklist: check that the fact which started it still asks for
something, owe the messages (one transaction), send them through the outbox in one task that
batches thousands of e-mails over a few reused SMTP connections (never one task per e-mail),
and publish what it did. Every step is idempotent, so a retried task or a flow run twice sends
nothing twice. Each task calls one step of the invitation stage (acara/stages/invitations.py),
which the CLI and the inline reactions call too.
"""

# No `from __future__ import annotations`: the runner hands each run the flow object itself
# (pickled by value), and Prefect needs the parameters' types as objects, not names.

from typing import Any

from prefect import flow, task
from prefect.task_runners import ThreadPoolTaskRunner

from acara.stages import invitations, planning
from flows.report import delivery_row, event_run_name, publish_event_run, say
from flows.retries import unreachable
from models.events import EventAnnounced, EventCancelled, EventRescheduled


@task
def still_owed(event_id: int, fact: str, sequence: int | None = None) -> str | None:
    """Why the fact that started this run asks for nothing now (None: it still does)."""
    return planning.why_superseded(event_id, fact, sequence)


@task(retries=2, retry_delay_seconds=[5, 30], retry_condition_fn=unreachable)
def owe_invitations(event_id: int) -> int:
    """Announce a draft event and owe an invitation to everyone not yet invited."""
    return invitations.owe_invitations(event_id, actor="flow").messages


@task(retries=2, retry_delay_seconds=[5, 30], retry_condition_fn=unreachable)
def owe_changes(event_id: int) -> int:
    """Owe an update or a cancellation to everyone whose calendar holds an older version."""
    return invitations.owe_changes(event_id).messages


@task(retries=2, retry_delay_seconds=[5, 30], retry_condition_fn=unreachable)
def cancel(event_id: int, reason: str) -> int:
    """Cancel the event (unless it already is) and owe the cancellations."""
    return planning.cancel(event_id, reason=reason, actor="flow", react=False).plan.recipients


@task(retries=3, retry_delay_seconds=[30, 120, 600], retry_condition_fn=unreachable)
def send(event_id: int) -> dict[str, Any]:
    """Send the owed invitations, updates and cancellations; a retry sends only the rest."""
    summary = invitations.send_owed(event_id)
    return {
        "sent": summary.sent,
        "already_sent": summary.skipped,
        "superseded": summary.superseded,
        "failed": [{"to": f.recipient, "reason": f.reason} for f in summary.failures],
        "retry": [{"to": f.recipient, "reason": f.reason} for f in summary.retries],
        "destination": summary.destination,
    }


def _nothing_to_do(name: str, event_id: int, reason: str) -> dict[str, Any]:
    """End the run quietly (COMPLETED): the fact was superseded; nobody needs to act."""
    say(reason)
    return {
        "event_id": event_id,
        "skipped": reason,
        **publish_event_run(name, event_id, [], reason=reason),
    }


def _done(name: str, event_id: int, owed: int, sent: dict[str, Any]) -> dict[str, Any]:
    """The run's result, and its table and summary in the Prefect UI."""
    notes = [f"to {sent['destination']}"] + [
        f"{problem['to']}: {problem['reason']}" for problem in sent["failed"][:20]
    ]
    row = delivery_row("e-mail", owed, sent)
    return {
        "event_id": event_id,
        "owed": owed,
        **sent,
        **publish_event_run(name, event_id, [row], notes=notes),
    }


_RUNNER = {"task_runner": ThreadPoolTaskRunner(max_workers=2), "flow_run_name": event_run_name}


@flow(name="send-invitations", **_RUNNER)
def send_invitations(event_id: int) -> dict[str, Any]:
    """Invite every participant not yet invited, each once, with a calendar invite.

    Args:
        event_id: The event's number in acara (`acara event list`); a draft event is announced.
    """
    if reason := still_owed(event_id, EventAnnounced.name):
        return _nothing_to_do("send-invitations", event_id, reason)
    owed = owe_invitations(event_id)
    return _done("send-invitations", event_id, owed, send(event_id))


@flow(name="send-updates", **_RUNNER)
def send_updates(event_id: int, sequence: int | None = None) -> dict[str, Any]:
    """After a reschedule or change of place: the same calendar entry, moved for everyone.

    Args:
        event_id: The event's number in acara (`acara event list`).
        sequence: The calendar SEQUENCE of the change that started this run (set by the
            trigger); a run for a change that a later one replaced ends with nothing to do.
            Leave it empty to send whatever update is owed now.
    """
    if reason := still_owed(event_id, EventRescheduled.name, sequence):
        return _nothing_to_do("send-updates", event_id, reason)
    owed = owe_changes(event_id)
    return _done("send-updates", event_id, owed, send(event_id))


@flow(name="cancel-event", **_RUNNER)
def cancel_event(event_id: int, reason: str | None = None) -> dict[str, Any]:
    """Cancel the event (with a reason) or, when already cancelled, tell whoever is not told.

    Args:
        event_id: The event's number in acara (`acara event list`).
        reason: Why the event is cancelled, as the letter says it; give it to cancel from
            here. Empty: the event was cancelled already and the cancellations are sent.
    """
    if reason:
        owed = cancel(event_id, reason)
    elif stale := still_owed(event_id, EventCancelled.name):
        return _nothing_to_do("cancel-event", event_id, stale)
    else:
        owed = owe_changes(event_id)
    return _done("cancel-event", event_id, owed, send(event_id))
