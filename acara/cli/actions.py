"""`acara action`: the action items of approved minutes; close one when it is done."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from acara.cli.console import console
from acara.i18n import _
from acara.settings import officer_name
from acara.stages import followup
from models.clock import utcnow
from models.followup import days_overdue, local_today
from models.minutes import ActionStatus

app = typer.Typer(help="Action items from approved minutes.", no_args_is_help=True)


@app.command("list")
def list_items(
    event: Annotated[str | None, typer.Argument(help="Event id or code (default: all).")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Include items already done.")] = False,
) -> None:
    """Open action items (with --all, done ones too), earliest due first."""
    now = utcnow()
    rows = followup.open_items(event, include_done=all_)
    columns = [_("ID"), _("Action"), _("Owner"), _("Due"), _("Status")]
    if event is None:
        columns.insert(1, _("Event"))
    table = Table(*columns, title=_("Action items"))
    for item, owner_event in rows:
        late = days_overdue(item.due_on, local_today(now, owner_event.timezone))
        status = item.status.value
        if item.status is ActionStatus.OPEN and late:
            status = "[red]" + _("overdue %(days)sd") % {"days": late} + "[/]"
        cells = [str(item.id), escape(item.description), escape(item.owner_name)]
        cells += [item.due_on.isoformat(), status]
        if event is None:
            cells.insert(1, escape(owner_event.code))
        table.add_row(*cells)
    console.print(table)


@app.command("done")
def done(
    item_id: Annotated[int, typer.Argument(help="Action item id (`acara action list`).")],
) -> None:
    """Close an action item: its reminders and escalation stop."""
    item, changed = followup.close_item(item_id, actor=officer_name())
    if changed:
        console.print(
            _("Action item %(id)s (%(description)s) is done.")
            % {"id": item.id, "description": escape(item.description)}
        )
    else:
        console.print(_("Action item %(id)s was already done.") % {"id": item.id})
