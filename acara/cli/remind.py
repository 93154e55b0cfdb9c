"""`acara remind`: run one reminder sweep by hand and show what it sent."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer
from rich.table import Table

from acara.cli.console import console
from acara.cli.plans import DryRun, Yes, go_ahead
from acara.i18n import _
from acara.stages.reminders import plan_sweep, sweep
from models.clock import moment, utcnow
from models.errors import N_, invalid


def remind(
    now: Annotated[
        bool, typer.Option("--now", help="Run the sweep now (what the schedule does every 15 min).")
    ] = False,
    at: Annotated[
        str | None,
        typer.Option(
            help="Sweep as if it were this later time (WIB unless it names an offset), e.g. to "
            "try the rules on demo data; what is due then really goes out."
        ),
    ] = None,
    dry_run: DryRun = False,
    yes: Yes = False,
) -> None:
    """Send the reminders and RSVP nudges that are due, once; print what went out."""
    if not now and at is None:
        raise invalid(
            "--now", N_("say --now to run the sweep, or --at '2026-12-07 08:00' to rehearse")
        )
    when = _moment(at) if at else None
    plans = plan_sweep(when)
    if not plans:
        console.print(_("No reminder or nudge is due."))
    if not go_ahead(plans, dry_run=dry_run, yes=yes):
        return
    report = sweep(when)
    table = Table(_("Event"), _("Message"), _("Recipients"), title=_("Owed by this sweep"))
    for owed in report.rounds:
        table.add_row(owed.event_code, owed.purpose, str(owed.recipients))
    if report.rounds:
        console.print(table)
    else:
        console.print(_("No reminder or nudge is due."))
    console.print(_("Delivery: %(note)s") % {"note": report.delivery_note}, highlight=False)
    if report.dropped:
        console.print(
            _("Dropped %(count)s reminder(s) that would arrive too late.")
            % {"count": report.dropped}
        )
    if report.reemitted or report.still_pending:
        console.print(
            _(
                "Domain events re-sent to Prefect: %(sent)s; "
                "still waiting for a server: %(waiting)s."
            )
            % {"sent": report.reemitted, "waiting": report.still_pending}
        )


def _moment(text: str) -> datetime:
    when = moment(text, where="--at")
    if when < utcnow():
        # A sweep "in the past" could remind people of an event that has since begun.
        raise invalid("--at", N_("{text!r} is in the past; use --now, or a later time"), text=text)
    return when
