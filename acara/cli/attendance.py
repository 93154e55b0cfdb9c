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
from acara.cli.when import NOW_HELP, parse_now
from acara.db import unit_of_work
from acara.documents.attendance import check_in_time, write_attendance
from acara.i18n import _
from models.attendance_list import ListedStatus, attendance_list, status_counts
from models.checkin import check_in, mark
from models.clock import utcnow
from models.errors import InvalidInput, Problem, invalid
from models.people import AttendanceStatus
from models.queries import get_event

ACTOR = "cli"


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
            path = None
        else:
            path = write_attendance(session, target, format.value, now=utcnow(), output=output)
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
        list[str] | None, typer.Argument(help="Participants' e-mail addresses.")
    ] = None,
    status: Annotated[
        str, typer.Option("--status", "-s", help="present, absent, excused or represented.")
    ] = "present",
    rest: Annotated[
        bool, typer.Option("--rest", help="Everyone whose attendance is not recorded yet.")
    ] = False,
    at: Annotated[str | None, typer.Option("--at", help=NOW_HELP)] = None,
) -> None:
    """Record attendance from the desk's paper list (the web desk does the same by QR)."""
    try:
        chosen = AttendanceStatus(status.strip().lower())
    except ValueError:
        raise invalid(
            "--status", f"{status!r}: use present, absent, excused or represented"
        ) from None
    if not emails and not rest:
        raise invalid("emails", "name at least one e-mail address, or use --rest")
    with unit_of_work() as session:
        target = get_event(session, event)
        when = parse_now(at, target.timezone)
        assert target.id is not None
        lines = {
            line.email: line
            for lines in attendance_list(session, target).values()
            for line in lines
        }
        wanted = [e.strip().lower() for e in emails or []]
        unknown = [e for e in wanted if e not in lines]
        if unknown:
            raise InvalidInput(
                [Problem(e, "not a participant of this event") for e in unknown],
                heading="Nothing recorded",
            )
        ids = [lines[e].participant_id for e in wanted]
        if rest:
            ids += [
                line.participant_id
                for line in lines.values()
                if line.status is ListedStatus.UNKNOWN and line.participant_id not in ids
            ]
        if chosen is AttendanceStatus.PRESENT:
            for participant_id in ids:
                check_in(
                    session,
                    event_id=target.id,
                    participant_id=participant_id,
                    actor=ACTOR,
                    method="manual",
                    now=when,
                )
        elif ids:
            mark(
                session,
                event_id=target.id,
                participant_ids=ids,
                status=chosen,
                actor=ACTOR,
                now=when,
            )
    console.print(
        _("%(count)s participant(s) of [bold]%(code)s[/] marked %(status)s.")
        % {"count": len(ids), "code": escape(target.code), "status": chosen.value}
    )
