"""`acara participants`: importing participant lists."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from acara.cli.console import console
from acara.db import unit_of_work
from acara.eventfile import read_participant_list
from models.errors import InvalidInput
from models.queries import get_event
from models.roster import add_participants

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
    rows, problems = read_participant_list(path)
    if problems and not skip_invalid:
        raise InvalidInput(problems, heading=f"Nothing imported from {path.name}; fix these rows")
    with unit_of_work() as session:
        target = get_event(session, event)
        report = add_participants(session, target, rows, skip_invalid=skip_invalid)
    report.rejected[:0] = problems
    console.print(
        f"[green]{report.added} added[/], {report.updated} updated, "
        f"{len(report.merged)} merged duplicates, [red]{len(report.rejected)} rejected[/] "
        f"for event [bold]{target.code}[/]."
    )
    for line in report.merged:
        console.print(f"  merged: {escape(line)}", highlight=False)
    for problem in report.rejected:
        console.print(f"  [red]rejected[/] {escape(str(problem))}", highlight=False)
