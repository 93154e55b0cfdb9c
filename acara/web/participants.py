"""Officer pages for participants: the table (search, filters), add and edit one, record an
answer given by phone or WhatsApp.

The table is in protocol order (models/precedence.py). Adding or editing goes through the
stage `acara participants import` calls, as a list of one row, with its plan first when the
change reaches people (a new group after the invitations went out).
"""

from __future__ import annotations

from collections import Counter
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel

from acara.i18n import translate
from acara.stages import invitations, planning, replies, rsvp
from acara.stages.replies import AnswerLine
from acara.web.deps import OfficerDep
from acara.web.pages import matches, officer_language
from acara.web.plans import form_page, plan_page, run_planned
from models.errors import N_, AcaraError
from models.people import Language, Role, RsvpStatus
from models.people import Via as Channel
from models.rsvp import Answer, Via

router = APIRouter()

# The table's filters: what each keeps.
SHOWS = {
    "all": N_("Everyone"),
    "unanswered": N_("Not answered yet"),
    "no-email": N_("Without e-mail"),
}


class ParticipantForm(BaseModel):
    """The participant form as posted: the columns of a participant list, and the confirmation."""

    name: str = ""
    salutation: str = ""
    position: str = ""
    organisation: str = ""
    email: str = ""
    phone: str = ""
    address: str = ""  # postal address, for a printed letter
    via: str = ""  # channel: "" (e-mail when given), letter, chat, letter+chat
    role: str = ""
    group: str = ""
    language: str = ""
    confirm: str = ""

    def values(self) -> dict[str, str]:
        """The columns, as a row of a list has them."""
        return self.model_dump(exclude={"confirm"})


def _kept(line: AnswerLine, show: str, group: str) -> bool:
    if group and line.group != group:
        return False
    if show == "unanswered":
        return line.status == RsvpStatus.PENDING.value
    if show == "no-email":
        return not line.email
    return True


@router.get("/events/{ref}/participants", response_class=HTMLResponse)
def participant_list(
    request: Request,
    ref: str,
    officer: OfficerDep,
    q: str = "",
    show: str = "all",
    group: str = "",
) -> HTMLResponse:
    """Everyone in protocol order, with answer, phone, e-mail; searched and filtered."""
    event, lines = replies.answers(ref)
    show = show if show in SHOWS else "all"
    counts = {
        "all": len(lines),
        "unanswered": sum(1 for x in lines if x.status == RsvpStatus.PENDING.value),
        "no-email": sum(1 for x in lines if not x.email),
    }
    rows = [
        line
        for line in lines
        if _kept(line, show, group)
        and matches(q, line.name, line.position, line.organisation, line.email, line.phone)
    ]
    context = {
        "event": event,
        "rows": rows,
        "q": q,
        "show": show,
        "shows": SHOWS,
        "counts": counts,
        "group": group,
        "groups": sorted({line.group for line in lines}),
        "answers": Counter(line.status for line in lines),
        "imported": request.query_params.get("imported"),
        "updated": request.query_params.get("updated"),
        "saved": request.query_params.get("saved"),
    }
    return form_page(request, "participants.html", context)


def _form(
    request: Request,
    ref: str,
    participant_id: int | None,
    values: dict[str, str] | None = None,
    error: AcaraError | None = None,
) -> HTMLResponse:
    entry = planning.entry(ref, participant_id)
    line = entry.line
    if values is None and line is not None:
        person = line.person
        values = {
            "name": person.full_name.with_titles,
            "salutation": person.salutation,
            "position": person.position,
            "organisation": person.organisation,
            "email": person.email or "",
            "phone": person.phone,
            "address": person.address,
            "via": "" if person.via is Channel.EMAIL else person.via.value,
            "role": line.participant.role.value,
            "group": line.group if line.participant.group_id else "",
            "language": person.language.value,
        }
    context = {
        "event": entry.event,
        "line": line,
        "answers": [answer.value for answer in Answer],
        "vias": [via.value for via in Via],
        "values": values or ParticipantForm(role=Role.GUEST, language=Language.ID).values(),
        "groups": entry.groups,
        "roles": [role.value for role in Role],
        "languages": [language.value for language in Language],
        "channels": [channel.value for channel in Channel if channel is not Channel.EMAIL],
    }
    return form_page(request, "participant.html", context, error)


