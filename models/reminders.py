"""Reminder rules: when, before an event, participants are reminded."""

from __future__ import annotations

import re
from datetime import timedelta

from models.errors import InvalidInput, Problem

_OFFSET = re.compile(r"^(\d+)\s*([dhm])$")
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}


def parse_offsets(text: str) -> list[timedelta]:
    """'3d,1d,2h' as durations before the start, largest first."""
    offsets = []
    for part in (p.strip().lower() for p in text.split(",") if p.strip()):
        match = _OFFSET.match(part)
        if not match or int(match[1]) == 0:
            raise InvalidInput(
                [Problem("reminders", f"{part!r} is not an offset like 3d, 1d or 2h")]
            )
        offsets.append(timedelta(**{_UNITS[match[2]]: int(match[1])}))
    return sorted(set(offsets), reverse=True)
