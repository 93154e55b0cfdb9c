"""`acara participants`: importing participant lists, and who answered how."""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from acara.cli.console import console
from acara.cli.plans import DryRun, Yes, go_ahead, planned
from acara.cli.sending import send_changes
from acara.i18n import _, explain_problem
from acara.labels import label
from acara.precedence import precedence
from acara.settings import officer_name
from acara.stages import planning, replies
from models.errors import reported

app = typer.Typer(help="Participant lists.", no_args_is_help=True)


@app.command("import")
def import_list(
    event: Annotated[str, typer.Argument(help="Event id or code.")],
    path: Annotated[Path, typer.Argument(help="A .csv or .xlsx list with a header row.")],
    skip_invalid: Annotated[
        bool, typer.Option("--skip-invalid", help="Import the good rows, report the bad ones.")
    ] = False,
    prune: Annotated[
        bool,
        typer.Option("--prune", help="The list is the whole roster: take everyone else off."),
    ] = False,
    dry_run: DryRun = False,
    yes: Yes = False,
) -> None:
    """Add participants from a list; by default nothing is imported while any row is bad.

    Once the event is announced, whoever moved to another group gets an update and whoever
    was taken off (--prune) a cancellation of their calendar entry.
    """
    options = {"skip_invalid": skip_invalid, "prune": prune, "actor": officer_name()}
    preview = planning.import_participants(event, path, **options, dry_run=True)
    for notice in preview.notices:
        note = _("[yellow]Note:[/] %(notice)s") % {"notice": escape(notice)}
        console.print(note, highlight=False)
    if not go_ahead([preview.plan], dry_run=dry_run, yes=yes):
        return
    imported = planning.import_participants(event, path, **options)
    report = imported.report
    console.print(
        _(
            "[green]%(added)s added[/], %(updated)s updated, %(merged)s merged duplicates, "
            "[red]%(rejected)s rejected[/] for event [bold]%(code)s[/]."
        )
        % {
            "added": report.added,
            "updated": report.updated,
            "merged": len(report.merged),
            "rejected": len(report.rejected),
            "code": imported.event_code,
        }
    )
    for line in report.merged:
        console.print("  " + _("merged: %(line)s") % {"line": escape(line)}, highlight=False)
    for line in reported(report.rejected, explain_problem):  # the first 200, then a count
        console.print(
            "  " + _("[red]rejected[/] %(problem)s") % {"problem": escape(line)},
            highlight=False,
        )
    send_changes(imported.event_id, imported.plan)


@app.command("remove")
def remove(
    event: Annotated[str, typer.Argument(help="Event id or code.")],
    people: Annotated[list[str], typer.Argument(help="Their e-mail addresses or phone numbers.")],
    dry_run: DryRun = False,
    yes: Yes = False,
) -> None:
    """Take people off an event: whoever was sent its calendar entry gets a cancellation."""
    removed = planned(
        planning.remove, event, people, actor=officer_name(), dry_run=dry_run, yes=yes
    )
    if removed is None:
        return
    console.print(
        _("%(count)s participant(s) taken off [bold]%(code)s[/].")
        % {"count": len(people), "code": escape(removed.event.code)},
        highlight=False,
    )
    assert removed.event.id is not None
    send_changes(removed.event.id, removed.plan)


_CSV_COLUMNS = (
    "name",
    "email",
    "role",
    "group",
    "answer",
    "status",
    "via",
    "bounced",
    "represents",
    "phone",
    "channel",
)


@app.command("list")
def list_participants(
    event: Annotated[str, typer.Argument(help="Event id or code.")],
    output: Annotated[
        str, typer.Option("--format", help="table (default) or csv (to standard output).")
    ] = "table",
) -> None:
    """Every participant with their answer, how it came (web, calendar, phone, letter), bounces."""
    if output not in ("table", "csv"):
        raise typer.BadParameter(_("--format must be table or csv"))
    target, lines = replies.answers(event)
    if output == "csv":  # codes, not words: a spreadsheet or a program reads it
        writer = csv.writer(sys.stdout)
        writer.writerow(_CSV_COLUMNS)
        for line in lines:
            writer.writerow([getattr(line, column) for column in _CSV_COLUMNS])
        return
    table = Table(_("Name"), _("Email"), _("Role"), _("Group"), _("Answer"), _("Via"), _("Bounced"))
    table.title = _("Participants of %(code)s (%(count)s)") % {
        "code": escape(target.code),
        "count": len(lines),
    }
    for line in lines:
        answer = label("rsvp", line.status if line.status != line.answer else line.answer)
        if line.represents:
            answer = _("%(answer)s (for %(name)s)") % {"answer": answer, "name": line.represents}
        table.add_row(
            escape(line.name),
            line.email or line.phone or "-",  # the phone of someone without e-mail
            line.role,
            escape(line.group),
            escape(answer),
            escape(label("via", line.via)) if line.via else "-",
            f"[red]{escape(label('bounced', line.bounced))}[/]" if line.bounced else "",
        )
    console.print(table)


@app.command("order")
def order() -> None:
    """The protocol order lists and documents follow, written as ACARA_PRECEDENCE_FILE reads it
    (a start for an office's own: one rank per line, highest first)."""
    console.print("# " + _("Protocol order: one rank per line, highest first."), highlight=False)
    for line in precedence().lines():
        console.print(escape(line), highlight=False, soft_wrap=True)