@router.get("/events/{ref}/participants/new", response_class=HTMLResponse)
def new_participant(request: Request, ref: str, officer: OfficerDep) -> HTMLResponse:
    """The form for one more participant."""
    return _form(request, ref, None)


@router.get("/events/{ref}/participants/{participant_id}", response_class=HTMLResponse)
def participant(
    request: Request, ref: str, participant_id: int, officer: OfficerDep
) -> HTMLResponse:
    """One participant: their details to edit, and an answer to record on their behalf."""
    return _form(request, ref, participant_id)


def _save(
    request: Request, ref: str, participant_id: int | None, form: ParticipantForm, actor: str
) -> Response:
    action = f"/events/{ref}/participants/{participant_id or 'new'}"
    values = form.values()
    try:
        saved, done = run_planned(
            planning.import_participant, ref, values, actor=actor, confirmed=bool(form.confirm)
        )
    except AcaraError as exc:
        return _form(request, ref, participant_id, values, exc)
    if not done:
        return plan_page(
            request,
            saved.plan,
            heading=translate(officer_language(request), N_("Save this participant?")),
            action=action,
            fields=values,
            back=action,
        )
    if invitations.left_to_send(saved.plan):
        invitations.send_owed(saved.event_id)
    return RedirectResponse(f"/events/{saved.event_id}/participants?saved=1", status_code=303)


@router.post("/events/{ref}/participants/new", response_class=HTMLResponse)
def add(
    request: Request, ref: str, officer: OfficerDep, form: Annotated[ParticipantForm, Form()]
) -> Response:
    """Add a participant, as a list of one row would."""
    return _save(request, ref, None, form, officer.actor)


@router.post("/events/{ref}/participants/{participant_id}", response_class=HTMLResponse)
def edit(
    request: Request,
    ref: str,
    participant_id: int,
    officer: OfficerDep,
    form: Annotated[ParticipantForm, Form()],
) -> Response:
    """Bring a participant up to date (matched by e-mail address, as on import)."""
    return _save(request, ref, participant_id, form, officer.actor)


class AnswerForm(BaseModel):
    """An answer received by phone, WhatsApp or letter, as the officer types it in."""

    answer: Answer
    via: Via = Via.PHONE
    name: str = ""  # the representative's, for `represent`
    position: str = ""
    email: str = ""
    note: str = ""
    confirm: str = ""


@router.post("/events/{ref}/participants/{participant_id}/answer", response_class=HTMLResponse)
def record_answer(
    request: Request,
    ref: str,
    participant_id: int,
    officer: OfficerDep,
    form: Annotated[AnswerForm, Form()],
) -> Response:
    """Record an answer on the participant's behalf (`acara rsvp`): the plan, then for real."""
    try:
        answered, done = run_planned(
            rsvp.answer_for,
            ref,
            participant_id,
            form.answer,
            actor=officer.actor,
            via=form.via,
            stand_in=rsvp.StandIn(form.name, form.position, form.email),
            note=form.note,
            confirmed=bool(form.confirm),
        )
    except AcaraError as exc:
        return _form(request, ref, participant_id, error=exc)
    if not done:
        return plan_page(
            request,
            answered.plan,
            heading=translate(officer_language(request), N_("Record this answer?")),
            action=f"/events/{ref}/participants/{participant_id}/answer",
            fields=form.model_dump(mode="json", exclude={"confirm"}),
            back=f"/events/{ref}/participants/{participant_id}",
        )
    return RedirectResponse(
        f"/events/{answered.outcome.event_id}/participants?saved=1", status_code=303
    )
