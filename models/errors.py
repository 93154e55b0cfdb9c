"""The one error family for user mistakes: every edge turns these into a short message."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


class AcaraError(Exception):
    """A mistake the user can fix; its message is shown as is, never with a traceback."""

    exit_code = 2
    http_status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class NotFound(AcaraError):
    """A named thing (event, participant, action item) does not exist."""

    exit_code = 3
    http_status = 404


class IllegalTransition(AcaraError):
    """A lifecycle action that the event's current state does not allow."""

    http_status = 409


@dataclass(frozen=True, slots=True)
class Problem:
    """One rejected value: where it is (row, field) and why."""

    where: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}" if self.where else self.reason


# A report names the first problems in full and then only counts the rest: a list of 100,000
# bad rows is refused in a second with a message a person can read.
MAX_REPORTED = 200


def reported(problems: list[Problem], limit: int = MAX_REPORTED) -> list[str]:
    """The lines of a report: the first `limit` problems, then how many more there are."""
    lines = [str(p) for p in problems[:limit]]
    if len(problems) > limit:
        lines.append(f"... and {len(problems) - limit:,} more problems not shown")
    return lines


class InvalidInput(AcaraError):
    """Input rejected as a whole; lists every problem found (the first 200 in its message)."""

    http_status = 422

    def __init__(self, problems: Iterable[Problem], heading: str = "Invalid input") -> None:
        self.problems = list(problems)
        lines = "\n".join(f"  - {line}" for line in reported(self.problems))
        super().__init__(f"{heading}:\n{lines}" if lines else heading)


def invalid(where: str, reason: str) -> InvalidInput:
    """Shorthand for a single-problem InvalidInput."""
    return InvalidInput([Problem(where, reason)], heading="Invalid input")
