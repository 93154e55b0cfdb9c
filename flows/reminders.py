"""The reminder sweep: every 15 minutes (prefect.yaml), remind whoever is due, exactly once.

Each run owes the reminders and nudges whose window is open now, sends everything the outbox
owes (also what a run that died left: invitations, updates, cancellations, follow-up), and
re-emits stored domain events the Prefect server never received. Two runs at once (two
workers, or a slow run overlapping the next) owe each round once and claim each message once,
so nobody gets a reminder twice. Its artifact lists what it owed and sent, per event.
"""

# No `from __future__ import annotations`: the runner hands each run the flow object itself
# (pickled by value), and Prefect needs the parameters' types as objects, not names.

from datetime import datetime
from typing import Any

from prefect import flow, task

from acara import bus
from acara.stages import reminders
from flows.report import COLUMNS, publish_sweep, sweep_run_name, sweep_time
from flows.retries import unreachable


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
def send_owed() -> list[dict[str, Any]]:
    """Deliver everything owed, event by event (a re-run sends only what is left)."""
    return [
        {
            "event": d.event_code,
            "sent": d.sent,
            "retrying": d.retry,
            "failed": d.failed,
            "superseded": d.superseded,
            "left by a stopped run": d.recovered,
        }
        for d in reminders.send_owed()
    ]


@task
def reemit_domain_events() -> dict[str, int]:
    """Send Prefect the stored domain events it never received (its server was down)."""
    report = bus.reemit_pending()
    return {"reemitted": len(report.emitted), "pending": len(report.pending)}


def _per_event(owed: dict[str, Any], sent: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per event: what this sweep owed it and what became of its messages."""
    rows: dict[str, dict[str, Any]] = {}
    for r in owed["rounds"]:
        row = rows.setdefault(r["event"], {"event": r["event"], **dict.fromkeys(COLUMNS, 0)})
        row["owed"] += r["recipients"]
    for d in sent:
        rows.setdefault(d["event"], {"event": d["event"], **dict.fromkeys(COLUMNS, 0)}).update(d)
    return list(rows.values())


def _notes(owed: dict[str, Any], events: dict[str, int]) -> list[str]:
    notes = []
    if owed["dropped"]:
        notes.append(f"{owed['dropped']} reminder(s) dropped: they would arrive too late")
    if events["reemitted"]:
        notes.append(f"{events['reemitted']} stored domain event(s) re-sent to Prefect")
    return notes


@flow(name="reminder-sweep", flow_run_name=sweep_run_name)
def reminder_sweep(now: datetime | None = None) -> dict[str, Any]:
    """Remind participants of upcoming events and nudge those who have not answered.

    Args:
        now: Sweep as if it were this time (e.g. the day before an event, to try it on demo
            data); empty means the time this run was due. What is due then really goes out.
    """
    when = sweep_time(now)
    owed = owe_due_reminders(when)
    sent = send_owed()
    events = reemit_domain_events()
    summary = publish_sweep("reminder-sweep", when, _per_event(owed, sent), _notes(owed, events))
    return {"now": when.isoformat(), **owed, "delivered": sent, **events, "summary": summary}
