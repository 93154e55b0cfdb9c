"""Time helpers: everything stored is UTC and timezone-aware."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import DateTime, Enum
from sqlalchemy.types import TypeDecorator

from models.errors import N_, invalid

# Indonesian zone names as officers write them, mapped to IANA zones.
ZONE_LABELS: dict[str, str] = {
    "WIB": "Asia/Jakarta",
    "WITA": "Asia/Makassar",
    "WIT": "Asia/Jayapura",
}
_LABEL_OF_ZONE = {zone: label for label, zone in ZONE_LABELS.items()}


def utcnow() -> datetime:
    """The current instant, timezone-aware in UTC."""
    return datetime.now(UTC)


def resolve_timezone(value: str, where: str = "timezone") -> str:
    """Return the IANA zone for 'WIB'/'WITA'/'WIT' or an IANA name; reject anything else."""
    text = (value or "").strip()
    if text.upper() in ZONE_LABELS:
        return ZONE_LABELS[text.upper()]
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long for a path
        raise invalid(
            where, N_("unknown timezone {zone!r}; use WIB, WITA, WIT or an IANA name"), zone=text
        ) from None
    return text


def zone_label(zone: str) -> str:
    """The label people read ('WIB') for an IANA zone, or the zone itself."""
    return _LABEL_OF_ZONE.get(zone, zone)


Moment = datetime | str | None  # an instant, a time as an officer typed it, or "now"


def moment(value: Moment, zone: str = "Asia/Jakarta", where: str = "--now") -> datetime:
    """An aware instant: now for None, a typed time read in `zone` unless it names an offset."""
    if value is None or value == "":
        return utcnow()
    if isinstance(value, datetime):
        return require_aware(value, where)
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise invalid(
            where, N_("{text!r} is not a time like 2026-12-12 09:00"), text=value
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=ZoneInfo(zone))


def require_aware(value: datetime, where: str) -> datetime:
    """Refuse naive datetimes, which would silently become floating time."""
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise invalid(where, N_("time has no timezone"))
    return value


class UTCDateTime(TypeDecorator[datetime]):
    """A DateTime column that only accepts aware values and always returns aware UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        # SQLite hands back naive values; they were stored as UTC.
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def enum_type(enum_cls: type[StrEnum]) -> Enum:
    """Store a StrEnum by its value in a plain string column (new values need no migration)."""
    return Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )
