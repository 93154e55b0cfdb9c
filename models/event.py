"""The event and where and when it happens: venues, rooms, groups, sessions (its host and
guest organisations are in models.organisations)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import JSON, Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from models.clock import UTCDateTime, enum_type, utcnow, zone_label


class EventKind(StrEnum):
    """What sort of occasion the protocol office is running."""

    VISIT = "visit"  # kunjungan kerja, studi banding, visitasi
    FGD = "fgd"  # focus group discussion
    FORUM = "forum"  # public forum series, e.g. Forum Komunikasi Publik
    CEREMONY = "ceremony"  # signing ceremony (MoU, nota kesepakatan)


class EventStatus(StrEnum):
    """Lifecycle states; the allowed moves between them are in models.lifecycle."""

    DRAFT = "draft"
    ANNOUNCED = "announced"
    ONGOING = "ongoing"
    HELD = "held"
    REPORTED = "reported"
    CLOSED = "closed"
    CANCELLED = "cancelled"


DEFAULT_REMINDER_OFFSETS = "3d,1d,2h"


class Translated:
    """A row whose texts may also be given in other languages than the office's own.

    `translations` holds them by language, then field: {"en": {"title": "...", ...}}. Every
    reader asks `text(field, language)`: the text in that language when there is one, else the
    office's own (Indonesian), which is the column itself.
    """

    translations: dict[str, dict[str, str]]

    def text(self, name: str, language: str | None = None) -> str:
        """The text of field `name` (title, subject, description) in `language`."""
        return self.translated(name, language) or getattr(self, name) or ""

    def translated(self, name: str, language: str | None) -> str | None:
        """Field `name` as given in `language`, or None when the file gave no such text."""
        return (self.translations or {}).get(language or "", {}).get(name)


def translations_column() -> Column[dict[str, dict[str, str]]]:
    """The JSON column of a Translated row: {} when nothing is translated."""
    return Column(JSON, nullable=False, server_default=text("'{}'"))


class Venue(SQLModel, table=True):
    """A building or site; rooms belong to it."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=300)
    address: str = Field(default="", max_length=500)


class Room(SQLModel, table=True):
    """A room inside a venue; a room is never booked twice at the same time."""

    __table_args__ = (UniqueConstraint("venue_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    venue_id: int = Field(foreign_key="venue.id", index=True)
    name: str = Field(max_length=300)
    capacity: int | None = None  # seats, when known


class Event(Translated, SQLModel, table=True):
    """One occasion with its own lifecycle, calendar identity and participants."""

    # One event per volume of a series (the series' Volume-3 exists once).
    __table_args__ = (Index("uq_event_series_number", "series", "number", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, max_length=120)  # officer's key; re-import matches on it
    kind: EventKind = Field(sa_type=enum_type(EventKind))
    title: str = Field(max_length=500)
    series: str | None = Field(default=None, max_length=200)  # e.g. "Forum Komunikasi Publik"
    number: str | None = Field(default=None, max_length=40)  # e.g. "3" for Volume-3
    timezone: str = Field(default="Asia/Jakarta", max_length=64)  # IANA zone shown to people
    starts_at: datetime = Field(sa_type=UTCDateTime)
    ends_at: datetime = Field(sa_type=UTCDateTime)
    status: EventStatus = Field(
        default=EventStatus.DRAFT, index=True, sa_type=enum_type(EventStatus)
    )
    host_id: int | None = Field(default=None, foreign_key="organisation.id")  # its letterhead
    guest_id: int | None = Field(default=None, foreign_key="organisation.id")
    # Key of the host's signatory who signs its letters; None: the host's default one.
    signatory: str | None = Field(default=None, max_length=80)
    letter_number: str | None = Field(default=None, max_length=120)  # nomor surat undangan
    subject: str | None = Field(default=None, max_length=500)  # perihal
    letter_nature: str = Field(  # sifat: Biasa, Penting, Segera
        default="", max_length=60, sa_column_kwargs={"server_default": ""}
    )
    letter_enclosures: str = Field(  # lampiran: "1 (satu) berkas"
        default="", max_length=200, sa_column_kwargs={"server_default": ""}
    )
    # tembusan: who gets a copy, one line each ("Wali Kota Tangerang Selatan (sebagai laporan)")
    letter_copies: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False, server_default=text("'[]'"))
    )
    description: str = ""
    capacity: int | None = None  # seats for accepted invitees; beyond it, a waiting list
    calendar_uid: str = Field(unique=True, max_length=200)  # stable UID of every ICS for it
    sequence: int = 0  # ICS SEQUENCE, bumped on every change of time, place or status
    reminder_offsets: str = DEFAULT_REMINDER_OFFSETS  # before start, e.g. "3d,1d,2h"
    cancel_reason: str | None = None
    # Title, subject and description for foreign guests, by language (see Translated).
    translations: dict[str, dict[str, str]] = Field(
        default_factory=dict, sa_column=translations_column()
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @property
    def zone(self) -> ZoneInfo:
        """The event's own timezone, in which times are shown."""
        return ZoneInfo(self.timezone)

    @property
    def zone_label(self) -> str:
        """WIB, WITA or WIT."""
        return zone_label(self.timezone)

    @property
    def display_title(self) -> str:
        """Title with its series number when it is part of a series."""
        return self.titled()

    def titled(self, language: str | None = None) -> str:
        """The title in `language` (see Translated), with its series number in a series."""
        title = self.text("title", language)
        if self.series and self.number:
            return f"{title} ({self.series} Volume-{self.number})"
        return title

    def local(self, instant: datetime) -> datetime:
        """An instant as wall-clock time in the event's zone."""
        return instant.astimezone(self.zone)

    def days(self) -> list[date]:
        """The calendar days (in the event's zone) the event spans."""
        first, last = self.local(self.starts_at).date(), self.local(self.ends_at).date()
        return [date.fromordinal(d) for d in range(first.toordinal(), last.toordinal() + 1)]


class BreakoutGroup(SQLModel, table=True):
    """A part of the delegation that follows its own programme (Kelompok 1 to Kecamatan X)."""

    __table_args__ = (UniqueConstraint("event_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=200)
    venue_id: int | None = Field(default=None, foreign_key="venue.id")  # its sessions happen here


class AgendaSession(Translated, SQLModel, table=True):
    """One item of the agenda: a time slot in a room, for everyone or for one group."""

    __table_args__ = (Index("ix_agendasession_room_time", "room_id", "starts_at", "ends_at"),)

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True, ondelete="CASCADE")
    title: str = Field(max_length=500)
    starts_at: datetime = Field(sa_type=UTCDateTime)
    ends_at: datetime = Field(sa_type=UTCDateTime)
    venue_id: int | None = Field(default=None, foreign_key="venue.id")
    room_id: int | None = Field(default=None, foreign_key="room.id")  # None: the venue at large
    group_id: int | None = Field(default=None, foreign_key="breakoutgroup.id")  # None: plenary
    speakers: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    moderator: str | None = Field(default=None, max_length=300)
    description: str = ""
    # Title and description for foreign guests, by language (see Translated).
    translations: dict[str, dict[str, str]] = Field(
        default_factory=dict, sa_column=translations_column()
    )
