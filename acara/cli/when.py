"""Reading `--now` for commands that can run as if at another time (demos, catch-up)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from models.clock import utcnow
from models.errors import N_, invalid

NOW_HELP = "Run as if it were this time ('2026-12-12 09:00', WIB unless an offset is given)."


def parse_now(text: str | None, zone: str = "Asia/Jakarta") -> datetime:
    """`--now` as an aware instant (local to `zone` without an offset); default: now."""
    if not text:
        return utcnow()
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise invalid(
            "--now", N_("{text!r} is not a time like 2026-12-12 09:00"), text=text
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=ZoneInfo(zone))
