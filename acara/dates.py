"""Dates and times as people read them: 'Kamis, 14 November 2024 pukul 09.00 WIB'."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, format_time

from models.clock import zone_label

_PATTERNS = {
    "id": {"date": "EEEE, d MMMM y", "time": "HH.mm", "at": "pukul"},
    "en": {"date": "EEEE, d MMMM y", "time": "HH:mm", "at": "at"},
}


@lru_cache
def _locale(language: str) -> Locale:
    return Locale.parse(language if language in _PATTERNS else "id")


def long_date(value: date | datetime, language: str = "id", zone: str | None = None) -> str:
    """'Kamis, 14 November 2024' or 'Thursday, 14 November 2024'."""
    if isinstance(value, datetime):
        value = value.astimezone(ZoneInfo(zone)) if zone else value
        value = value.date()
    pattern = _PATTERNS.get(language, _PATTERNS["id"])["date"]
    return format_date(value, pattern, locale=_locale(language))


def clock(value: datetime, zone: str, language: str = "id") -> str:
    """'09.00' in the event's zone (Indonesian style uses a dot)."""
    pattern = _PATTERNS.get(language, _PATTERNS["id"])["time"]
    return format_time(value.astimezone(ZoneInfo(zone)), pattern, locale=_locale(language))


def time_range(start: datetime, end: datetime, zone: str, language: str = "id") -> str:
    """'09.00–11.30 WIB'."""
    return f"{clock(start, zone, language)}–{clock(end, zone, language)} {zone_label(zone)}"


def long_datetime(value: datetime, zone: str, language: str = "id") -> str:
    """'Kamis, 14 November 2024 pukul 09.00 WIB'."""
    p = _PATTERNS.get(language, _PATTERNS["id"])
    local = value.astimezone(ZoneInfo(zone))
    text = format_datetime(local, f"{p['date']} '{p['at']}' {p['time']}", locale=_locale(language))
    return f"{text} {zone_label(zone)}"
