"""Check-in: the participant's card with QR, the registration desk, bulk attendance marking."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from sqlmodel import Session, col, select

from acara.dates import clock, long_datetime
from acara.i18n import translate
from acara.labels import label
from acara.links import CheckInCode, checkin_qr_png, checkin_qr_svg, read_checkin_code
from acara.stages import attendance as stage
from acara.web.deps import MaybeOfficerDep, OfficerDep, SessionDep
from acara.web.pages import event_when, officer_language, render
from models.checkin import CheckedIn, attendance_by_participant, recent_check_ins
from models.clock import zone_label
from models.event import BreakoutGroup, Event
from models.people import Attendance, AttendanceStatus, Participant, Person, RsvpStatus
from models.queries import PLENARY, by_group, get_event, participants
from models.rsvp import load_invitation

router = APIRouter()
BULK_STATUSES = [s.value for s in AttendanceStatus]


def _time(event: Event, attendance: Attendance | None, language: str) -> str:
    if attendance is None or attendance.checked_in_at is None:
        return ""
    return f"{clock(attendance.checked_in_at, event.timezone, language)} {event.zone_label}"


def _group_name(session: Session, group_id: int | None) -> str:
    group = session.get(BreakoutGroup, group_id) if group_id else None
    return group.name if group else ""


def _person(session: Session, participant: Participant) -> Person:
    person = session.get(Person, participant.person_id)
    assert person is not None
    return person


def result_view(
    session: Session, event: Event, result: CheckedIn, language: str
) -> dict[str, str | bool]:
    """What the desk shows after a scan: who, when, and anything the officer should know."""
    participant = session.get(Participant, result.participant_id)
    assert participant is not None
    person = _person(session, participant)
    note = ""
    if participant.represents_id is not None:
        principal = session.get(Participant, participant.represents_id)
        if principal is not None:
            note = translate(
                language,
                "Attending as representative of %(name)s.",
                name=_person(session, principal).full_name.with_titles,
            )
    elif participant.rsvp in (RsvpStatus.DECLINED, RsvpStatus.WAITLISTED):
        note = label("desk note", participant.rsvp.value, language)
    return {
        "first_time": result.first_time,
        "name": person.full_name.with_titles,
        "group": _group_name(session, participant.group_id),
        "time": f"{clock(result.at, event.timezone, language)} {zone_label(event.timezone)}",
        "note": note,
    }


def _card(
    request: Request,
    session: Session,
    code: CheckInCode,
    officer_view: bool,
    result: dict[str, Any] | None = None,
) -> HTMLResponse:
    event = session.get(Event, code.event_id)
    participant = load_invitation(session, code.event_id, code.participant_id)
    assert event is not None
    person = _person(session, participant)
    language = officer_language(request) if officer_view else person.language.value
    request.state.language = language
    attendance = attendance_by_participant(session, event.id).get(participant.id or 0)
    present = attendance is not None and attendance.status == AttendanceStatus.PRESENT
    context = {
        "participant_page": not officer_view,
        "event": event,
        "name": person.full_name.with_titles,
        "when": event_when(event, language),
        "group": _group_name(session, participant.group_id),
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
def checkin_card(
    request: Request, code: str, session: SessionDep, officer: MaybeOfficerDep
) -> HTMLResponse:
    """The participant's check-in card (QR and code); an officer also gets 'mark present'."""
    return _card(request, session, read_checkin_code(code), officer_view=officer is not None)


@router.get("/checkin/{code}/qr.png")
def checkin_png(code: str) -> Response:
    """The QR code as a PNG image."""
    parsed = read_checkin_code(code)
    return Response(checkin_qr_png(parsed.participant_id, parsed.event_id), media_type="image/png")


@router.post("/checkin/{code}", response_class=HTMLResponse)
def checkin_from_card(
    request: Request,
    code: str,
    officer: OfficerDep,
    session: SessionDep,
) -> HTMLResponse:
    """An officer scanned a card with a phone camera and confirms: mark present once."""
    parsed = read_checkin_code(code)
    request.state.desk_url = f"/events/{parsed.event_id}/desk"
    result = stage.check_in_card(parsed.event_id, parsed.participant_id, actor=officer.actor)
    event = session.get(Event, parsed.event_id)
    assert event is not None
    view = result_view(session, event, result, officer_language(request))
    return _card(request, session, parsed, officer_view=True, result=view)


