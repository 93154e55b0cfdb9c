"""Officer pages: one event's dashboard (counts per group, timetable)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from acara.labels import label
from acara.stages import planning
from acara.web.deps import OfficerDep
from acara.web.pages import event_when, officer_language, render
from acara.web.timetable import build_timetable
from models.checkin import UNKNOWN, GroupTally
from models.people import AttendanceStatus, RsvpStatus

router = APIRouter()
RSVP_ORDER = [
    RsvpStatus.ACCEPTED.value,
    RsvpStatus.REPRESENTED.value,
    RsvpStatus.WAITLISTED.value,
    RsvpStatus.TENTATIVE.value,
    RsvpStatus.DECLINED.value,
    RsvpStatus.PENDING.value,
]
ATTENDANCE_ORDER = [
    AttendanceStatus.PRESENT.value,
    AttendanceStatus.REPRESENTED.value,
    AttendanceStatus.EXCUSED.value,
    AttendanceStatus.ABSENT.value,
    UNKNOWN,
]


@dataclass(frozen=True, slots=True)
class Segment:
    """One coloured part of a bar."""

    status: str
    count: int
    percent: float


@dataclass(frozen=True, slots=True)
class BarRow:
    """One group's bar: its segments in a fixed order, and the counts by status."""

    name: str
    total: int
    segments: list[Segment]
    counts: dict[str, int]
    summary: str
    is_total: bool = False


def bar_row(
    name: str, counts: Counter[str], order: list[str], kind: str, language: str, is_total: bool
) -> BarRow:
    """Percentages of a group's total for each status (rounded for CSS widths)."""
    total = sum(counts.values())
    segments = [
        Segment(s, counts[s], round(100 * counts[s] / total, 2) if total else 0.0) for s in order
    ]
    summary = ", ".join(f"{label(kind, s, language)}: {counts[s]}" for s in order)
    return BarRow(name, total, segments, {s: counts[s] for s in order}, summary, is_total)


def _chart(
    groups: list[GroupTally], overall: GroupTally, kind: Literal["rsvp", "attendance"], lang: str
) -> tuple[list[BarRow], BarRow]:
    order = RSVP_ORDER if kind == "rsvp" else ATTENDANCE_ORDER
    rows = [bar_row(g.group, getattr(g, kind), order, kind, lang, False) for g in groups]
    return rows, bar_row("", getattr(overall, kind), order, kind, lang, True)


@router.get("/events/{ref}", response_class=HTMLResponse)
def event_dashboard(
    request: Request,
    ref: str,
    officer: OfficerDep,
    by: Literal["room", "group"] = "room",
) -> HTMLResponse:
    """One event: answers and attendance per group as bars, and the timetable grid."""
    seen = planning.dashboard(ref)
    event = seen.event
    language = officer_language(request)
    rsvp_rows, rsvp_overall = _chart(seen.groups, seen.overall, "rsvp", language)
    attendance_rows, attendance_overall = _chart(seen.groups, seen.overall, "attendance", language)
    context = {
        "event": event,
        "when": event_when(event, language),
        "host": seen.host,
        "guest": seen.guest,
        "seats_taken": seen.seats_taken,
        "bounced": seen.bounced,
        "rsvp_rows": rsvp_rows,
        "rsvp_overall": rsvp_overall,
        "rsvp_order": RSVP_ORDER,
        "attendance_rows": attendance_rows,
        "attendance_overall": attendance_overall,
        "attendance_order": ATTENDANCE_ORDER,
        "by": by,
        "days": build_timetable(seen.agenda, event.timezone, language, by),
    }
    return render(request, "dashboard.html", context)
