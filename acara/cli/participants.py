"""`acara participants`: importing participant lists."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from acara.cli.console import console
from acara.cli.plans import DryRun, Yes, go_ahead
from acara.stages import planning
from models.errors import reported

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
    for notice in preview.notices:
        console.print(f"[yellow]Note:[/] {escape(notice)}", highlight=False)
    if not go_ahead([preview.plan], dry_run=dry_run, yes=yes):
        return
    imported = planning.import_participants(event, path, skip_invalid=skip_invalid)
    report = imported.report
    console.print(
        f"[green]{report.added} added[/], {report.updated} updated, "
        f"{len(report.merged)} merged duplicates, [red]{len(report.rejected)} rejected[/] "
        f"for event [bold]{imported.event_code}[/]."
    )
    for line in report.merged:
        console.print(f"  merged: {escape(line)}", highlight=False)
    for line in reported(report.rejected):
        console.print(f"  [red]rejected[/] {escape(line)}", highlight=False)
