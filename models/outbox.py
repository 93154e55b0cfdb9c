"""The outbox: one row per message to send, the single record of what was sent."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from models.clock import UTCDateTime, enum_type, utcnow


class MessageStatus(StrEnum):
    """Where a message stands; only QUEUED and RETRY rows are ever picked up."""

    QUEUED = "queued"
    SENDING = "sending"  # claimed by a worker; a crash leaves it here
    SENT = "sent"
    RETRY = "failed_retryable"
    FAILED = "failed_permanent"


class Message(SQLModel, table=True):
    """An e-mail owed to someone: unique per (event, recipient, purpose, sequence)."""

    __table_args__ = (
        UniqueConstraint("event_id", "recipient", "purpose", "sequence", name="uq_message_once"),
        # Sweeps only look at what is not yet sent; sent rows pile up and must not slow them.
        Index(
            "ix_message_pending",
            "status",
            "event_id",
            postgresql_where=text("status <> 'sent'"),
            sqlite_where=text("status <> 'sent'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True, ondelete="CASCADE")
    participant_id: int | None = Field(default=None, foreign_key="participant.id", index=True)
    recipient: str = Field(max_length=320)  # lower-case address
    purpose: str = Field(max_length=60)  # invitation, update, cancellation, reminder-1d, ...
    sequence: int = 0  # the event's ICS SEQUENCE this message was made for
    status: MessageStatus = Field(default=MessageStatus.QUEUED, sa_type=enum_type(MessageStatus))
    attempts: int = 0
    last_error: str | None = None
    smtp_message_id: str | None = Field(default=None, max_length=300)
    claimed_by: str | None = Field(default=None, max_length=80)  # worker that holds it
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
