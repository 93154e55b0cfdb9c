"""`acara participants`: importing participant lists."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from acara.cli.console import console
from acara.stages import planning

app = typer.Typer(help="Participant lists.", no_args_is_help=True)


@app.command("import")
def import_list(
    event: Annotated[str, typer.Argument(help="Event id or code.")],
    path: Annotated[Path, typer.Argument(help="A .csv or .xlsx list with a header row.")],
    skip_invalid: Annotated[
        bool, typer.Option("--skip-invalid", help="Import the good rows, report the bad ones.")
    ] = False,
) -> None:
    """Add participants from a list; by default nothing is imported while any row is bad."""
    imported = planning.import_participants(event, path, skip_invalid=skip_invalid)
    report = imported.report
    console.print(
        f"[green]{report.added} added[/], {report.updated} updated, "
        f"{len(report.merged)} merged duplicates, [red]{len(report.rejected)} rejected[/] "
        f"for event [bold]{imported.event_code}[/]."
    )
    for line in report.merged:
        console.print(f"  merged: {escape(line)}", highlight=False)
    for problem in report.rejected:
        console.print(f"  [red]rejected[/] {escape(str(problem))}", highlight=False)
