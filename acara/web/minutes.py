"""The minutes (notulen) in the browser: upload the file, read it back, approve it.

Uploading calls the stage `acara minutes record` calls (errors name their line in the file);
approving shows the plan `acara minutes approve` shows and runs after the officer confirms.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse

from acara.dates import long_datetime
from acara.i18n import explain, explain_problem
from acara.stages import minutes as stage
from acara.stages import planning
from acara.web.deps import OfficerDep
from acara.web.pages import officer_language, render
from acara.web.plans import confirmed, plan_view
from acara.web.uploads import saved
from models.errors import IllegalTransition, InvalidInput, NotFound
from models.event import EventStatus

router = APIRouter()
HOLDABLE = (EventStatus.ANNOUNCED, EventStatus.ONGOING)
DONE = {"recorded", "replaced", "approved", "held"}


def _page(
    request: Request,
    ref: str,
    *,
    problems: list[str] | None = None,
    done: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    language = officer_language(request)
    event = planning.find_event(ref)
    context: dict[str, Any] = {
        "event": event,
        "problems": problems or [],
        "done": done if done in DONE else None,
        "seen": None,
        "plan": None,
        "refused": "",
        "approved_at": "",
        "can_hold": event.status in HOLDABLE,
    }
    try:
        seen = stage.show(ref)
    except NotFound:
        seen = None
    if seen is not None:
        context["seen"] = seen
        minutes = seen.minutes
        if minutes.approved_at is not None:
            context["approved_at"] = long_datetime(minutes.approved_at, event.timezone, language)
        else:
            try:
                context["plan"] = plan_view(stage.plan_approval(ref), language)
            except IllegalTransition as refused:
                context["refused"] = explain(refused, language)
    return render(request, "minutes.html", context, status_code=status_code)


@router.get("/events/{ref}/minutes", response_class=HTMLResponse)
def minutes_page(
    request: Request, ref: str, officer: OfficerDep, done: str | None = None
) -> HTMLResponse:
    """The recorded minutes (summary, discussion, decisions, action items) and the upload."""
    return _page(request, ref, done=done)


@router.post("/events/{ref}/minutes", response_model=None)
def upload(
    request: Request,
    ref: str,
    file: Annotated[UploadFile, File()],
    officer: OfficerDep,
) -> HTMLResponse | RedirectResponse:
    """Record the uploaded notulen as the draft; a mistake is shown with its line."""
    request.state.back_url = f"/events/{ref}/minutes"
    try:
        with saved(file, "notulen.md") as path:
            recorded = stage.record(ref, path, actor=officer.actor)
    except InvalidInput as wrong:
        language = officer_language(request)
        lines = [explain_problem(problem, language) for problem in wrong.problems]
        return _page(request, ref, problems=lines, status_code=422)
    done = "replaced" if recorded.replaced else "recorded"
    return RedirectResponse(f"/events/{recorded.event.id}/minutes?done={done}", status_code=303)


@router.post("/events/{ref}/minutes/approve")
def approve(
    request: Request,
    ref: str,
    officer: OfficerDep,
    confirm: Annotated[bool, Form()] = False,
) -> RedirectResponse:
    """Approve the minutes after the officer confirmed the plan; they are written and sent."""
    request.state.back_url = f"/events/{ref}/minutes"
    confirmed(confirm)
    outcome = stage.approve(ref, actor=officer.actor)
    return RedirectResponse(f"/events/{outcome.event_id}/minutes?done=approved", status_code=303)


@router.post("/events/{ref}/hold")
def hold(
    request: Request,
    ref: str,
    officer: OfficerDep,
    confirm: Annotated[bool, Form()] = False,
) -> RedirectResponse:
    """Record that the event took place (held): the follow-up starts, minutes can be approved."""
    request.state.back_url = f"/events/{ref}/minutes"
    confirmed(confirm)
    moved = planning.transition(ref, "hold", actor=officer.actor)
    return RedirectResponse(f"/events/{moved.event.id}/minutes?done=held", status_code=303)
