"""People, their part in an event, their answer to the invitation and their attendance."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from models.clock import UTCDateTime, enum_type, utcnow
from models.names import PersonName


class Language(StrEnum):
    """Language of everything a participant receives."""

    ID = "id"
    EN = "en"


class Role(StrEnum):
    """What a participant does at the event."""

    HOST_OFFICIAL = "host_official"
    GUEST = "guest"
    SPEAKER = "speaker"
    MODERATOR = "moderator"
    MINUTE_TAKER = "minute_taker"
    MEDIA = "media"
    COMMUNITY = "community"  # community representative, e.g. Ketua RW
    STAFF = "staff"  # civil servants attending (ASN)


class RsvpStatus(StrEnum):
    """A participant's answer to the invitation."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    REPRESENTED = "represented"  # someone else comes in their place
    WAITLISTED = "waitlisted"  # accepted, but the event is full
    TENTATIVE = "tentative"  # belum pasti: "maybe" from a calendar; nudged like the undecided


class AttendanceStatus(StrEnum):
    """What happened on the day."""

    PRESENT = "present"
    ABSENT = "absent"
    EXCUSED = "excused"
    REPRESENTED = "represented"


class Person(SQLModel, table=True):
    """Someone the office writes to; one row per e-mail address across all events."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(unique=True, max_length=320)  # stored lower-case: the merge key
    name: str = Field(max_length=300)  # the name alone, without titles
    salutation: str = Field(default="", max_length=20)  # Bapak, Ibu, Mr., Ms.
    title_prefix: str = Field(default="", max_length=100)  # Prof. Dr. Ir. H.
    title_suffix: str = Field(default="", max_length=100)  # S.T., M.Si.
    position: str = Field(default="", max_length=300)  # jabatan
    organisation: str = Field(default="", max_length=300)
    phone: str = Field(default="", max_length=40)
    language: Language = Field(default=Language.ID, sa_type=enum_type(Language))

    @property
    def full_name(self) -> PersonName:
        """The name with its parts, for letters and lists."""
        return PersonName(self.name, self.title_prefix, self.title_suffix, self.salutation)


class Participant(SQLModel, table=True):
    """A person's place in one event: role, group, invitation answer."""

    __table_args__ = (UniqueConstraint("event_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True, ondelete="CASCADE")
    person_id: int = Field(foreign_key="person.id", index=True)
    role: Role = Field(default=Role.GUEST, sa_type=enum_type(Role))
    group_id: int | None = Field(default=None, foreign_key="breakoutgroup.id")
    rsvp: RsvpStatus = Field(default=RsvpStatus.PENDING, index=True, sa_type=enum_type(RsvpStatus))
    responded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Set on the stand-in's row: the participant they represent.
    represents_id: int | None = Field(default=None, foreign_key="participant.id")
    added_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # The programme (models.programme) their last calendar message told them; {} before any.
    told: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False, server_default=text("'{}'"))
    )


class Attendance(SQLModel, table=True):
    """Presence on the day, one row per participant once anything is known."""

    id: int | None = Field(default=None, primary_key=True)
    participant_id: int = Field(foreign_key="participant.id", unique=True, ondelete="CASCADE")
    status: AttendanceStatus = Field(sa_type=enum_type(AttendanceStatus))
    checked_in_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    method: str = Field(default="manual", max_length=20)  # qr, manual, bulk
    recorded_by: str = Field(default="", max_length=120)
