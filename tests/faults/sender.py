"""A sending process for the crash and concurrency tests: `python -m tests.faults.sender`.

Arguments: database URL, event id, SMTP URL. It runs acara.messages.delivery.deliver for the event's
invitations, exactly as the CLI and the flow do, and exits 0 when the run ends.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def main() -> None:
    """Deliver one event's owed messages over SMTP."""
    db_url, event_id, smtp_url = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    os.environ["ACARA_DATABASE_URL"] = db_url
    os.environ.setdefault("ACARA_DATA_DIR", str(Path.cwd() / "data"))
    from acara.messages.channels.email import transport_from_url
    from acara.messages.delivery import deliver

    transport = transport_from_url(
        smtp_url, maildir=Path.cwd() / "unused", backoff=(0.05, 0.2), max_attempts=4
    )
    deliver(event_id=event_id, transport=transport)


if __name__ == "__main__":
    main()
