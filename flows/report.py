"""What every stage flow run shows in the Prefect UI: its name, and what it did as artifacts.

A run is named after its event's code and its own start in Jakarta time
(`send-invitations · kunker-camat-jambi-2026 · 2026-12-08 08.15 WIB`). At its end it publishes
a table artifact (owed, sent, failed, retrying, superseded per channel, or per event for a
sweep) and a short markdown summary naming the event by code, title and date in WIB.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from acara.stages import planning
from models.clock import utcnow

log = logging.getLogger(__name__)

JAKARTA = ZoneInfo("Asia/Jakarta")
COLUMNS = ("owed", "sent", "failed", "retrying", "superseded")


# --- names ------------------------------------------------------------------------------


def local_time(moment: datetime) -> str:
    """'2026-12-08 08.15 WIB': a moment as the office reads its clock."""
    return f"{moment.astimezone(JAKARTA):%Y-%m-%d %H.%M} WIB"


def scheduled_time() -> datetime:
    """When this run was due: its scheduled start (a runner may start it a few seconds early),
    or now outside a deployment run."""
    from prefect.runtime import flow_run

    scheduled = flow_run.scheduled_start_time
    return scheduled if isinstance(scheduled, datetime) and scheduled.tzinfo else utcnow()


def sweep_time(now: datetime | None) -> datetime:
    """The sweep's 'now': the one asked for, else the later of the clock and the scheduled
    start, so a run started early by the runner still finds what falls due at its slot."""
    return now or max(utcnow(), scheduled_time())


def event_run_name() -> str:
    """'send-invitations · kunker-camat-jambi-2026 · 2026-12-08 08.15 WIB'."""
    from prefect.runtime import flow_run

    name = flow_run.flow_name or "acara"
    event_id = flow_run.parameters.get("event_id")
    when = local_time(scheduled_time())
    try:
        return f"{name} · {planning.label(int(event_id)).code} · {when}"
    except Exception:  # naming must never fail the run (the event may be gone)
        return f"{name} · event {event_id} · {when}"


def sweep_run_name() -> str:
    """'reminder-sweep · 2026-12-08 08.15 WIB' (the time asked for, or the slot)."""
    from prefect.runtime import flow_run

    asked = flow_run.parameters.get("now")
    when = asked if isinstance(asked, datetime) else scheduled_time()
    return f"{flow_run.flow_name or 'sweep'} · {local_time(when)}"


# --- artifacts --------------------------------------------------------------------------


def artifact_key(*parts: object) -> str:
    """A Prefect artifact key (lower-case letters, digits, dashes) from readable parts."""
    text = "-".join(str(p) for p in parts if p not in (None, ""))
    return re.sub(r"-{2,}", "-", re.sub(r"[^a-z0-9-]", "-", text.lower())).strip("-")[:200]


def delivery_row(channel: str, owed: int, sent: Mapping[str, Any]) -> dict[str, Any]:
    """One table row: what a run owed and what became of it on one channel."""
    return {
        "channel": channel,
        "owed": owed,
        "sent": sent.get("sent", 0),
        "failed": _count(sent.get("failed", 0)),
        "retrying": _count(sent.get("retry", 0)),
        "superseded": sent.get("superseded", 0),
        "already sent before": sent.get("already_sent", 0),
    }


def _count(value: Any) -> int:
    return len(value) if isinstance(value, list) else int(value or 0)


def publish_event_run(
    flow_name: str,
    event_id: int,
    rows: list[dict[str, Any]],
    *,
    reason: str | None = None,
    notes: Iterable[str] = (),
) -> dict[str, Any]:
    """The table and summary of one event's run; returns what it published (for the result)."""
    try:
        label: planning.Label | str = planning.label(event_id)
        code = label.code  # type: ignore[union-attr]
    except Exception:
        label, code = f"event {event_id}", str(event_id)
    key = artifact_key(code, flow_name)
    lines = [f"### {flow_name} · {label}", ""]
    if reason:
        lines.append(f"**{reason[0].upper()}{reason[1:]}.**")
    else:
        total = {c: sum(int(r.get(c, 0)) for r in rows) for c in COLUMNS}
        lines.append(", ".join(f"{total[c]} {c}" for c in COLUMNS) + ".")
    lines += [f"- {note}" for note in notes]
    summary = "\n".join(lines)
    _artifacts(key, rows, summary, f"{flow_name} of {code}")
    return {"event": code, "artifact": key, "summary": summary}


def publish_sweep(
    flow_name: str, when: datetime, rows: list[dict[str, Any]], notes: Iterable[str]
) -> str:
    """The table (one row per event) and summary of a sweep run."""
    key = artifact_key(flow_name)
    lines = [f"### {flow_name} · {local_time(when)}", ""]
    if rows:
        lines += [f"- {r['event']}: {', '.join(f'{r[c]} {c}' for c in COLUMNS)}" for r in rows]
    else:
        lines.append("Nothing was owed.")
    lines += [f"- {note}" for note in notes]
    summary = "\n".join(lines)
    _artifacts(key, rows, summary, f"{flow_name} at {local_time(when)}")
    return summary


def _artifacts(key: str, rows: list[dict[str, Any]], summary: str, description: str) -> None:
    """Publish both artifacts; a run never fails because its report could not be stored."""
    from prefect.artifacts import create_markdown_artifact, create_table_artifact

    try:
        create_table_artifact(
            table=rows or [dict.fromkeys(COLUMNS, 0)], key=key, description=description
        )
        create_markdown_artifact(markdown=summary, key=f"{key}-summary", description=description)
    except Exception:
        log.warning("could not publish the artifacts of %s", key, exc_info=True)


def say(line: str) -> None:
    """One line in the run's log (the Prefect UI), or in the Python log outside a run."""
    from prefect import get_run_logger
    from prefect.exceptions import MissingContextError

    try:
        get_run_logger().info("%s", line)
    except MissingContextError:
        log.info("%s", line)
