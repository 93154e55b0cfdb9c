"""Typed domain events: past-tense facts that a change records, carrying ids, never ORM rows.

A fact is stored (models.audit.DomainEvent) in the same transaction as the change, under its
wire name; after the commit the bus sends it to Prefect, whose triggers start the flows, or,
without a server, the stage reacts to it in the same process. `WIRE_NAMES` is the one table
between the classes here and the names on the wire (`acara.event.announced`, ...).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar


@dataclass(frozen=True, slots=True, kw_only=True)
class DomainFact:
    """Something that happened to one event; `event_id` is the Prefect resource it is about."""

    event_id: int
    actor: str = ""  # who did it: the officer's name, "participant:<id>", "system"
    name: ClassVar[str] = ""  # the wire name, filled in from WIRE_NAMES

    def payload(self) -> dict[str, Any]:
        """The fact as JSON-ready data: what is stored and what Prefect receives."""
        return dataclasses.asdict(self)


@dataclass(frozen=True, slots=True, kw_only=True)
class EventAnnounced(DomainFact):
    """A draft event was announced: invitations are owed."""

    sequence: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class EventStarted(DomainFact):
    """The event is under way."""

    sequence: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class EventHeld(DomainFact):
    """The event took place: the follow-up starts."""

    sequence: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class EventReported(DomainFact):
    """Minutes approved and follow-up done."""

    sequence: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class EventClosed(DomainFact):
    """Nothing more is owed for the event."""

    sequence: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class EventCancelled(DomainFact):
    """The event was cancelled; every invitee is owed the cancellation."""

    sequence: int = 0
    reason: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class EventRescheduled(DomainFact):
    """Time or place changed; every invitee is owed an update (a new SEQUENCE)."""

    sequence: int = 0
    starts_at: str = ""  # ISO 8601, UTC
    ends_at: str = ""
    via: str = ""  # "import" when a re-imported event file moved it


@dataclass(frozen=True, slots=True, kw_only=True)
class InvitationAnswered(DomainFact):
    """A participant answered the invitation (or changed the answer)."""

    participant_id: int
    answer: str
    rsvp: str  # the participant's status after the answer
    previous: str
    channel: str = "web"  # web, calendar, or as an officer recorded it: phone, whatsapp, letter
    representative_id: int | None = None
    promoted_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class MinutesApproved(DomainFact):
    """The minutes were approved: they are owed to everyone present; the follow-up goes on."""

    minutes_id: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ActionItemOverdue(DomainFact):
    """An action item passed its due date without being done (recorded once)."""

    action_id: int
    due_on: str  # ISO date


F = TypeVar("F", bound=DomainFact)

WIRE_NAMES: dict[type[DomainFact], str] = {
    EventAnnounced: "acara.event.announced",
    EventStarted: "acara.event.started",
    EventHeld: "acara.event.held",
    EventReported: "acara.event.reported",
    EventClosed: "acara.event.closed",
    EventCancelled: "acara.event.cancelled",
    EventRescheduled: "acara.event.rescheduled",
    InvitationAnswered: "acara.invitation.answered",
    MinutesApproved: "acara.minutes.approved",
    ActionItemOverdue: "acara.action.overdue",
}
for _kind, _wire in WIRE_NAMES.items():
    _kind.name = _wire
BY_WIRE_NAME: dict[str, type[DomainFact]] = {wire: kind for kind, wire in WIRE_NAMES.items()}


def build(kind: type[F], values: dict[str, Any]) -> F:
    """A fact of `kind` from the values it has fields for; other keys are ignored."""
    fields = {f.name for f in dataclasses.fields(kind)}
    chosen = {k: v for k, v in values.items() if k in fields}
    if "promoted_ids" in chosen:
        chosen["promoted_ids"] = tuple(chosen["promoted_ids"])
    return kind(**chosen)


def from_wire(name: str, payload: dict[str, Any]) -> DomainFact:
    """The typed fact for a stored or received (wire name, payload)."""
    return build(BY_WIRE_NAME[name], payload)
