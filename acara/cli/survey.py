"""`acara survey EVENT`: what the participants said in the feedback survey."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from acara.cli.console import console
from acara.i18n import _
from acara.stages import followup
from models.survey import QUESTIONS


def survey(event: Annotated[str, typer.Argument(help="Event id or code.")]) -> None:
    """The survey's answers in numbers: average and spread per question, and the comments."""
    target, summary = followup.survey_results(event)
    rate = f" ({summary.response_rate:.0%})" if summary.response_rate is not None else ""
    console.print(
        _("Survey of [bold]%(code)s[/]: %(answers)s answers from %(invited)s invited%(rate)s.")
        % {
            "code": escape(target.code),
            "answers": summary.responses,
            "invited": summary.invited,
            "rate": rate,
        }
    )
    table = Table(_("Question"), _("Average"), "1", "2", "3", "4", "5", title=_("Ratings (1-5)"))
    for question in QUESTIONS:
        counts = summary.counts.get(question.key, {})
        average = summary.averages.get(question.key)
        table.add_row(
            escape(_(question.text)),
            f"{average:.2f}" if average is not None else "-",
            *(str(counts.get(n, 0)) for n in range(1, 6)),
        )
    console.print(table)
    for comment in summary.comments:
        console.print(f"  • {escape(comment)}")
