"""The help text of `--at`, for commands that can run as if at another time."""

from __future__ import annotations

AT_HELP = (
    "As if it were this time ('2026-12-12 09:00', the event's zone unless an offset is given)."
)
