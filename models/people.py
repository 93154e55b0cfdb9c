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


class Via(StrEnum):
    """How a participant is reached: e-mail when they have an address, else a printed letter,
    a chat link (WhatsApp click-to-chat), or both."""

    EMAIL = "email"
    LETTER = "letter"
    CHAT = "chat"
    LETTER_AND_CHAT = "letter+chat"

    @property
    def letter(self) -> bool:
        """Whether a printed letter carries what the office sends them."""
        return self in (Via.LETTER, Via.LETTER_AND_CHAT)


# How the outbox names a person who has no e-mail address (their messages are letters).
_PERSON_KEY = "person:"


class Person(SQLModel, table=True):
    """Someone the office writes to, once across all events: merged by e-mail address, else by
    phone number, else by name and postal address (models.roster)."""

    id: int | None = Field(default=None, primary_key=True)
    # Lower-case; unique where present. None: reached by letter or chat (see `via`).
    email: str | None = Field(default=None, unique=True, max_length=320)
    name: str = Field(max_length=300)  # the name alone, without titles
    salutation: str = Field(default="", max_length=20)  # Bapak, Ibu, Mr., Ms.
    title_prefix: str = Field(default="", max_length=100)  # Prof. Dr. Ir. H.
    title_suffix: str = Field(default="", max_length=100)  # S.T., M.Si.
    position: str = Field(default="", max_length=300)  # jabatan
    organisation: str = Field(default="", max_length=300)
    phone: str = Field(default="", max_length=40, index=True)  # E.164 (+62812...) or ""
    address: str = Field(default="", max_length=500)  # postal address (alamat) for letters
    via: Via = Field(default=Via.EMAIL, sa_type=enum_type(Via))  # how they are reached
    language: Language = Field(default=Language.ID, sa_type=enum_type(Language))

    @property
    def recipient(self) -> str:
        """How the outbox names them: the e-mail address, else 'person:<id>'."""
        return self.email or f"{_PERSON_KEY}{self.id}"

    @property
    def full_name(self) -> PersonName:
        """The name with its parts, for letters and lists."""
        return PersonName(self.name, self.title_prefix, self.title_suffix, self.salutation)


def person_id_of(recipient: str) -> int | None:
    """The person an outbox recipient 'person:<id>' names; None for an e-mail address."""
    if not recipient.startswith(_PERSON_KEY):
        return None
    number = recipient.removeprefix(_PERSON_KEY)
    return int(number) if number.isdigit() else None


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
