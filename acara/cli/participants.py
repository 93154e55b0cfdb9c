"""`acara participants`: importing participant lists."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from acara.cli.console import console
from acara.db import unit_of_work
from acara.eventfile import read_participant_list
from acara.i18n import N_, _, explain_problem
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
        raise InvalidInput(
            problems, heading=N_("Nothing imported from {file}; fix these rows"), file=path.name
        )
    with unit_of_work() as session:
        target = get_event(session, event)
        report = add_participants(session, target, rows, skip_invalid=skip_invalid)
    report.rejected[:0] = problems
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
            "code": target.code,
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
