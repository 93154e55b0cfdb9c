"""The help text of `--now`/`--at` for commands that can run as if at another time."""

from __future__ import annotations

NOW_HELP = "Run as if it were this time ('2026-12-12 09:00', WIB unless an offset is given)."
