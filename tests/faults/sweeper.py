"""A reminder sweep in its own process: `python -m tests.faults.sweeper DB_URL NOW_ISO`.

Runs acara.stages.reminders.sweep (what `acara remind --now` and the scheduled flow run) at the
given instant; SMTP comes from ACARA_SMTP_URL.
"""

from __future__ import annotations

import os
import sys
from datetime import datetime


def main() -> None:
    """One sweep at the given time."""
    os.environ["ACARA_DATABASE_URL"] = sys.argv[1]
    from acara.stages.reminders import sweep

    sweep(now=datetime.fromisoformat(sys.argv[2]))


if __name__ == "__main__":
    main()
