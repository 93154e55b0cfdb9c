"""Sending from the command line: a progress bar while the outbox is worked off, then a summary."""

from __future__ import annotations

from collections.abc import Callable

from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from acara.bus import Publishing
from acara.cli.console import console
from acara.i18n import _
from acara.messages.delivery import DeliveryStopped, DeliverySummary
from acara.messages.delivery import Progress as Advance
from acara.settings import get_settings
from acara.stages import invitations
from acara.stages.plan import Plan


def send_and_report(send: Callable[[Advance], DeliverySummary]) -> DeliverySummary:
    """Run a stage's sending with a progress bar; print the summary."""
    columns = (
        TextColumn("[bold]Sending"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("send", total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=max(total, done) or None)

        try:
            summary = send(advance)
        except DeliveryStopped as stopped:
            bar.stop()
            print_summary(stopped.summary)
            raise
    print_summary(summary)
    return summary


def print_summary(summary: DeliverySummary) -> None:
    """The counts, every recipient that failed with the reason, and where the mail went."""
    table = Table("", _("Messages"), title=_("Delivery"), show_header=False)
    table.add_row(_("Sent now"), f"[green]{summary.sent}[/]")
    table.add_row(_("Already sent before (skipped)"), str(summary.skipped))
    table.add_row(_("Failed"), f"[red]{summary.failed}[/]" if summary.failed else "0")
    table.add_row(_("To retry later"), f"[yellow]{summary.retry}[/]" if summary.retry else "0")
    if summary.recovered:
        table.add_row(_("Left in flight by a stopped run, queued again"), str(summary.recovered))
    console.print(table)
    for title, rows in ((_("Failed"), summary.failures), (_("To retry later"), summary.retries)):
        if rows:
            detail = Table(_("Recipient"), _("Message"), _("Reason"), title=title)
            for row in rows:
                detail.add_row(escape(row.recipient), row.purpose, escape(row.reason))
            console.print(detail)
    settings = get_settings()
    if not settings.smtp_url:
        where = settings.maildir.resolve() / "new"
        console.print(
            _(
                "No ACARA_SMTP_URL set: messages are files in the maildir [bold]%(folder)s[/] "
                "(open any .eml file with a mail program)."
            )
            % {"folder": escape(str(where))}
        )
    else:
        console.print(_("Sent through %(server)s.") % {"server": escape(summary.destination)})


def send_changes(event_id: int, plan: Plan, published: Publishing | None = None) -> None:
    """Send the updates and cancellations a command owed, unless its reaction already did."""
    if invitations.left_to_send(plan, published):
        send_and_report(lambda progress: invitations.send_owed(event_id, progress))
