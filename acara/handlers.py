"""What a domain event sets off when no Prefect server will: the inline twins of the triggers.

prefect.yaml's triggers start a flow for each fact; when no server runs (the plain CLI) the
bus calls these instead, in the same process. Each does what its flow does, through the same
steps (owe in one transaction, then deliver through the outbox), so running both, or one
twice, sends nothing twice. No Prefect in here: a Prefect task without a server would start
a temporary one first.
"""

from __future__ import annotations

from typing import Any

from acara import invitations
from acara.messages.delivery import deliver


def send_invitations(event_id: int) -> Any:
    """acara.event.announced: invite everyone not yet invited and send it (send-invitations)."""
    invitations.owe_invitations(event_id, actor="system")
    return deliver(event_id=event_id, purposes=invitations.CALENDAR_PURPOSES)


def send_changes(event_id: int) -> Any:
    """acara.event.rescheduled / cancelled: tell everyone invited (send-updates, cancel-event)."""
    invitations.owe_changes(event_id)
    return deliver(event_id=event_id, purposes=invitations.CALENDAR_PURPOSES)


def follow_up(event_id: int) -> Any:
    """acara.event.held: thank, ask, chase and draft the press release (follow-up)."""
    from acara import followup

    return followup.run(event_id)
