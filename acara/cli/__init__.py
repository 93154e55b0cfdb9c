"""The `acara` command: every sub-command group registers here; user errors end here."""

from __future__ import annotations

import sys

import typer
from sqlalchemy.exc import OperationalError

from acara.cli import db as db_commands
from acara.cli import events as event_commands
from acara.cli import participants as participant_commands
from acara.cli.console import err_console
from models.errors import AcaraError

app = typer.Typer(
    name="acara",
    help="Run a protocol office's events: invitations, agenda, reminders, attendance, minutes.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(db_commands.app, name="db")
app.add_typer(event_commands.app, name="event")
app.add_typer(participant_commands.app, name="participants")


def main() -> None:
    """Console entry point: a user mistake prints one clear message and a non-zero exit code."""
    try:
        app()
    except AcaraError as exc:
        err_console.print(f"[bold red]Error:[/] {exc.message}", highlight=False)
        sys.exit(exc.exit_code)
    except OperationalError as exc:
        # The database is down or unreachable: an operator problem, not a bug.
        err_console.print(
            f"[bold red]Error:[/] cannot use the database: {exc.orig}. "
            "Check ACARA_DATABASE_URL and that the server is running.",
            highlight=False,
        )
        sys.exit(4)
