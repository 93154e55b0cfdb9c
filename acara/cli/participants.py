"""`acara participants`: importing participant lists."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from acara.cli.console import console
from acara.cli.plans import DryRun, Yes, go_ahead
from acara.i18n import _, explain_problem
from acara.stages import planning

app = typer.Typer(help="Participant lists.", no_args_is_help=True)


@app.command("import")
def import_list(
    event: Annotated[str, typer.Argument(help="Event id or code.")],
    path: Annotated[Path, typer.Argument(help="A .csv or .xlsx list with a header row.")],
    skip_invalid: Annotated[
        bool, typer.Option("--skip-invalid", help="Import the good rows, report the bad ones.")
    ] = False,
    dry_run: DryRun = False,
    yes: Yes = False,
) -> None:
    """Add participants from a list; by default nothing is imported while any row is bad."""
    preview = planning.import_participants(event, path, skip_invalid=skip_invalid, dry_run=True)
    if not go_ahead([preview.plan], dry_run=dry_run, yes=yes):
        return
    imported = planning.import_participants(event, path, skip_invalid=skip_invalid)
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
    for problem in report.rejected:
        console.print(
            "  "
            + _("[red]rejected[/] %(problem)s") % {"problem": escape(explain_problem(problem))},
            highlight=False,
        )
