"""The attendance list (Daftar Hadir) as CSV for spreadsheets and as a signed-on-paper PDF."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from sqlmodel import Session

from acara.dates import clock, long_datetime
from acara.documents import documents_dir, write_atomically
from acara.documents.context import EventFacts, event_facts, place_of_group
from acara.documents.letters import head_of
from acara.documents.render import pdf_from_html, render
from acara.exports import csv_text
from acara.precedence import precedence
from models.attendance_list import (
    STATUS_LABELS,
    AttendanceLine,
    ListedStatus,
    attendance_list,
)
from models.event import Event

Format = Literal["csv", "pdf"]
CSV_COLUMNS = (
    "group",
    "no",
    "name",
    "position",
    "organisation",
    "role",
    "status",
    "checked_in_at",
    "represents",
    "email",
    "phone",
    "address",
)


def check_in_time(line: AttendanceLine, event: Event, *, with_date: bool) -> str:
    """'08.47' in the event's zone ('8/12 08.47' for events over several days)."""
    if line.checked_in_at is None:
        return ""
    local = event.local(line.checked_in_at)
    prefix = f"{local.day}/{local.month} " if with_date else ""
    return prefix + clock(line.checked_in_at, event.timezone)


def attendance_rows(session: Session, event: Event) -> list[tuple[Any, ...]]:
    """The list's header and rows: one per participant, status codes, times in the event's zone.

    The headers are those `acara participants import` reads (it ignores no, status,
    checked_in_at and represents), so an exported list can be imported into another event.
    """
    rows: list[tuple[Any, ...]] = [CSV_COLUMNS]
    for group, lines in attendance_list(session, event, precedence()).items():
        for line in lines:
            at = ""
            if line.checked_in_at is not None:
                at = event.local(line.checked_in_at).strftime("%Y-%m-%d %H:%M ") + event.zone_label
            rows.append(
                (
                    group,
                    line.number,
                    line.name,
                    line.position,
                    line.organisation,
                    line.role.value,
                    line.status.value,
                    at,
                    line.represents or "",
                    line.email,
                    line.phone,
                    line.address,
                )
            )
    return rows


def attendance_csv(session: Session, event: Event, *, excel: bool = False) -> str:
    """The list as CSV, every cell safe from formula injection; excel=True for Excel in an
    Indonesian locale (semicolons, byte-order mark), else plain comma-separated UTF-8."""
    text = csv_text(attendance_rows(session, event), excel=excel)
    return text.replace("\r\n", "\n") if not excel else text


@dataclass(frozen=True, slots=True)
class PrintedLine:
    """A row of the printed list, every cell a string."""

    number: int
    name: str
    position: str
    organisation: str
    status: str
    label: str
    time: str
    represents: str


def attendance_groups(session: Session, event: Event, facts: EventFacts) -> list[dict[str, Any]]:
    """The printed list's groups: name, place, rows and counts per status."""
    groups = []
    for group, lines in attendance_list(session, event, precedence()).items():
        place = place_of_group(facts, group)
        counts = {status: 0 for status in ListedStatus}
        for line in lines:
            counts[line.status] += 1
        groups.append(
            {
                "name": group,
                "place": place.name,
                "address": place.address,
                "lines": [
                    PrintedLine(
                        number=line.number,
                        name=line.name,
                        position=line.position,
                        organisation=line.organisation,
                        status=line.status.value,
                        label=line.label("id"),
                        time=check_in_time(line, event, with_date=facts.multi_day),
                        represents=line.represents or "",
                    )
                    for line in lines
                ],
                "counts": [(STATUS_LABELS["id"][status], n) for status, n in counts.items() if n],
            }
        )
    return groups


def document_context(session: Session, event: Event, *, now: datetime) -> dict[str, Any]:
    """What every printed document of the event shares: the kop and the footer."""
    facts = event_facts(session, event)
    footer = f"{event.code} · dicetak {long_datetime(now, event.timezone)}".replace('"', "'")
    return {
        "event": facts,
        "host": facts.host,
        "kop": head_of(facts.letterhead, "id"),
        "footer": footer,
    }


def attendance_html(session: Session, event: Event, *, now: datetime) -> str:
    """The Daftar Hadir as an HTML document ready for print."""
    doc = document_context(session, event, now=now)
    doc["groups"] = attendance_groups(session, event, doc["event"])
    return render("attendance.html", {"doc": doc, "footer": doc["footer"]})


def attendance_pdf(session: Session, event: Event, *, now: datetime) -> bytes:
    """The Daftar Hadir as PDF: kop, one section per group, a signature column."""
    return pdf_from_html(attendance_html(session, event, now=now))


def default_path(event: Event, fmt: Format) -> Path:
    """data_dir/documents/<code>/daftar-hadir-<code>.<fmt>."""
    return documents_dir(event.code) / f"daftar-hadir-{event.code}.{fmt}"


def write_attendance(
    session: Session,
    event: Event,
    fmt: Format,
    *,
    now: datetime,
    output: Path | None = None,
    excel: bool = True,
) -> Path:
    """Write the list in a format to `output` (default under the event's documents).

    The CSV is for Excel by default (semicolons and a byte-order mark: Indonesian-locale Excel
    opens it in columns); excel=False writes plain comma-separated UTF-8."""
    path = output or default_path(event, fmt)
    if fmt == "csv":
        return write_atomically(path, attendance_csv(session, event, excel=excel))
    return write_atomically(path, attendance_pdf(session, event, now=now))
