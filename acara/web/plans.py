"""A plan as the officer reads it in the browser: what changes, who gets what, warnings.

The same Plan the CLI prints before every command that writes to people (acara/cli/plans.py),
made by the same dry run, so the page lists exactly what the confirmed run will owe.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from acara.dates import long_datetime
from acara.i18n import filled, translate
from acara.labels import label
from acara.stages.plan import Plan
from models.errors import N_, invalid

AND_MORE = N_("%(names)s and %(count)s more")
STATUS = "status"  # a change of the event's status: its values are named like the event list


@dataclass(frozen=True, slots=True)
class PlanView:
    """A plan in the page's language, ready to print."""

    changes: list[tuple[str, str, str]]  # what, now, becomes
    messages: list[tuple[str, int, str]]  # kind of message, how many, among them
    warnings: list[str]
    recipients: int
    reaches_people: bool


def plan_view(plan: Plan, language: str) -> PlanView:
    """The plan worded in `language`, times in the event's zone."""

    def shown(what: str, value: datetime | str) -> str:
        if isinstance(value, datetime):
            return long_datetime(value, plan.zone, language)
        return label("status", value, language) if what == STATUS else value

    messages = []
    for owing in plan.messages:
        names = ", ".join(owing.names)
        more = owing.count - len(owing.names)
        if more > 0:
            names = translate(language, AND_MORE, names=names, count=more)
        messages.append((label("purpose", owing.purpose, language), owing.count, names))
    return PlanView(
        [
            (filled(c.what, c.params, language), shown(c.what, c.before), shown(c.what, c.after))
            for c in plan.changes
        ],
        messages,
        [filled(w.template, w.params, language) for w in plan.warnings],
        plan.recipients,
        plan.reaches_people,
    )


def confirmed(confirm: bool) -> None:
    """Refuse an action whose form the officer did not confirm (the box under its plan)."""
    if not confirm:
        raise invalid("confirm", N_("tick the box to confirm, after reading the plan"))
