"""`acara followup`: run the follow-up of an event now, the daily sweep, the press release."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from acara.cli.console import console
from acara.cli.when import NOW_HELP
from acara.i18n import _
from acara.stages import followup
from models.clock import moment

app = typer.Typer(
    help="Follow-up: thank-you, survey, action reminders, press release.", no_args_is_help=True
)
EventRef = Annotated[str, typer.Argument(help="Event id or code.")]
Now = Annotated[str | None, typer.Option("--now", help=NOW_HELP)]


@app.command("run")
def run(event: EventRef, now: Now = None) -> None:
    """Owe and send what is due for one event (what the follow-up flow does)."""
    report = followup.run(event, now)
    for line in report.lines():
        console.print(escape(line), soft_wrap=True)


@app.command("sweep")
def sweep(now: Now = None) -> None:
    """The daily sweep: follow up every held event and every one with open action items."""
    when = moment(now)
    ids = followup.due_events()
    if not ids:
        console.print(_("Nothing to follow up."))
    for event_id in ids:
        for line in followup.run(event_id, when).lines():
            console.print(escape(line), soft_wrap=True)


@app.command("press")
def press(event: EventRef) -> None:
    """Write the press-release draft (Siaran Pers) from the event and its minutes."""
    path = followup.press(event, moment(None))
    console.print(
        _("Press-release draft written to %(path)s (and .html beside it).") % {"path": path},
        soft_wrap=True,
    )
