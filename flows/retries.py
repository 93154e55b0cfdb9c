"""When a task is worth retrying: shared by every stage flow."""

from __future__ import annotations

from typing import Any

from acara.messages.delivery import SmtpUnreachable


def unreachable(task_: Any, task_run: Any, state: Any) -> bool:
    """Retry a mail server or database that could not be reached; never a user mistake."""
    from sqlalchemy.exc import OperationalError

    try:
        state.result()
    except (SmtpUnreachable, OperationalError, ConnectionError, TimeoutError):
        return True
    except Exception:
        return False
    return False
