"""iCalendar (RFC 5545) invitations for iMIP (RFC 6047 / RFC 5546): data in, bytes out.

Everything common to one mailing (VCALENDAR, VTIMEZONE, VEVENTs, ORGANIZER, VALARMs) is
serialised once by :class:`CalendarTemplate`; only the ATTENDEE line differs per recipient,
so a fan-out of thousands of personal invitations costs one ATTENDEE line each.
:func:`build_calendar` and :func:`build_calendar_many` go through the same template, so there
is one code path. The output is byte-identical to what icalendar itself serialises for the
same calendar with the attendees added (the unit tests check that).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.headerregistry import Address
from enum import StrEnum
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import Alarm, Calendar, Event, Timezone, vCalAddress
from icalendar.parser import Contentline

__all__ = [
    "PRODID",
    "CalendarAttendee",
    "CalendarEntry",
    "CalendarMethod",
    "CalendarTemplate",
    "Mailbox",
    "build_calendar",
    "build_calendar_many",
]

PRODID = "-//acara//Protokol//ID"


class CalendarMethod(StrEnum):
    """iTIP method: the same value goes into VCALENDAR and the MIME header."""

    REQUEST = "REQUEST"
    CANCEL = "CANCEL"
    PUBLISH = "PUBLISH"


ROLES = frozenset({"CHAIR", "REQ-PARTICIPANT", "OPT-PARTICIPANT", "NON-PARTICIPANT"})
PARTSTATS = frozenset({"NEEDS-ACTION", "ACCEPTED", "DECLINED", "TENTATIVE", "DELEGATED"})
EVENT_STATUSES = frozenset({"TENTATIVE", "CONFIRMED", "CANCELLED"})

# Anything a line-oriented parser could take as a line break, plus the other C0 controls
# that RFC 5545 forbids in values. str.splitlines() breaks on \x0b \x0c \x1c-\x1e \x85
# \u2028 \u2029, so those count as breaks too.
_LINE_BREAKS = re.compile(r"\r\n|[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1b\x1f\x7f]")
# Deliberately narrow: an address goes verbatim into a mailto: value, where only escaping
# by rejection is possible.
_EMAIL = re.compile(r"[^\s\x00-\x1f\x7f@\"<>()\[\]\\,;:]+@[^\s\x00-\x1f\x7f@\"<>()\[\]\\,;:]+")
_URL = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:[^\s\x00-\x1f\x7f\"<>]+")


class Mailbox(Protocol):
    """Anything with an email address and a display name (CalendarAttendee qualifies)."""

    @property
    def email(self) -> str: ...

    @property
    def name(self) -> str: ...


@dataclass(frozen=True, slots=True)
class CalendarAttendee:
    """One recipient of an invitation, rendered as an ATTENDEE property."""

    email: str
    name: str
    role: str = "REQ-PARTICIPANT"
    partstat: str = "NEEDS-ACTION"
    rsvp: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "email", _checked_email(self.email, "CalendarAttendee.email"))
        if self.role not in ROLES:
            raise ValueError(
                f"CalendarAttendee.role must be one of {sorted(ROLES)}, got {self.role!r}"
            )
        if self.partstat not in PARTSTATS:
            raise ValueError(
                f"CalendarAttendee.partstat must be one of {sorted(PARTSTATS)}, "
                f"got {self.partstat!r}"
            )


@dataclass(frozen=True, slots=True)
class CalendarEntry:
    """One VEVENT: an event or one of its sessions, with times in its own timezone."""

    uid: str  # stable per event or session, e.g. "acara-event-12@acara.local"
    sequence: int  # bumped by the caller on every change of time, place or status
    summary: str
    start: datetime  # timezone-aware; rendered in `timezone`
    end: datetime  # timezone-aware, after start
    timezone: str  # IANA name, e.g. Asia/Jakarta (WIB), Asia/Makassar (WITA), Asia/Jayapura
    location: str = ""
    description: str = ""
    url: str | None = None
    status: str = "CONFIRMED"  # forced to CANCELLED under METHOD:CANCEL
    alarms_minutes: tuple[int, ...] = (60,)  # DISPLAY reminders this many minutes before start
    dtstamp: datetime | None = None  # when the message is built, if not given
    categories: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.uid or not self.uid.strip() or _has_control(self.uid):
            raise ValueError(f"CalendarEntry.uid must be a non-empty single line, got {self.uid!r}")
        if type(self.sequence) is not int or self.sequence < 0:
            raise ValueError(
                f"CalendarEntry.sequence must be a non-negative int, got {self.sequence!r}"
            )
        _require_aware(self.start, "CalendarEntry.start")
        _require_aware(self.end, "CalendarEntry.end")
        if self.end <= self.start:
            raise ValueError(
                f"CalendarEntry.end ({self.end.isoformat()}) must be after "
                f"CalendarEntry.start ({self.start.isoformat()})"
            )
        _zone(self.timezone)
        if self.status not in EVENT_STATUSES:
            raise ValueError(
                f"CalendarEntry.status must be one of {sorted(EVENT_STATUSES)}, got {self.status!r}"
            )
        if self.url is not None and not _URL.fullmatch(self.url):
            raise ValueError(f"CalendarEntry.url must be an absolute URI, got {self.url!r}")
        if any(type(m) is not int or m < 0 for m in self.alarms_minutes):
            raise ValueError(
                "CalendarEntry.alarms_minutes must be non-negative ints (minutes before "
                f"start), got {self.alarms_minutes!r}"
            )
        if self.dtstamp is not None:
            _require_aware(self.dtstamp, "CalendarEntry.dtstamp")


class CalendarTemplate:
    """A serialised calendar for one mailing; `.for_attendee()` fills in the recipient."""

    __slots__ = ("_parts", "method", "uids")

    # A line no caller can produce: TEXT values escape line breaks and continuation lines
    # start with a space, so this exact CRLF-delimited line only comes from us.
    _SLOT_EMAIL = "acara-attendee-slot@invalid"
    _SLOT = b"\r\nATTENDEE:mailto:" + _SLOT_EMAIL.encode() + b"\r\n"

    def __init__(
        self,
        entries: Sequence[CalendarEntry],
        method: CalendarMethod | str,
        organizer: Mailbox | Address,
    ) -> None:
        self.method = _method(method)
        if not entries:
            raise ValueError("entries must contain at least one CalendarEntry")
        uids = tuple(entry.uid for entry in entries)
        if len(set(uids)) != len(uids):
            raise ValueError(f"CalendarEntry.uid must be unique within one calendar, got {uids}")
        self.uids = uids
        # RFC 5546 3.2.1: a PUBLISH VEVENT carries no ATTENDEE, so it has no slot either.
        publish = self.method is CalendarMethod.PUBLISH
        slots = [] if publish else [vCalAddress.new(self._SLOT_EMAIL)]
        calendar = _vcalendar(entries, self.method, _organizer(organizer), slots)
        parts = calendar.to_ical().split(self._SLOT)
        if len(parts) != (1 if publish else len(entries) + 1):  # pragma: no cover
            raise RuntimeError("attendee slot not found once per VEVENT in serialised calendar")
        self._parts = tuple(parts)

    def for_attendee(self, attendee: CalendarAttendee) -> bytes:
        """Return the calendar bytes personalised for one attendee."""
        return self.for_attendees((attendee,))

    def for_attendees(self, attendees: Iterable[CalendarAttendee]) -> bytes:
        """Return the calendar bytes with these attendees on every VEVENT (none for PUBLISH)."""
        if len(self._parts) == 1:
            return self._parts[0]
        lines = b"".join(_attendee_line(a, self.method) for a in attendees)
        if not lines:
            # RFC 5546 3.2.2 and 3.2.5: a REQUEST or CANCEL names who it is for.
            raise ValueError(f"attendees must not be empty for METHOD:{self.method}")
        return (b"\r\n" + lines).join(self._parts)


def build_calendar(
    entry: CalendarEntry,
    method: CalendarMethod | str,
    organizer: Mailbox | Address,
    attendees: Sequence[CalendarAttendee],
) -> bytes:
    """Build one VCALENDAR with one VEVENT for the given attendees."""
    return CalendarTemplate((entry,), method, organizer).for_attendees(attendees)


def build_calendar_many(
    entries: Sequence[CalendarEntry],
    method: CalendarMethod | str,
    organizer: Mailbox | Address,
    attendees: Sequence[CalendarAttendee],
) -> bytes:
    """Build one VCALENDAR holding several VEVENTs (e.g. a participant's own sessions)."""
    return CalendarTemplate(entries, method, organizer).for_attendees(attendees)


# --- building blocks -------------------------------------------------------------------


@functools.cache
def _vtimezone(tzid: str) -> Timezone:
    # Generating transitions walks the zone's history: do it once per zone per process.
    # Callers only add it to calendars and serialise it, never mutate it.
    return Timezone.from_tzid(tzid)


def _zone(tzid: str) -> ZoneInfo:
    try:
        return ZoneInfo(tzid)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise ValueError(
            f"CalendarEntry.timezone must be an IANA timezone name such as Asia/Jakarta, "
            f"got {tzid!r}"
        ) from exc


def _vcalendar(
    entries: Sequence[CalendarEntry],
    method: CalendarMethod,
    organizer: vCalAddress,
    attendees: list[vCalAddress],
) -> Calendar:
    stamp = datetime.now(UTC)
    events = [_vevent(entry, method, organizer, attendees, stamp) for entry in entries]
    tzids = dict.fromkeys(entry.timezone for entry in entries)
    calendar = Calendar.new(
        prodid=PRODID,
        method=method.value,
        calscale="GREGORIAN",
        subcomponents=[*(_vtimezone(tzid) for tzid in tzids), *events],
    )
    # Calendar.new invents a random VCALENDAR UID; output should depend on input only.
    calendar.pop("UID", None)
    return calendar


def _vevent(
    entry: CalendarEntry,
    method: CalendarMethod,
    organizer: vCalAddress,
    attendees: list[vCalAddress],
    stamp: datetime,
) -> Event:
    zone = _zone(entry.timezone)
    cancelled = method is CalendarMethod.CANCEL
    if cancelled and entry.sequence < 1:
        raise ValueError(
            "CalendarEntry.sequence must be higher than the original invitation's for "
            f"METHOD:CANCEL (at least 1), got {entry.sequence}"
        )
    event = Event.new(
        uid=entry.uid,
        sequence=entry.sequence,
        summary=_clean_text(entry.summary),
        start=entry.start.astimezone(zone),
        end=entry.end.astimezone(zone),
        stamp=(entry.dtstamp or stamp).astimezone(UTC),
        organizer=organizer,
        attendees=attendees,
        location=_clean_text(entry.location) or None,
        description=_clean_text(entry.description) or None,
        url=entry.url,
        status="CANCELLED" if cancelled else entry.status,
        categories=[_clean_text(c) for c in entry.categories if c.strip()],
    )
    if not cancelled:  # a cancelled meeting needs no reminder
        for minutes in sorted(set(entry.alarms_minutes), reverse=True):
            event.add_component(_valarm(minutes, entry.summary))
    return event


def _valarm(minutes: int, summary: str) -> Alarm:
    alarm = Alarm()
    alarm.add("ACTION", "DISPLAY")
    alarm.add("DESCRIPTION", _clean_text(summary) or "Reminder")
    alarm.add("TRIGGER", timedelta(minutes=-minutes))
    return alarm


def _attendee_line(attendee: CalendarAttendee, method: CalendarMethod) -> bytes:
    address = vCalAddress.new(
        attendee.email,
        cn=_clean_cn(attendee.name, attendee.email),
        role=attendee.role,
        partstat=attendee.partstat,
        # Only a REQUEST asks for a reply; a reply to a CANCEL has nothing to answer.
        rsvp=attendee.rsvp and method is CalendarMethod.REQUEST,
    )
    # Component.content_line is exactly what Calendar.to_ical uses, so parameter quoting
    # matches a full serialisation byte for byte; _fold keeps the folding identical too.
    return _fold(_LINE_MAKER.content_line("ATTENDEE", address)) + b"\r\n"


_LINE_MAKER = Event()


def _fold(line: Contentline) -> bytes:
    # icalendar folds character by character, which is most of the per-recipient cost.
    # For ASCII lines the same cut points come from slicing: at most 74 octets per
    # chunk, and a trailing backslash or caret moves to the next chunk so an escape
    # sequence is never split (icalendar issue #1501).
    if not line.isascii():
        return line.to_ical()
    chunks = []
    start, size = 0, len(line)
    while size - start > 74:
        stop = start + 74
        if line[stop - 1] in "\\^":
            stop -= 1
        chunks.append(line[start:stop])
        start = stop
    chunks.append(line[start:])
    return "\r\n ".join(chunks).encode("ascii")


def _organizer(organizer: Mailbox | Address) -> vCalAddress:
    if isinstance(organizer, Address):
        email, name = organizer.addr_spec, organizer.display_name
    else:
        email, name = organizer.email, organizer.name
    email = _checked_email(email, "organizer.email")
    return vCalAddress.new(email, cn=_clean_cn(name, email))


def _method(method: CalendarMethod | str) -> CalendarMethod:
    try:
        return CalendarMethod(str(method).upper())
    except ValueError:
        raise ValueError(
            f"method must be one of {[m.value for m in CalendarMethod]}, got {method!r}"
        ) from None


def _checked_email(email: str, field: str) -> str:
    if isinstance(email, str) and email[:7].lower() == "mailto:":
        email = email[7:]
    if not isinstance(email, str) or not _EMAIL.fullmatch(email):
        raise ValueError(f"{field} must be a plain email address, got {email!r}")
    return email


def _require_aware(value: datetime, field: str) -> None:
    if not isinstance(value, datetime):
        raise ValueError(f"{field} must be a datetime, got {value!r}")
    if value.tzinfo is None or value.utcoffset() is None:
        # A naive time would silently become floating time in every recipient's zone.
        raise ValueError(f"{field} must be timezone-aware, got naive {value.isoformat()}")


def _has_control(text: str) -> bool:
    return bool(_LINE_BREAKS.search(text) or _CONTROLS.search(text))


def _clean_text(text: str) -> str:
    # vText escapes \n as the two characters "\n"; every other break becomes \n first
    # so no parser sees a raw line break inside a value.
    return _CONTROLS.sub("", _LINE_BREAKS.sub("\n", text)).strip()


# A parameter value cannot hold a line break or DQUOTE at all, and icalendar's own fallback
# (RFC 6868 ^-escapes) is shown literally by Outlook and vobject. A backslash before the
# next ";" makes icalendar's parser swallow the following parameter into CN.
_CN_SWAPS = str.maketrans({'"': "'", "\\": "/", "^": " "})


def _clean_cn(name: str, email: str) -> str:
    cleaned = " ".join(_CONTROLS.sub(" ", name).translate(_CN_SWAPS).split())
    return cleaned or email
