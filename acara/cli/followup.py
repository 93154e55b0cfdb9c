"""`acara followup`: run the follow-up of an event now, the daily sweep, the press release."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from acara.cli.console import console
from acara.cli.plans import DryRun, Yes, go_ahead
from acara.cli.when import AT_HELP
from acara.i18n import _
from acara.stages import followup
from models.clock import moment

app = typer.Typer(
    help="Follow-up: thank-you, survey, action reminders, press release.", no_args_is_help=True
)
EventRef = Annotated[str, typer.Argument(help="Event id or code.")]
At = Annotated[str | None, typer.Option("--at", help=AT_HELP)]


@app.command("run")
def run(event: EventRef, at: At = None, dry_run: DryRun = False, yes: Yes = False) -> None:
    """Owe and send what is due for one event (what the follow-up flow does)."""
    if not go_ahead([followup.plan_run(event, at)], dry_run=dry_run, yes=yes):
        return
    report = followup.run(event, at)
    for line in report.lines():
        console.print(escape(line), soft_wrap=True)


@app.command("sweep")
def sweep(at: At = None, dry_run: DryRun = False, yes: Yes = False) -> None:
    """The daily sweep: follow up every held event and every one with open action items."""
    when = moment(at, where="--at")
    ids = followup.due_events()
    if not ids:
        console.print(_("Nothing to follow up."))
        return
    plans = [followup.plan_run(event_id, when) for event_id in ids]
    if not go_ahead(plans, dry_run=dry_run, yes=yes):
        return
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
