"""`acara replies`: read the organiser's mailbox now, and list what was kept for the officer."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from acara.cli.console import console, err_console
from acara.dates import long_datetime
from acara.stages import replies
from acara.stages.replies import Handled, ReadReport
from models.inbound import ReplyOutcome

app = typer.Typer(help="Replies to invitations read back from the mailbox.", no_args_is_help=True)

# How each outcome reads in the officer's list.
_OUTCOME = {
    ReplyOutcome.APPLIED.value: "[green]applied[/]",
    ReplyOutcome.UNCHANGED.value: "unchanged",
    ReplyOutcome.STALE.value: "[yellow]older letter[/]",
    ReplyOutcome.NOTED.value: "noted",
    ReplyOutcome.HELD.value: "[yellow]for the officer[/]",
    ReplyOutcome.SET_ASIDE.value: "[red]set aside[/]",
}
_KIND = {
    "calendar": "calendar reply",
    "counter": "new time proposed",
    "refresh": "asks for the invitation again",
    "typed": "typed reply",
    "automatic": "automatic reply",
    "bounce": "bounce",
    "malformed": "unreadable",
}


@app.command("fetch")
def fetch(
    maildir: Annotated[
        Path | None,
        typer.Option(
            "--maildir",
            help="Read this maildir folder instead of the mailbox of ACARA_IMAP_URL.",
        ),
    ] = None,
) -> None:
    """Read the replies not read yet, once; print what each message did."""
    console.print("Reading replies …")

    def show(handled: Handled) -> None:
        if handled.taken:
            console.print(f"  {escape(handled.key)}: already read by another reader, skipped")
            return
        where = escape(f" [{handled.event_code}]") if handled.event_code else ""
        console.print(
            f"  {escape(handled.sender or 'unknown sender')}{where}: "
            f"{_KIND.get(handled.kind, handled.kind)}, {_OUTCOME.get(handled.outcome, '')} — "
            f"{escape(handled.reason)}",
            highlight=False,
        )
        for line in handled.after:
            console.print(f"      {escape(line)}", highlight=False)

    report = (
        replies.read_maildir(maildir, on_message=show)
        if maildir
        else replies.read_configured(on_message=show)
    )
    _summary(report)


def _summary(report: ReadReport) -> None:
    if report.problem:
        err_console.print(f"[yellow]{escape(report.problem)}[/]")
    read = [h for h in report.handled if not h.taken]
    if not read:
        console.print(f"No new replies in {escape(report.mailbox or 'the mailbox')}.")
        return
    kept = report.count(ReplyOutcome.HELD) + report.count(ReplyOutcome.SET_ASIDE)
    console.print(
        f"{len(read)} message(s) read from {escape(report.mailbox)}: "
        f"{report.count(ReplyOutcome.APPLIED)} answer(s) applied, "
        f"{report.count(ReplyOutcome.STALE)} to an older letter, "
        f"{kept} kept for the officer (acara replies list)."
    )


@app.command("list")
def list_replies(
    event: Annotated[
        str | None, typer.Argument(help="Event id or code; without it, mail no event claims.")
    ] = None,
    everything: Annotated[
        bool, typer.Option("--all", help="Also the answers that were applied.")
    ] = False,
) -> None:
    """What was set aside: typed replies, forged ones, new times proposed, bounces."""
    lines = replies.listing(event, everything=everything)
    if not lines:
        console.print("Nothing kept for the officer.")
        return
    table = Table("Received", "From", "What", "Note", title="Replies")
    for line in lines:
        row = line.message
        sender = row.sender or "unknown sender"
        if line.participant:
            sender = f"{sender}\n({line.participant})"
        note = row.reason
        excerpt = row.detail.get("excerpt") if isinstance(row.detail, dict) else None
        if excerpt:
            note = f"{note}: “{excerpt[:160]}”"
        table.add_row(
            long_datetime(row.sent_at or row.read_at, "Asia/Jakarta"),
            escape(sender),
            f"{_KIND.get(row.kind.value, row.kind.value)}\n"
            f"{_OUTCOME.get(row.outcome.value, row.outcome.value)}",
            escape(note),
        )
    console.print(table)