def _desk(
    request: Request, session: Session, event: Event, result: dict[str, Any] | None = None
) -> HTMLResponse:
    language = officer_language(request)
    recent = []
    for attendance in recent_check_ins(session, event.id):
        participant = session.get(Participant, attendance.participant_id)
        assert participant is not None
        recent.append(
            {
                "time": _time(event, attendance, language),
                "name": _person(session, participant).full_name.with_titles,
                "group": _group_name(session, participant.group_id) or PLENARY,
                "method": label("method", attendance.method, language),
            }
        )
    marks = attendance_by_participant(session, event.id)
    present = sum(1 for a in marks.values() if a.status == AttendanceStatus.PRESENT)
    total = len(session.exec(select(Participant.id).where(Participant.event_id == event.id)).all())
    context = {"event": event, "result": result, "recent": recent, "present": present}
    context["total"] = total
    return render(request, "desk.html", context)


@router.get("/events/{ref}/desk", response_class=HTMLResponse)
def desk(request: Request, ref: str, officer: OfficerDep, session: SessionDep) -> HTMLResponse:
    """The registration desk: one field that a QR scanner types into."""
    return _desk(request, session, get_event(session, ref))


@router.post("/events/{ref}/desk", response_class=HTMLResponse)
def desk_scan(
    request: Request,
    ref: str,
    code: Annotated[str, Form()],
    officer: OfficerDep,
    session: SessionDep,
) -> HTMLResponse:
    """A scan or a typed code: present once; a second scan says since when."""
    event = get_event(session, ref)
    request.state.desk_url = f"/events/{event.id}/desk"
    parsed = read_checkin_code(code)
    result = stage.check_in_at_desk(
        ref,
        parsed.event_id,
        parsed.participant_id,
        actor=officer.actor,
        scanned="/checkin/" in code,
    )
    view = result_view(session, event, result, officer_language(request))
    return _desk(request, session, event, view)


@router.get("/events/{ref}/attendance", response_class=HTMLResponse)
def attendance_list(
    request: Request,
    ref: str,
    officer: OfficerDep,
    session: SessionDep,
    marked: str | None = None,
    count: int = 0,
) -> HTMLResponse:
    """Everyone per group with answer and attendance; tick and mark in bulk."""
    event = get_event(session, ref)
    language = officer_language(request)
    marks = attendance_by_participant(session, event.id)
    names = {
        p.id: person.full_name.with_titles
        for p, person in session.exec(
            select(Participant, Person)
            .join(Person, col(Person.id) == Participant.person_id)
            .where(Participant.event_id == event.id)
        )
    }
    groups = []
    for group, lines in by_group(participants(session, event)).items():
        rows = []
        for line in lines:
            pid = line.participant.id or 0
            attendance = marks.get(pid)
            rows.append(
                {
                    "id": pid,
                    "name": line.person.full_name.with_titles,
                    "position": line.person.position,
                    "organisation": line.person.organisation,
                    "represents": names.get(line.participant.represents_id or 0, ""),
                    "rsvp": line.participant.rsvp.value,
                    "attendance": attendance.status.value if attendance else "unknown",
                    "time": _time(event, attendance, language),
                }
            )
        groups.append((group, rows))
    flash = {"status": marked, "count": count} if marked in BULK_STATUSES else None
    context = {"event": event, "groups": groups, "statuses": BULK_STATUSES, "marked": flash}
    return render(request, "attendance.html", context)


@router.post("/events/{ref}/attendance")
def attendance_mark(
    request: Request,
    ref: str,
    status: Annotated[AttendanceStatus, Form()],
    officer: OfficerDep,
    participant: Annotated[list[int] | None, Form()] = None,
) -> RedirectResponse:
    """Mark every ticked participant with one status."""
    request.state.back_url = f"/events/{ref}/attendance"
    event, result = stage.mark_many(ref, participant or [], status, actor=officer.actor)
    return RedirectResponse(
        f"/events/{event.id}/attendance?marked={status.value}&count={len(result.changed)}",
        status_code=303,
    )
