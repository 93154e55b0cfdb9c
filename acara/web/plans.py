"""A plan as the officer reads it in the browser: what changes, who gets what, warnings.

The same Plan the CLI prints before every command that writes to people (acara/cli/plans.py),
made by the same dry run, so the page lists exactly what the confirmed run will owe.
A planned form (`run_planned`) runs its stage command as a dry run, shows the plan on a page of
its own, and runs it for real when the officer sends the same form again with `confirm`.
A form that fails shows its problems above it, and nothing is changed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar

from fastapi import Request
from fastapi.responses import HTMLResponse

from acara.dates import long_datetime
from acara.i18n import filled, translate
from acara.labels import label
from acara.stages.plan import Plan
from acara.web.errors import described
from acara.web.pages import officer_language, render
from models.errors import N_, AcaraError, invalid

AND_MORE = N_("%(names)s and %(count)s more")


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

    def shown(kind: str, value: datetime | str) -> str:
        if isinstance(value, datetime):
            return long_datetime(value, plan.zone, language)
        return label(kind, value, language) if kind else value

    messages = []
    for owing in plan.messages:
        names = ", ".join(owing.names)
        more = owing.count - len(owing.names)
        if more > 0:
            names = translate(language, AND_MORE, names=names, count=more)
        kind = owing.kind(label("purpose", owing.purpose, language), language)
        messages.append((kind, owing.count, names))
    return PlanView(
        [
            (filled(c.what, c.params, language), shown(c.kind, c.before), shown(c.kind, c.after))
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


class Planned(Protocol):
    """What a planned stage command returns: its plan, among the rest."""

    plan: Plan


P = TypeVar("P", bound=Planned)


def run_planned(
    command: Callable[..., P],
    *args: object,
    confirmed: bool,
    always_ask: bool = False,
    **options: object,
) -> tuple[P, bool]:
    """The command's result and whether it really ran: a dry run first unless `confirmed`; a
    plan that reaches nobody runs at once, unless `always_ask`."""
    if confirmed:
        return command(*args, **options), True
    preview = command(*args, dry_run=True, **options)
    if always_ask or preview.plan.reaches_people:
        return preview, False
    return command(*args, **options), True


def plan_page(
    request: Request,
    plan: Plan,
    *,
    heading: str,
    action: str,
    fields: Mapping[str, str],
    back: str,
) -> HTMLResponse:
    """The plan, and a form that sends `fields` to `action` again with the confirmation."""
    context = {
        "plan": plan_view(plan, officer_language(request)),
        "event_code": plan.event_code,
        "event_title": plan.event_title,
        "heading": heading,
        "action": action,
        "fields": dict(fields),
        "back": back,
    }
    return render(request, "plan.html", context)


def form_page(
    request: Request,
    template: str,
    context: dict[str, Any],
    error: AcaraError | None = None,
) -> HTMLResponse:
    """A form page; with an error, its message and problems above the form (status 422)."""
    if error is None:
        return render(request, template, {**context, "error": None, "problems": []})
    message, problems = described(error, officer_language(request))
    status = 422 if problems else error.http_status
    return render(
        request,
        template,
        {**context, "error": message, "problems": problems},
        status_code=status,
    )
