"""The one error family for user mistakes: every edge turns these into a short message.

An error carries a stable `code` (for programs and tests), English text with `{name}`
placeholders and the `params` that fill them. `str(exc)` is that English text, for logs and
officers; each edge (CLI, web page) looks the text up in its message catalog, as the msgid, and
fills in the same params, so the user reads it in their own language (acara.i18n.explain).
`public`, where a class sets it, is what an invitee on the web is shown instead of the more
detailed text. Mark the English text with N_ so `make catalogs` puts it in the catalogs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar


def N_(text: str) -> str:
    """Mark English text for the message catalogs (`make catalogs` finds it); returns it as is."""
    return text


class AcaraError(Exception):
    """A mistake the user can fix; its message is shown as is, never with a traceback."""

    code: ClassVar[str] = "error"
    public: ClassVar[str | None] = None
    exit_code = 2
    http_status = 400

    def __init__(self, message: str, /, **params: Any) -> None:
        self.template = message
        self.params = params
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """The English text with its params filled in."""
        return self.template.format(**self.params) if self.params else self.template

    def __str__(self) -> str:
        return self.message


class NotFound(AcaraError):
    """A named thing (event, participant, action item) does not exist."""

    code = "not-found"
    exit_code = 3
    http_status = 404


class IllegalTransition(AcaraError):
    """A lifecycle action that the event's current state does not allow."""

    code = "illegal-transition"
    http_status = 409


@dataclass(frozen=True, slots=True)
class Problem:
    """One rejected value: where it is (row, field) and why (English, `{name}` from params)."""

    where: str
    template: str  # English, the catalog's msgid
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def reason(self) -> str:
        """Why, in English, with the params filled in."""
        return self.template.format(**self.params) if self.params else self.template

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}" if self.where else self.reason


# A report names the first problems in full and then only counts the rest: a list of 100,000
# bad rows is refused in a second with a message a person can read.
MAX_REPORTED = 200


def reported(
    problems: list[Problem], show: Callable[[Problem], str] = str, limit: int = MAX_REPORTED
) -> list[str]:
    """The lines of a report: the first `limit` problems (each as `show` writes it), then how
    many more there are."""
    lines = [show(p) for p in problems[:limit]]
    if len(problems) > limit:
        lines.append(f"... and {len(problems) - limit:,} more problems not shown")
    return lines


class InvalidInput(AcaraError):
    """Input rejected as a whole; lists every problem found (the first 200 in its message)."""

    code = "invalid-input"
    http_status = 422

    def __init__(
        self, problems: Iterable[Problem], heading: str = N_("Invalid input"), **params: Any
    ) -> None:
        self.problems = list(problems)
        super().__init__(heading, **params)

    @property
    def message(self) -> str:
        """The heading, then one line per problem."""
        heading = super().message
        lines = "\n".join(f"  - {line}" for line in reported(self.problems))
        return f"{heading}:\n{lines}" if lines else heading


def invalid(where: str, reason: str, **params: Any) -> InvalidInput:
    """Shorthand for a single-problem InvalidInput."""
    return InvalidInput([Problem(where, reason, params)])
