"""A plan before every command that writes to people: shown, then confirmed, or a dry run."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Protocol, TypeVar

import typer
from rich.markup import escape
from rich.table import Table

from acara.cli.console import console
from acara.dates import long_datetime
from acara.i18n import _, filled, pgettext
from acara.labels import label
from acara.stages.plan import Plan
from models.errors import N_, AcaraError

DryRun = Annotated[
    bool, typer.Option("--dry-run", help="Show the plan and change nothing, send nothing.")
]
Yes = Annotated[bool, typer.Option("--yes", "-y", help="Go ahead without asking.")]
Force = Annotated[
    str | None,
    typer.Option(
        "--force", help="Do it before the event's time anyway; the reason goes into the audit."
    ),
]


class ConfirmationNeeded(AcaraError):
    """No terminal to ask in and no --yes: nothing is done."""

    exit_code = 2


def show(plan: Plan) -> None:
    """The plan as the officer reads it: the event, what changes, who gets what, warnings."""
    console.print(
        "[bold]"
        + _("Plan")
        + f" · {escape(plan.command)}[/] · {escape(plan.event_code)} · {escape(plan.event_title)}",
        highlight=False,
    )
    if plan.changes:
        table = Table(pgettext("plan", "What"), _("Now"), _("Becomes"), title=_("Changes"))
        for change in plan.changes:
            table.add_row(
                escape(filled(change.what, change.params)),
                _shown(change.before, change.kind, plan),
                _shown(change.after, change.kind, plan),
            )
        console.print(table)
    if plan.messages:
        table = Table(_("Message"), _("Recipients"), _("Among them"), title=_("Messages owed"))
        for owing in plan.messages:
            more = owing.count - len(owing.names)
            names = ", ".join(owing.names) + (
                _(" and %(count)s more") % {"count": more} if more > 0 else ""
            )
            table.add_row(escape(owing.kind(owing.purpose)), str(owing.count), escape(names))
        console.print(table)
    elif not plan.changes:
        console.print(_("Nothing to do."))
    for warning in plan.warnings:
        console.print(
            "[bold yellow]"
            + _("Warning:")
            + "[/] "
            + escape(filled(warning.template, warning.params)),
            highlight=False,
        )


def go_ahead(plans: list[Plan], *, dry_run: bool, yes: bool) -> bool:
    """Show the plans; True when the command should really run now."""
    for plan in plans:
        show(plan)
    if dry_run:
        console.print(_("Dry run: nothing was changed and nothing was sent."))
        return False
    if yes or not any(plan.reaches_people for plan in plans):
        return True
    if not sys.stdin.isatty():
        raise ConfirmationNeeded(
            N_(
                "This reaches participants and nobody can confirm it here: "
                "run it again with --yes (or look first with --dry-run)."
            )
        )
    if typer.confirm(_("Go ahead?"), default=False):
        return True
    console.print(_("Nothing was changed."))
    return False


class Planned(Protocol):
    """What a planned stage command returns: its plan, among the rest."""

    plan: Plan


P = TypeVar("P", bound=Planned)


def planned(
    command: Callable[..., P], *args: object, dry_run: bool, yes: bool, **options: object
) -> P | None:
    """Run a stage command as a dry run, show its plan, then for real once it is confirmed."""
    preview = command(*args, dry_run=True, **options)
    if not go_ahead([preview.plan], dry_run=dry_run, yes=yes):
        return None
    return command(*args, **options)


def _shown(value: datetime | str, kind: str, plan: Plan) -> str:
    if isinstance(value, datetime):
        return long_datetime(value, plan.zone)
    return escape(label(kind, value) if kind else value)
