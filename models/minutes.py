"""Minutes (notulen) of an event: what was said, what was decided, who does what by when."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from models.clock import UTCDateTime, enum_type, utcnow


class MinutesStatus(StrEnum):
    """Draft until approved; approved minutes are sent and no longer edited."""

    DRAFT = "draft"
    APPROVED = "approved"


class ActionStatus(StrEnum):
    """An action item is open until its owner is done with it."""

    OPEN = "open"
    DONE = "done"


class Minutes(SQLModel, table=True):
    """The record of one event's discussion."""

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", unique=True, ondelete="CASCADE")
    summary: str = ""
    discussion: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # [{"speaker": "Dr. Nurdin", "quote": "..."}]: quoted in the press release.
    key_statements: list[dict[str, str]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    status: MinutesStatus = Field(default=MinutesStatus.DRAFT, sa_type=enum_type(MinutesStatus))
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    approved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    approved_by: str | None = Field(default=None, max_length=120)


class Decision(SQLModel, table=True):
    """One decision recorded in the minutes, in the order it was taken."""

    id: int | None = Field(default=None, primary_key=True)
    minutes_id: int = Field(foreign_key="minutes.id", index=True, ondelete="CASCADE")
    position: int = 0
    text: str


class ActionItem(SQLModel, table=True):
    """A follow-up task with an owner and a due date, chased until done."""

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True, ondelete="CASCADE")
    minutes_id: int | None = Field(default=None, foreign_key="minutes.id", ondelete="CASCADE")
    description: str
    owner_name: str = Field(max_length=300)
    owner_email: str = Field(max_length=320)
    due_on: date
    status: ActionStatus = Field(
        default=ActionStatus.OPEN, index=True, sa_type=enum_type(ActionStatus)
    )
    done_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    done_by: str | None = Field(default=None, max_length=120)  # who closed it
    position: int = 0  # order in the minutes
    # First noticed past its due date (acara.action.overdue is recorded once, then).
    overdue_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
