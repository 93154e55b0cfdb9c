"""Read the organiser's mailbox every five minutes (prefect.yaml: read-replies).

Calendar answers change participants' RSVP under the RSVP page's rules; everything else is
kept for the officer. Each message is claimed once in the database, so two runs at once (two
workers, or a slow run overlapping the next) apply nothing twice, and a run stopped midway
leaves the rest for the next one.
"""

from __future__ import annotations

from typing import Any

from prefect import flow, task

from acara.stages import replies
from flows.retries import unreachable


@task(retries=2, retry_delay_seconds=[30, 120], retry_condition_fn=unreachable)
def read_mailbox() -> dict[str, Any]:
    """Read the messages no run read yet and apply each (a retry reads only the rest)."""
    return replies.read_configured().summary()


@flow(name="read-replies", flow_run_name="read-replies")
def read_replies() -> dict[str, Any]:
    """Read calendar replies, typed answers and bounces from the organiser's mailbox."""
    return read_mailbox()
