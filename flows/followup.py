"""The follow-up stage: after the event is held, the office thanks, asks, chases and reports.

`follow_up(event_id)` is started by the held event's trigger (acara.event.held) and when the
minutes are approved; `follow_up_sweep()` runs daily (prefect.yaml) for every held event and
every reported one with open action items. Each step is idempotent: running either flow twice
owes and sends nothing twice.
"""

# No `from __future__ import annotations`: the runner hands each run the flow object itself
# (pickled by value), and Prefect needs the parameters' types as objects, not names.

from datetime import datetime
from typing import Any

from prefect import flow, task
from prefect.task_runners import ThreadPoolTaskRunner

from acara.stages import followup, planning
from flows.report import (
    COLUMNS,
    delivery_row,
    event_run_name,
    publish_event_run,
    publish_sweep,
    say,
    sweep_run_name,
    sweep_time,
)
from flows.retries import unreachable
from models.events import EventHeld
from models.followup import FOLLOW_UP_PURPOSES
from models.minutes_rules import MINUTES_PURPOSE

SENT_PURPOSES = [MINUTES_PURPOSE, *FOLLOW_UP_PURPOSES]


@task(retries=2, retry_delay_seconds=[10, 60], retry_condition_fn=unreachable)
def owe_follow_up(event_id: int, now: datetime) -> dict[str, Any]:
    """Owe the thank-you, survey invitations, action reminders and escalations due now."""
    plan = followup.owe(event_id, now)
    return {
        "queued": plan.queued,
        "thank_you": plan.thank_you,
        "survey": plan.survey,
        "reminders": plan.reminders,
        "escalations": plan.escalations,
        "newly_overdue": plan.newly_overdue,
        "waiting": plan.waiting,
    }


@task
def write_press_release(event_id: int, now: datetime) -> str | None:
    """Write the press-release draft once the minutes are approved (never overwrite it)."""
    path = followup.press(event_id, now, overwrite=False)
    return str(path) if path else None


@task(retries=3, retry_delay_seconds=[30, 120, 600], retry_condition_fn=unreachable)
def send_follow_up(event_id: int) -> dict[str, Any]:
    """Deliver the owed follow-up mail through the outbox (a re-run sends only the rest)."""
    delivery = followup.send(event_id, SENT_PURPOSES)
    return {
        "sent": delivery.sent,
        "retry": delivery.retry,
        "failed": delivery.failed,
        "problem": delivery.problem,
        "summary": delivery.summary,
    }


@task
def still_owed(event_id: int) -> str | None:
    """Why the fact that started this run asks for nothing now (None: it still does)."""
    return planning.why_superseded(event_id, EventHeld.name)


@task
def report_when_done(event_id: int) -> bool:
    """Move the event from held to reported once its follow-up is done."""
    return followup.report(event_id)


@flow(
    name="follow-up",
    flow_run_name=event_run_name,
    task_runner=ThreadPoolTaskRunner(max_workers=2),
)
def follow_up(event_id: int, now: datetime | None = None) -> dict[str, Any]:
    """Thank the guests, ask for feedback, chase action items, draft the press release.

    Args:
        event_id: The held event's number in acara (`acara event list`).
        now: Follow up as if it were this time (what is due then really goes out); empty
            means now.
    """
    if reason := still_owed(event_id):
        say(reason)
        published = publish_event_run("follow-up", event_id, [], reason=reason)
        return {"event_id": event_id, "skipped": reason, **published}
    when = sweep_time(now)
    owed = owe_follow_up(event_id, when)
    press_release = write_press_release(event_id, when)
    sent = send_follow_up(event_id)
    reported = report_when_done(event_id)
    published = _publish(event_id, owed, sent, press_release, reported)
    return {
        "event_id": event_id,
        "owed": owed,
        "press_release": press_release,
        "sent": sent,
        "reported": reported,
        **published,
    }


def _publish(
    event_id: int, owed: dict[str, Any], sent: dict[str, Any], press: str | None, reported: bool
) -> dict[str, Any]:
    notes = [f"waiting: {note}" for note in owed["waiting"]]
    if press:
        notes.append(f"press-release draft: {press}")
    if reported:
        notes.append("the event is now reported")
    if sent["problem"]:
        notes.append(f"delivery stopped: {sent['problem']}")
    row = delivery_row("e-mail", owed["queued"], sent)
    return publish_event_run("follow-up", event_id, [row], notes=notes)


@task
def events_to_follow_up() -> list[int]:
    """Held events, and reported events whose action items are still open."""
    return followup.due_events()


@flow(name="follow-up-sweep", flow_run_name=sweep_run_name)
def follow_up_sweep(now: datetime | None = None) -> list[dict[str, Any]]:
    """The daily sweep: follow up every event that still has something owed.

    Args:
        now: Follow up as if it were this time (what is due then really goes out); empty
            means the time this run was due.
    """
    when = sweep_time(now)
    runs = [follow_up(event_id, when) for event_id in events_to_follow_up()]
    rows = [_sweep_row(run) for run in runs if "skipped" not in run]
    publish_sweep("follow-up-sweep", when, rows, [])
    return runs


def _sweep_row(run: dict[str, Any]) -> dict[str, Any]:
    row = delivery_row("e-mail", run["owed"]["queued"], run["sent"])
    return {"event": run["event"], **{c: row[c] for c in COLUMNS}}
