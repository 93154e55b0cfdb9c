"""`acara minutes`: record the notulen from a file, show them, approve and send them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from acara.cli.console import console
from acara.cli.plans import DryRun, Force, Yes, go_ahead
from acara.cli.when import AT_HELP
from acara.i18n import _
from acara.settings import officer_name
from acara.stages import minutes as stage

app = typer.Typer(help="Minutes (notulen): record, show, approve.", no_args_is_help=True)
EventRef = Annotated[str, typer.Argument(help="Event id or code.")]


@app.command("record")
def record(
    event: EventRef,
    path: Annotated[
        Path, typer.Argument(help="Markdown with YAML front matter, or YAML; see examples/.")
    ],
) -> None:
    """Record the minutes as a draft (again: the draft is replaced; approved ones are kept)."""
    recorded = stage.record(event, path, actor=officer_name())
    target = recorded.event
    verb = (
        _("Replaced the draft minutes of [bold]%(code)s[/]")
        if recorded.replaced
        else _("Recorded draft minutes of [bold]%(code)s[/]")
    )
    console.print(
        verb % {"code": escape(target.code)}
        + ": "
        + _("%(decisions)s decisions, %(actions)s action items, %(statements)s key statements.")
        % {
            "decisions": recorded.decisions,
            "actions": recorded.action_items,
            "statements": recorded.key_statements,
        }
    )
    console.print(
        _("Next: `acara minutes approve %(code)s` once the event is held.")
        % {"code": escape(target.code)}
    )


@app.command("show")
def show(event: EventRef) -> None:
    """The recorded minutes: summary, decisions, action items."""
    seen = stage.show(event)
    target, minutes, decisions, items = seen.event, seen.minutes, seen.decisions, seen.action_items
    console.print(f"[bold]Notulen {escape(target.display_title)}[/] ({minutes.status.value})")
    console.print(escape(minutes.summary))
    for i, point in enumerate(minutes.discussion, start=1):
        console.print(f"  {i}. {escape(point)}")
    table = Table(_("No."), _("Decision"), title=_("Decisions"))
    for i, decision in enumerate(decisions, start=1):
        table.add_row(str(i), escape(decision.text))
    console.print(table)
    table = Table(_("ID"), _("Action"), _("Owner"), _("Due"), _("Status"), title=_("Action items"))
    for item in items:
        table.add_row(
            str(item.id),
            escape(item.description),
            escape(f"{item.owner_name} <{item.owner_email}>"),
            item.due_on.isoformat(),
            item.status.value,
        )
    console.print(table)


@app.command("render")
def render(event: EventRef) -> None:
    """Write the minutes (draft or approved) as HTML and PDF, without sending anything."""
    files = stage.render(event)
    console.print(
        _("Minutes written to %(html)s and %(pdf)s") % {"html": files.html, "pdf": files.pdf},
        soft_wrap=True,
    )


@app.command("approve")
def approve(
    event: EventRef,
    send: Annotated[
        bool, typer.Option("--send/--no-send", help="Deliver the e-mails now (default).")
    ] = True,
    at: Annotated[str | None, typer.Option("--at", help=AT_HELP)] = None,
    force: Force = None,
    dry_run: DryRun = False,
    yes: Yes = False,
) -> None:
    """Approve the minutes, write HTML and PDF, e-mail them to everyone present and every owner."""
    if not go_ahead([stage.plan_approval(event, at, force=force)], dry_run=dry_run, yes=yes):
        return
    outcome = stage.approve(event, actor=officer_name(), now=at, send_now=send, force=force)
    code = escape(outcome.code)
    if outcome.newly_approved:
        console.print(_("Minutes of [bold]%(code)s[/] approved.") % {"code": code})
    else:
        console.print(
            _("Minutes of [bold]%(code)s[/] were already approved; nothing changes.")
            % {"code": code}
        )
    console.print(f"  HTML: {outcome.html}\n  PDF:  {outcome.pdf}", soft_wrap=True)
    console.print(
        "  "
        + _("%(recipients)s recipients (present and action-item owners); %(queued)s newly owed.")
        % {"recipients": outcome.recipients, "queued": outcome.queued}
    )
    if outcome.delivery is not None:
        delivery = outcome.delivery
        console.print(
            "  "
            + _("Sent %(sent)s, to retry %(retry)s, failed %(failed)s.")
            % {"sent": delivery.sent, "retry": delivery.retry, "failed": delivery.failed}
            + (f" {escape(delivery.problem)}" if delivery.problem else ""),
            soft_wrap=True,
        )
    for line in outcome.bus_lines:
        console.print(f"  {escape(line)}", soft_wrap=True)
