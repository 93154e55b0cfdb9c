"""The invitation stage: invite, tell everyone about a change, cancel.

Each flow is the officer's checklist: owe the messages (one transaction), then send them
through the outbox in one task that batches thousands of e-mails over a few reused SMTP
connections (never one task per e-mail). Every step is idempotent, so a retried task or a
flow run twice sends nothing twice. Each task calls one step of the invitation stage
(acara/stages/invitations.py), which the CLI and the inline reactions call too.
"""

from __future__ import annotations

from typing import Any

from prefect import flow, task
from prefect.runtime import flow_run
from prefect.task_runners import ThreadPoolTaskRunner

from acara.stages import invitations, planning
from flows.retries import unreachable


def _run_name() -> str:
    """'send-invitations · kunker-camat-jambi-2026 (1)': the event as officers know it."""
    name = flow_run.flow_name or "acara"
    event_id = flow_run.parameters.get("event_id")
    try:
        return f"{name} · {invitations.event_code(int(event_id))} ({event_id})"
    except Exception:  # naming must never fail the run
        return f"{name} · event {event_id}"


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
        "failed": [{"to": f.recipient, "reason": f.reason} for f in summary.failures],
        "retry": [{"to": f.recipient, "reason": f.reason} for f in summary.retries],
        "destination": summary.destination,
    }


_RUNNER = {"task_runner": ThreadPoolTaskRunner(max_workers=2), "flow_run_name": _run_name}


@flow(name="send-invitations", **_RUNNER)
def send_invitations(event_id: int) -> dict[str, Any]:
    """Invite every participant not yet invited, each once, with a calendar invite."""
    owed = owe_invitations(event_id)
    return {"event_id": event_id, "owed": owed, **send(event_id)}


@flow(name="send-updates", **_RUNNER)
def send_updates(event_id: int) -> dict[str, Any]:
    """After a reschedule or change of place: the same calendar entry, moved for everyone."""
    owed = owe_changes(event_id)
    return {"event_id": event_id, "owed": owed, **send(event_id)}


@flow(name="cancel-event", **_RUNNER)
def cancel_event(event_id: int, reason: str | None = None) -> dict[str, Any]:
    """Cancel the event (with a reason) or, when already cancelled, tell whoever is not told."""
    owed = cancel(event_id, reason) if reason else owe_changes(event_id)
    return {"event_id": event_id, "owed": owed, **send(event_id)}
