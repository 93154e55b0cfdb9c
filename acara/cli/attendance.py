"""`acara attendance EVENT --format csv|pdf`: the attendance list (Daftar Hadir);
`acara checkin EVENT EMAIL...`: attendance recorded from the desk's paper list."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from acara.cli.console import console
from acara.cli.plans import Force
from acara.cli.when import AT_HELP
from acara.documents.attendance import check_in_time
from acara.i18n import _
from acara.settings import officer_name
from acara.stages import attendance as stage
from models.attendance_list import ListedStatus, status_counts


class Format(StrEnum):
    CSV = "csv"
    PDF = "pdf"
    TABLE = "table"


def attendance(
    event: Annotated[str, typer.Argument(help="Event id or code.")],
    format: Annotated[
        Format, typer.Option("--format", "-f", help="csv, pdf (with signature column) or table.")
    ] = Format.PDF,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Where to write (default: data/documents/<code>/)."),
    ] = None,
) -> None:
    """The attendance list per group: name with titles, position, status, check-in time."""
    target, groups = stage.attendance_of(event)
    path = None
    if format is Format.TABLE:
        for group, lines in groups.items():
            columns = (_("No."), _("Name"), _("Position"), _("Organisation"), _("Status"))
            table = Table(*columns, _("Check-in"))
            table.title = f"{escape(target.code)} · {escape(group)}"
            for line in lines:
                table.add_row(
                    str(line.number),
                    escape(line.name),
                    escape(line.position),
                    escape(line.organisation),
                    line.status.value,
                    check_in_time(line, target, with_date=False),
                )
            console.print(table)
    else:
        path = stage.write_list(event, format.value, output)
    counts = status_counts(groups)
    summary = ", ".join(f"{counts[s]} {s.value}" for s in ListedStatus if counts[s])
    if path is not None:
        console.print(
            _("Attendance list of [bold]%(code)s[/] written to %(path)s")
            % {"code": escape(target.code), "path": path},
            soft_wrap=True,
        )
    console.print(
        _("%(count)s participants: %(summary)s.")
        % {"count": sum(counts.values()), "summary": summary or _("none")}
    )


def checkin(
    event: Annotated[str, typer.Argument(help="Event id or code.")],
    emails: Annotated[
        list[str] | None, typer.Argument(help="Participants' e-mail addresses or phone numbers.")
    ] = None,
    status: Annotated[
        str, typer.Option("--status", "-s", help="present, absent, excused or represented.")
    ] = "present",
    rest: Annotated[
        bool, typer.Option("--rest", help="Everyone whose attendance is not recorded yet.")
    ] = False,
    at: Annotated[str | None, typer.Option("--at", help=AT_HELP)] = None,
    force: Force = None,
) -> None:
    """Record attendance from the desk's paper list (the web desk does the same by QR)."""
    recorded = stage.record_from_list(
        event, emails or [], status, rest=rest, actor=officer_name(), at=at, force=force
    )
    console.print(
        _("%(count)s participant(s) of [bold]%(code)s[/] marked %(status)s.")
        % {
            "count": recorded.participants,
            "code": escape(recorded.event.code),
            "status": recorded.status.value,
        }
    )
