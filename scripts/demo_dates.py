"""Copy the demo's example files with every date moved, so that the Jambi visit is next week.

The demo walks through an event's whole life on the day it runs; the time guards refuse to
invite to an event that is over, so the examples are moved to lie ahead of today.
"""

from __future__ import annotations

import re
import sys
from datetime import date, timedelta
from pathlib import Path

VISIT_DAY = date(2026, 12, 8)  # the day of the Jambi visit in examples/
DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def main(source: Path, target: Path, names: list[str]) -> None:
    """Write the shifted copies and print the visit's new day (YYYY-MM-DD)."""
    shift = date.today() + timedelta(days=6) - VISIT_DAY
    target.mkdir(parents=True, exist_ok=True)

    def moved(match: re.Match[str]) -> str:
        return (date(*map(int, match.groups())) + shift).isoformat()

    for name in names:
        text = (source / name).read_text(encoding="utf-8")
        (target / name).write_text(DATE.sub(moved, text), encoding="utf-8")
    print((VISIT_DAY + shift).isoformat())


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:])
