"""Dates and times as people read them: 'Kamis, 14 November 2024 pukul 09.00 WIB'."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, format_time

from acara import i18n
from models.clock import zone_label

# The patterns (CLDR date format syntax) are catalog messages: each language writes its own.
DATE = i18n.Np_("date pattern (CLDR), as a letter prints a day", "EEEE, d MMMM y")
TIME = i18n.Np_("time pattern (CLDR); Indonesian writes 09.00", "HH:mm")
# TRANSLATORS: the two patterns above joined, with the word for "at" in quotes.
DATETIME = i18n.Np_("date and time pattern (CLDR)", "EEEE, d MMMM y 'at' HH:mm")


@lru_cache
def _locale(language: str) -> Locale:
    return Locale.parse(i18n.supported(language))


@lru_cache(maxsize=64)
def _pattern(message: tuple[str, str], language: str) -> str:
    with i18n.language(language):
        return i18n.pgettext(*message)


def long_date(value: date | datetime, language: str = "id", zone: str | None = None) -> str:
    """'Kamis, 14 November 2024' or 'Thursday, 14 November 2024'."""
    if isinstance(value, datetime):
        value = value.astimezone(ZoneInfo(zone)) if zone else value
        value = value.date()
    return format_date(value, _pattern(DATE, language), locale=_locale(language))


def clock(value: datetime, zone: str, language: str = "id") -> str:
    """'09.00' in the event's zone (Indonesian style uses a dot)."""
    local = value.astimezone(ZoneInfo(zone))
    return format_time(local, _pattern(TIME, language), locale=_locale(language))


def time_range(start: datetime, end: datetime, zone: str, language: str = "id") -> str:
    """'09.00–11.30 WIB'."""
    return f"{clock(start, zone, language)}–{clock(end, zone, language)} {zone_label(zone)}"


def long_datetime(value: datetime, zone: str, language: str = "id") -> str:
    """'Kamis, 14 November 2024 pukul 09.00 WIB'."""
    local = value.astimezone(ZoneInfo(zone))
    text = format_datetime(local, _pattern(DATETIME, language), locale=_locale(language))
    return f"{text} {zone_label(zone)}"
