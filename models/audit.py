"""What happened and who did it: the audit trail and the stored domain events."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, text
from sqlmodel import Field, SQLModel

from models.clock import UTCDateTime, utcnow
from models.events import DomainFact, from_wire


class AuditEntry(SQLModel, table=True):
    """One line of the audit trail: a transition, an answer, a message, a check-in."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    actor: str = Field(max_length=120)  # officer login, "participant:<id>", "system"
    event_id: int | None = Field(default=None, foreign_key="event.id", index=True)
    action: str = Field(max_length=60)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class DomainEvent(SQLModel, table=True):
    """A fact stored in the same transaction as the change; emitted to Prefect after commit."""

    __table_args__ = (
        # The re-emit sweep only reads events not yet delivered.
        Index(
            "ix_domainevent_unemitted",
            "id",
            postgresql_where=text("emitted_at IS NULL"),
            sqlite_where=text("emitted_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80)  # wire name, e.g. acara.event.announced
    event_id: int | None = Field(default=None, foreign_key="event.id", index=True)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    occurred_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    emitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    @property
    def resource_id(self) -> str:
        """The Prefect resource this event is about."""
        return f"acara.event.{self.event_id}"

    def fact(self) -> DomainFact:
        """The typed fact this row stores."""
        return from_wire(self.name, self.payload)


def record(
    session: Any,
    *,
    actor: str,
    action: str,
    event_id: int | None,
    detail: dict[str, Any] | None = None,
    fact: DomainFact | None = None,
) -> DomainEvent | None:
    """Add an audit row and, when a domain fact is given, its stored event, to a session."""
    session.add(AuditEntry(actor=actor, event_id=event_id, action=action, detail=detail or {}))
    if fact is None:
        return None
    if not fact.actor:
        fact = replace(fact, actor=actor)
    domain_event = DomainEvent(name=fact.name, event_id=fact.event_id, payload=fact.payload())
    session.add(domain_event)
    return domain_event
