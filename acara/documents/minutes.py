"""The minutes (Notulen) as HTML and PDF, with the attendance list attached as pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date
from sqlmodel import Session, col, select

from acara.dates import long_date, long_datetime
from acara.documents import documents_dir, write_atomically
from acara.documents.attendance import attendance_groups, document_context
from acara.documents.render import pdf_from_html, render
from models.attendance_list import ListedStatus, attendance_list, status_counts
from models.errors import N_, NotFound
from models.event import Event
from models.minutes import Minutes, MinutesStatus
from models.minutes_rules import action_items_of, decisions_of, minutes_of
from models.people import Participant, Person, Role


def letter_date(instant: datetime, zone: str) -> str:
    """'8 Desember 2026', as dated under a signature."""
    return format_date(instant.astimezone(ZoneInfo(zone)).date(), "d MMMM y", locale="id")


@dataclass(frozen=True, slots=True)
class Signatory:
    """Someone who signs: name with titles and position."""

    name: str
    position: str


def _first_with_role(session: Session, event: Event, role: Role) -> Signatory | None:
    row = session.exec(
        select(Person)
        .join(Participant, col(Participant.person_id) == Person.id)
        .where(Participant.event_id == event.id, Participant.role == role)
        .order_by(col(Participant.id))
    ).first()
    return Signatory(row.full_name.with_titles, row.position) if row else None


def minutes_context(
    session: Session, event: Event, minutes: Minutes, *, now: datetime
) -> dict[str, Any]:
    """Everything the minutes template prints, as plain values."""
    doc = document_context(session, event, now=now)
    facts = doc["event"]
    present = status_counts(attendance_list(session, event))[ListedStatus.PRESENT]
    minute_taker = _first_with_role(session, event, Role.MINUTE_TAKER)
    signed_on = minutes.approved_at or now
    city = facts.city or facts.host
    doc.update(
        approved=minutes.status is MinutesStatus.APPROVED,
        approved_line=(
            f"{long_datetime(minutes.approved_at, event.timezone)} oleh {minutes.approved_by}"
            if minutes.approved_at
            else ""
        ),
        summary=minutes.summary,
        discussion=list(minutes.discussion),
        decisions=[d.text for d in decisions_of(session, minutes)],
        actions=[
            {
                "number": i,
                "description": item.description,
                "owner": item.owner_name,
                "email": item.owner_email,
                "due": long_date(item.due_on),
            }
            for i, item in enumerate(action_items_of(session, minutes), start=1)
        ],
        statements=list(minutes.key_statements),
        chair=_first_with_role(session, event, Role.HOST_OFFICIAL),
        minute_taker=minute_taker.name if minute_taker else "",
        present=present,
        signed_place_date=f"{city}, {letter_date(signed_on, event.timezone)}".lstrip(", "),
        groups=attendance_groups(session, event, facts),
    )
    return doc


def minutes_html(session: Session, event: Event, minutes: Minutes, *, now: datetime) -> str:
    """The minutes as a self-contained HTML document."""
    doc = minutes_context(session, event, minutes, now=now)
    return render("minutes.html", {"doc": doc, "footer": doc["footer"]})


@dataclass(frozen=True, slots=True)
class MinutesFiles:
    """Where the minutes were written."""

    html: Path
    pdf: Path


def minutes_paths(event: Event) -> MinutesFiles:
    """data_dir/documents/<code>/notulen-<code>.html and .pdf."""
    folder = documents_dir(event.code)
    return MinutesFiles(folder / f"notulen-{event.code}.html", folder / f"notulen-{event.code}.pdf")


def write_minutes(session: Session, event: Event, *, now: datetime) -> MinutesFiles:
    """Render the event's minutes (draft or approved) to HTML and PDF files."""
    minutes = minutes_of(session, event)
    if minutes is None:
        raise NotFound(N_("No minutes recorded for {event!r}."), event=event.code)
    document = minutes_html(session, event, minutes, now=now)
    paths = minutes_paths(event)
    write_atomically(paths.html, document)
    write_atomically(paths.pdf, pdf_from_html(document))
    return paths


def approved_minutes_pdf(session: Session, event: Event, *, now: datetime) -> Path | None:
    """The approved minutes' PDF, rendered now if the file is missing; None when not approved."""
    minutes = minutes_of(session, event)
    if minutes is None or minutes.status is not MinutesStatus.APPROVED:
        return None
    paths = minutes_paths(event)
    if not paths.pdf.exists():
        paths = write_minutes(session, event, now=now)
    return paths.pdf
