"""The reminder sweep: every 15 minutes (prefect.yaml), remind whoever is due, exactly once.

Each run owes the reminders and nudges whose window is open now, sends them through the
outbox, and re-emits stored domain events the Prefect server never received. Two runs at
once (two workers, or a slow run overlapping the next) owe each round once and claim each
message once, so nobody gets a reminder twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from prefect import flow, task

from acara import bus
from acara.stages import reminders
from flows.retries import unreachable
from models.clock import utcnow


@task(retries=2, retry_delay_seconds=[10, 60], retry_condition_fn=unreachable)
def owe_due_reminders(now: datetime) -> dict[str, Any]:
    """Drop reminders that came too late, owe the rounds whose window is open now."""
    dropped, rounds = reminders.owe_due_reminders(now)
    return {
        "dropped": dropped,
        "rounds": [
            {"event": r.event_code, "purpose": r.purpose, "recipients": r.recipients}
            for r in rounds
        ],
    }


@task(retries=3, retry_delay_seconds=[30, 120, 300], retry_condition_fn=unreachable)
def send_reminders() -> dict[str, Any]:
    """Deliver the owed reminders and nudges (a re-run sends only what is left)."""
    sent, retry, failed, note = reminders.send_owed_reminders()
    return {"sent": sent, "retry": retry, "failed": failed, "note": note}


@task
def reemit_domain_events() -> dict[str, int]:
    """Send Prefect the stored domain events it never received (its server was down)."""
    report = bus.reemit_pending()
    return {"reemitted": len(report.emitted), "pending": len(report.pending)}


def _run_name() -> str:
    from prefect.runtime import flow_run

    when = flow_run.parameters.get("now") or utcnow()
    return f"reminder-sweep {when:%Y-%m-%d %H:%M} UTC" if isinstance(when, datetime) else str(when)


@flow(name="reminder-sweep", flow_run_name=_run_name)
def reminder_sweep(now: datetime | None = None) -> dict[str, Any]:
    """Remind participants of upcoming events and nudge those who have not answered."""
    when = now or utcnow()
    owed = owe_due_reminders(when)
    sent = send_reminders()
    events = reemit_domain_events()
    return {"now": when.isoformat(), **owed, **sent, **events}
