"""The one reaction table: which stage function a domain fact sets off.

With `acara serve` (or workers on a Prefect server) the fact reaches Prefect and the trigger
of the named deployment in prefect.yaml runs the flow of the same steps; without a server the
bus calls the stage function here, in the same process. tests/unit/test_deployments.py holds
prefect.yaml's triggers to this table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from acara.stages import followup, invitations
from models.events import (
    DomainFact,
    EventAnnounced,
    EventCancelled,
    EventHeld,
    EventRescheduled,
    MinutesApproved,
)


@dataclass(frozen=True, slots=True)
class Reaction:
    """What a fact sets off: a stage function of the event id, and its deployment when served."""

    stage: Callable[[int], object]
    deployment: str  # the prefect.yaml deployment whose trigger runs the same steps


REACTIONS: dict[type[DomainFact], Reaction] = {
    EventAnnounced: Reaction(invitations.send_invitations, "send-invitations"),
    EventRescheduled: Reaction(invitations.send_changes, "send-updates"),
    EventCancelled: Reaction(invitations.send_changes, "cancel-event"),
    EventHeld: Reaction(followup.follow_up, "follow-up"),
    MinutesApproved: Reaction(followup.follow_up, "follow-up"),  # the thank-you with the minutes
}


def react(fact: DomainFact) -> object | None:
    """Run the stage function a fact sets off (None when nothing reacts to it)."""
    reaction = REACTIONS.get(type(fact))
    return reaction.stage(fact.event_id) if reaction else None
