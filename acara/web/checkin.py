"""Check-in: the participant's card with QR, the registration desk, bulk attendance marking."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from acara.dates import clock_in_zone, long_datetime
from acara.i18n import translate
from acara.labels import label
from acara.links import (
    CheckInCode,
    checkin_code,
    checkin_qr_png,
    checkin_qr_svg,
    read_checkin_code,
)
from acara.stages import attendance as stage
from acara.stages import planning
from acara.web.deps import DeskDep, MaybeOfficerDep, OfficerDep
from acara.web.pages import event_when, matches, officer_language, render
from models.checkin import CheckedIn
from models.event import Event
from models.people import Attendance, AttendanceStatus, RsvpStatus
from models.queries import PLENARY, by_group

router = APIRouter()
BULK_STATUSES = [s.value for s in AttendanceStatus]


def _time(event: Event, attendance: Attendance | None, language: str) -> str:
    if attendance is None or attendance.checked_in_at is None:
        return ""
    return clock_in_zone(attendance.checked_in_at, event.timezone, language)


def result_view(event: Event, result: CheckedIn, language: str) -> dict[str, str | bool]:
    """What the desk shows after a scan: who, when, and anything the officer should know."""
    seen = stage.scanned(result)
    participant = seen.participant
    note = ""
    if participant.represents_id is not None:
        if seen.principal is not None:
            note = translate(
                language, "Attending as representative of %(name)s.", name=seen.principal
            )
    elif participant.rsvp in (RsvpStatus.DECLINED, RsvpStatus.WAITLISTED):
        note = label("desk note", participant.rsvp.value, language)
    return {
        "first_time": result.first_time,
        "name": seen.name,
        "group": seen.group,
        "time": clock_in_zone(result.at, event.timezone, language),
        "note": note,
    }


def _card(
    request: Request,
    card: stage.Card,
    code: CheckInCode,
    officer_view: bool,
    result: dict[str, Any] | None = None,
) -> HTMLResponse:
    event, person, attendance = card.event, card.person, card.attendance
    language = officer_language(request) if officer_view else person.language.value
    request.state.language = language
    present = attendance is not None and attendance.status == AttendanceStatus.PRESENT
    context = {
        "participant_page": not officer_view,
        "event": event,
        "name": person.full_name.with_titles,
        "when": event_when(event, language),
        "group": card.group,
        "checked_in": long_datetime(attendance.checked_in_at, event.timezone, language)
        if present and attendance and attendance.checked_in_at
        else "",
        "code": str(code),
        # segno's own SVG markup from our URL: trusted, not user input.
        "qr_svg": Markup(checkin_qr_svg(code.participant_id, code.event_id)),
        "result": result,
    }
    return render(request, "checkin_card.html", context, language=language)


@router.get("/checkin/{code}", response_class=HTMLResponse)
def checkin_card(request: Request, code: str, officer: MaybeOfficerDep) -> HTMLResponse:
    """The participant's check-in card (QR and code); an officer also gets 'mark present'."""
    parsed = read_checkin_code(code)
    card = stage.card(parsed.event_id, parsed.participant_id)
    return _card(request, card, parsed, officer_view=officer is not None)


@router.get("/checkin/{code}/qr.png")
def checkin_png(code: str) -> Response:
    """The QR code as a PNG image."""
    parsed = read_checkin_code(code)
    return Response(checkin_qr_png(parsed.participant_id, parsed.event_id), media_type="image/png")


@router.post("/checkin/{code}", response_class=HTMLResponse)
def checkin_from_card(request: Request, code: str, officer: DeskDep) -> HTMLResponse:
    """An officer scanned a card with a phone camera and confirms: mark present once."""
    parsed = read_checkin_code(code)
    request.state.desk_url = f"/events/{parsed.event_id}/desk"
    result = stage.check_in_card(parsed.event_id, parsed.participant_id, actor=officer.actor)
    card = stage.card(parsed.event_id, parsed.participant_id)
    view = result_view(card.event, result, officer_language(request))
    return _card(request, card, parsed, officer_view=True, result=view)


DESK_FOUND = 20  # people a name search at the desk shows at most


