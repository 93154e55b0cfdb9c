"""`acara letters EVENT -o FILE.pdf`: the official letters owed on paper, ready to print;
`acara letters EVENT --delivered [PERSON...]`: mark them handed over, once, after a plan."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from acara.cli.console import console
from acara.cli.plans import DryRun, Yes, planned
from acara.documents import documents_dir, write_atomically
from acara.i18n import _
from acara.settings import officer_name
from acara.stages import letters as stage
from models.errors import N_, invalid


def letters(
    event: Annotated[str, typer.Argument(help="Event id or code.")],
    people: Annotated[
        list[str] | None,
        typer.Argument(
            help="With --delivered: the letters handed over, by code (cover list) or name."
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="The PDF to write (default: data/documents/<code>/)."),
    ] = None,
    everyone: Annotated[
        bool,
        typer.Option("--all", help="Every participant's letter, not only those owed on paper."),
    ] = False,
    delivered: Annotated[
        bool, typer.Option("--delivered", help="Mark printed letters as handed over.")
    ] = False,
    dry_run: DryRun = False,
    yes: Yes = False,
) -> None:
    """Print the letters owed to people without e-mail (one PDF, with a cover list), or mark
    them handed over."""
    if delivered:
        done = planned(
            stage.hand_over, event, people or [], actor=officer_name(), dry_run=dry_run, yes=yes
        )
        if done is not None:
            console.print(
                _("Event [bold]%(code)s[/]: %(count)s letter(s) marked as handed over.")
                % {"code": escape(done.event_code), "count": done.marked}
            )
        return
    if people:
        raise invalid("PERSON", N_("names letters handed over: use it with --delivered"))
    printed = stage.print_owed(event, everyone=everyone)
    path = output or documents_dir(printed.event_code) / f"surat-{printed.event_code}.pdf"
    write_atomically(path, printed.pdf)
    console.print(
        _("%(count)s letter(s) of [bold]%(code)s[/] written to %(path)s")
        % {"count": printed.letters, "code": escape(printed.event_code), "path": escape(str(path))},
        soft_wrap=True,
    )
    if printed.skipped:
        console.print(
            _("Not invited yet, so no letter: %(names)s")
            % {"names": escape(", ".join(printed.skipped))},
            soft_wrap=True,
        )
