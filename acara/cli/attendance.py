"""`acara attendance EVENT --format csv|pdf`: the attendance list (Daftar Hadir)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from acara.cli.console import console
from acara.db import unit_of_work
from acara.documents.attendance import check_in_time, write_attendance
from models.attendance_list import ListedStatus, attendance_list, status_counts
from models.clock import utcnow
from models.queries import get_event


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
    with unit_of_work() as session:
        target = get_event(session, event)
        groups = attendance_list(session, target)
        if format is Format.TABLE:
            for group, lines in groups.items():
                table = Table("No.", "Name", "Position", "Organisation", "Status", "Check-in")
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
            path = None
        else:
            path = write_attendance(session, target, format.value, now=utcnow(), output=output)
    counts = status_counts(groups)
    summary = ", ".join(f"{counts[s]} {s.value}" for s in ListedStatus if counts[s])
    if path is not None:
        console.print(f"Attendance list of [bold]{escape(target.code)}[/] written to {path}")
    console.print(f"{sum(counts.values())} participants: {summary or 'none'}.")