def _found(event: Event, query: str) -> list[dict[str, Any]]:
    """Who a search at the desk finds (name, position, organisation, e-mail, phone), in
    protocol order, each with the code that checks them in."""
    if not query.strip():
        return []
    roll = stage.roll(event.id or 0)
    found = []
    for line in roll.participants:
        person, pid = line.person, line.participant.id or 0
        texts = (person.full_name.with_titles, person.position, person.organisation)
        if matches(query, *texts, person.email or "", person.phone):
            mark = roll.marks.get(pid)
            found.append(
                {
                    "name": person.full_name.with_titles,
                    "position": person.position,
                    "group": line.group,
                    "present": mark is not None and mark.status == AttendanceStatus.PRESENT,
                    "code": checkin_code(pid, event.id or 0),
                }
            )
    return found[:DESK_FOUND]


def _desk(
    request: Request, desk: stage.Desk, result: dict[str, Any] | None = None, q: str = ""
) -> HTMLResponse:
    language = officer_language(request)
    event = desk.event
    recent = [
        {
            "time": _time(event, line.attendance, language),
            "name": line.name,
            "group": line.group or PLENARY,
            "method": label("method", line.attendance.method, language),
        }
        for line in desk.recent
    ]
    context = {"event": event, "result": result, "recent": recent, "present": desk.present}
    context.update(total=desk.total, q=q, found=_found(event, q))
    return render(request, "desk.html", context)


@router.get("/events/{ref}/desk", response_class=HTMLResponse)
def desk(request: Request, ref: str, officer: DeskDep, q: str = "") -> HTMLResponse:
    """The registration desk: one field that a QR scanner types into, and a search by name
    (or phone) for a guest without their code."""
    return _desk(request, stage.desk(ref), q=q)


@router.post("/events/{ref}/desk", response_class=HTMLResponse)
def desk_scan(
    request: Request,
    ref: str,
    code: Annotated[str, Form()],
    officer: DeskDep,
) -> HTMLResponse:
    """A scan or a typed code: present once; a second scan says since when."""
    event = planning.find_event(ref)
    request.state.desk_url = f"/events/{event.id}/desk"
    parsed = read_checkin_code(code)
    result = stage.check_in_at_desk(
        ref,
        parsed.event_id,
        parsed.participant_id,
        actor=officer.actor,
        scanned="/checkin/" in code,
    )
    view = result_view(event, result, officer_language(request))
    return _desk(request, stage.desk(ref), view)


@router.get("/events/{ref}/attendance", response_class=HTMLResponse)
def attendance_list(
    request: Request,
    ref: str,
    officer: OfficerDep,
    marked: str | None = None,
    count: int = 0,
    q: str = "",
) -> HTMLResponse:
    """Everyone per group in protocol order with answer and attendance (searched by name,
    position, organisation or e-mail); tick and mark in bulk."""
    roll = stage.roll(ref)
    event = roll.event
    language = officer_language(request)
    groups = []
    for group, lines in by_group(roll.participants).items():
        rows = []
        for line in lines:
            person = line.person
            if not matches(
                q,
                person.full_name.with_titles,
                person.position,
                person.organisation,
                person.email or "",
            ):
                continue
            pid = line.participant.id or 0
            attendance = roll.marks.get(pid)
            rows.append(
                {
                    "id": pid,
                    "name": line.person.full_name.with_titles,
                    "position": line.person.position,
                    "organisation": line.person.organisation,
                    "represents": roll.names.get(line.participant.represents_id or 0, ""),
                    "rsvp": line.participant.rsvp.value,
                    "attendance": attendance.status.value if attendance else "unknown",
                    "time": _time(event, attendance, language),
                }
            )
        if rows:
            groups.append((group, rows))
    flash = {"status": marked, "count": count} if marked in BULK_STATUSES else None
    context = {"event": event, "groups": groups, "statuses": BULK_STATUSES, "marked": flash}
    context["q"] = q
    return render(request, "attendance.html", context)


@router.post("/events/{ref}/attendance")
def attendance_mark(
    request: Request,
    ref: str,
    status: Annotated[AttendanceStatus, Form()],
    officer: OfficerDep,
    participant: Annotated[list[int] | None, Form()] = None,
    q: Annotated[str, Form()] = "",
) -> RedirectResponse:
    """Mark every ticked participant with one status (the search stays as it was)."""
    request.state.back_url = f"/events/{ref}/attendance"
    event, result = stage.mark_many(ref, participant or [], status, actor=officer.actor)
    query = urlencode({"marked": status.value, "count": len(result.changed), "q": q})
    return RedirectResponse(f"/events/{event.id}/attendance?{query}", status_code=303)
