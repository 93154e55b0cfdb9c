"""`acara replies`: read the organiser's mailbox now, and list what was kept for the officer."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from acara.cli.console import console, err_console
from acara.dates import long_datetime
from acara.i18n import Np_, _, current, pgettext
from acara.stages import replies
from acara.stages.replies import Handled, ReadReport
from models.inbound import InboundMessage, ReplyOutcome
from models.replies import reason_of, worded

app = typer.Typer(help="Replies to invitations read back from the mailbox.", no_args_is_help=True)

# How each outcome reads in the officer's list: a colour and words.
_OUTCOME = {
    ReplyOutcome.APPLIED.value: ("green", Np_("a reply's outcome", "applied")),
    ReplyOutcome.UNCHANGED.value: ("", Np_("a reply's outcome", "unchanged")),
    ReplyOutcome.STALE.value: ("yellow", Np_("a reply's outcome", "older letter")),
    ReplyOutcome.NOTED.value: ("", Np_("a reply's outcome", "noted")),
    ReplyOutcome.HELD.value: ("yellow", Np_("a reply's outcome", "for the officer")),
    ReplyOutcome.SET_ASIDE.value: ("red", Np_("a reply's outcome", "set aside")),
}
_KIND = {
    "calendar": Np_("a reply's kind", "calendar reply"),
    "counter": Np_("a reply's kind", "new time proposed"),
    "refresh": Np_("a reply's kind", "asks for the invitation again"),
    "typed": Np_("a reply's kind", "typed reply"),
    "automatic": Np_("a reply's kind", "automatic reply"),
    "bounce": Np_("a reply's kind", "bounce"),
    "malformed": Np_("a reply's kind", "unreadable"),
}


def _outcome(value: str) -> str:
    colour, words = _OUTCOME.get(value, ("", ("", value)))
    text = escape(pgettext(*words) if words[0] else value)
    return f"[{colour}]{text}[/]" if colour else text


def _kind(value: str) -> str:
    return pgettext(*_KIND[value]) if value in _KIND else value


def _reason(template: str, params: dict[str, object]) -> str:
    """A reason kept in English, in the officer's language."""
    return worded(template, params, _) if template else ""


def _row_reason(row: InboundMessage) -> str:
    return _reason(*reason_of(row))


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
    console.print(_("Reading replies …"))

    def show(handled: Handled) -> None:
        if handled.taken:
            console.print(
                "  "
                + _("%(key)s: already read by another reader, skipped")
                % {"key": escape(handled.key)}
            )
            return
        where = escape(f" [{handled.event_code}]") if handled.event_code else ""
        reason = _reason(handled.template, handled.params) or handled.reason
        console.print(
            f"  {escape(handled.sender or _('unknown sender'))}{where}: "
            f"{escape(_kind(handled.kind))}, {_outcome(handled.outcome)} — "
            f"{escape(reason)}",
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
        err_console.print(f"[yellow]{escape(_(report.problem))}[/]")
    read = [h for h in report.handled if not h.taken]
    if not read:
        console.print(
            _("No new replies in %(mailbox)s.")
            % {"mailbox": escape(report.mailbox or _("the mailbox"))}
        )
        return
    kept = report.count(ReplyOutcome.HELD) + report.count(ReplyOutcome.SET_ASIDE)
    console.print(
        _(
            "%(read)s message(s) read from %(mailbox)s: %(applied)s answer(s) applied, "
            "%(stale)s to an older letter, %(kept)s kept for the officer (acara replies list)."
        )
        % {
            "read": len(read),
            "mailbox": escape(report.mailbox),
            "applied": report.count(ReplyOutcome.APPLIED),
            "stale": report.count(ReplyOutcome.STALE),
            "kept": kept,
        }
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
        console.print(_("Nothing kept for the officer."))
        return
    table = Table(_("Received"), _("From"), _("What"), _("Note"), title=_("Replies"))
    for line in lines:
        row = line.message
        sender = row.sender or _("unknown sender")
        if line.participant:
            sender = f"{sender}\n({line.participant})"
        note = _row_reason(row)
        excerpt = row.detail.get("excerpt") if isinstance(row.detail, dict) else None
        if excerpt:
            note = f"{note}: “{excerpt[:160]}”"
        table.add_row(
            long_datetime(row.sent_at or row.read_at, "Asia/Jakarta", current()),
            escape(sender),
            f"{escape(_kind(row.kind.value))}\n{_outcome(row.outcome.value)}",
            escape(note),
        )
    console.print(table)
