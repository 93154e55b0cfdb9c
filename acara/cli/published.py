"""What happened after a CLI change committed: sent to Prefect, or handled right here."""

from __future__ import annotations

from rich.markup import escape

from acara.bus import Publishing
from acara.cli.console import console
from acara.cli.sending import print_summary
from acara.i18n import _
from acara.messages.delivery import DeliverySummary


def show(published: Publishing) -> None:
    """Say where the change went: to the service (Prefect) or, without one, what was done here."""
    report = published.report
    if report is None:
        return
    if report.emit.emitted:
        console.print(
            _("Sent to the service (Prefect): %(count)s event(s); its flows take it from here.")
            % {"count": len(report.emit.emitted)}
        )
    if report.emit.pending:
        console.print(
            _(
                "[yellow]No Prefect service[/] (%(reason)s): "
                "handled here; the event is kept and sent once a server runs."
            )
            % {"reason": escape(report.emit.reason or _("unknown"))},
            highlight=False,
        )
    for handled in report.inline:
        _show_result(handled.result)


def _show_result(result: object) -> None:
    if isinstance(result, DeliverySummary):
        print_summary(result)
        return
    lines = getattr(result, "lines", None)
    for line in lines() if callable(lines) else [str(result)]:
        console.print(escape(line), highlight=False)
