"""Dates and times as people read them: 'Kamis, 14 November 2024 pukul 09.00 WIB'.

Every time people read carries its zone through `zone_name`: Indonesian readers know their
zones (WIB); readers abroad get the offset too, 'WIB (UTC+7)' (the catalogs decide which).
"""

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
# TRANSLATORS: the zone after a time. {zone} is WIB, WITA or WIT, {offset} how far it is from
# UTC ("+7"). Readers abroad need the offset; Indonesian readers know the zones: write "{zone}".
ZONE = i18n.Np_("a time's zone: {zone} is WIB, {offset} is +7", "{zone} (UTC{offset})")


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


def zone_name(value: datetime, zone: str, language: str = "id") -> str:
    """'WIB' in Indonesian, 'WIB (UTC+7)' in English: the zone of a time as its reader needs it."""
    minutes = int(value.astimezone(ZoneInfo(zone)).utcoffset().total_seconds()) // 60
    hours, rest = divmod(abs(minutes), 60)
    offset = f"{'-' if minutes < 0 else '+'}{hours}" + (f":{rest:02d}" if rest else "")
    return _pattern(ZONE, language).format(zone=zone_label(zone), offset=offset)


def clock_in_zone(value: datetime, zone: str, language: str = "id") -> str:
    """'09.00 WIB', or '09:00 WIB (UTC+7)' in English."""
    return f"{clock(value, zone, language)} {zone_name(value, zone, language)}"


def time_range(start: datetime, end: datetime, zone: str, language: str = "id") -> str:
    """'09.00–11.30 WIB', or '09:00–11:30 WIB (UTC+7)' in English."""
    return f"{clock(start, zone, language)}–{clock_in_zone(end, zone, language)}"


def long_datetime(value: datetime, zone: str, language: str = "id") -> str:
    """'Kamis, 14 November 2024 pukul 09.00 WIB' (English adds the offset: 'WIB (UTC+7)')."""
    local = value.astimezone(ZoneInfo(zone))
    text = format_datetime(local, _pattern(DATETIME, language), locale=_locale(language))
    return f"{text} {zone_name(value, zone, language)}"
