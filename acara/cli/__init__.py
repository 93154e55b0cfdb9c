"""The `acara` command: every sub-command group registers here; user errors end here."""

from __future__ import annotations

import sys

import typer
from rich.markup import escape
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError

from acara.cli import actions as action_commands
from acara.cli import attendance as attendance_commands
from acara.cli import chat as chat_commands
from acara.cli import db as db_commands
from acara.cli import events as event_commands
from acara.cli import followup as followup_commands
from acara.cli import invitations as invitation_commands
from acara.cli import letters as letter_commands
from acara.cli import minutes as minutes_commands
from acara.cli import officers as officer_commands
from acara.cli import organisations as organisation_commands
from acara.cli import participants as participant_commands
from acara.cli import remind as remind_commands
from acara.cli import replies as reply_commands
from acara.cli import rsvp as rsvp_commands
from acara.cli import serve as serve_commands
from acara.cli import survey as survey_commands
from acara.cli import web as web_commands
from acara.cli.console import err_console
from acara.i18n import _, explain
from acara.settings import masked
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
app.add_typer(organisation_commands.app, name="organisations")
app.command("invite")(invitation_commands.invite)
app.command("letters")(letter_commands.letters)
app.command("web")(web_commands.web)
app.add_typer(officer_commands.app, name="officer")
app.command("attendance")(attendance_commands.attendance)
app.command("checkin")(attendance_commands.checkin)
app.command("chat")(chat_commands.chat)
app.add_typer(minutes_commands.app, name="minutes")
app.add_typer(action_commands.app, name="action")
app.add_typer(followup_commands.app, name="followup")
app.command("survey")(survey_commands.survey)
app.command("remind")(remind_commands.remind)
app.command("rsvp")(rsvp_commands.rsvp)
app.add_typer(reply_commands.app, name="replies")
app.command("serve")(serve_commands.serve)
app.add_typer(serve_commands.app, name="service")


def main() -> None:
    """Console entry point: a user mistake prints one clear message and a non-zero exit code."""
    try:
        app()
    except AcaraError as exc:
        # Messages quote the user's own text ("[draft]"): never read it as Rich markup.
        _error(escape(explain(exc)))
        sys.exit(exc.exit_code)
    except DBAPIError as exc:
        if _schema_missing(exc):
            _error(_("the database has no acara tables yet: run `acara db upgrade` first."))
            sys.exit(4)
        if not isinstance(exc, OperationalError):
            raise
        # The database is down or unreachable: an operator problem, not a bug.
        _error(
            _(
                "cannot use the database: %(reason)s. "
                "Check ACARA_DATABASE_URL and that the server is running."
            )
            % {"reason": escape(masked(str(exc.orig)))}
        )
        sys.exit(4)
    except ArgumentError as exc:
        _error(
            _("ACARA_DATABASE_URL is not a database URL acara can use: %(reason)s")
            % {"reason": escape(masked(str(exc)))}
        )
        sys.exit(4)


def _error(text: str) -> None:
    """One error line on stderr; `text` is already escaped for Rich."""
    err_console.print("[bold red]" + _("Error:") + "[/] " + text, highlight=False)


def _schema_missing(exc: DBAPIError) -> bool:
    """True when the tables do not exist (SQLite and PostgreSQL say it differently)."""
    return "no such table" in str(exc.orig) or type(exc.orig).__name__ == "UndefinedTable"
