"""The feedback survey page a participant reaches from the survey e-mail (its own router)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from acara.dates import long_datetime
from acara.i18n import translate
from acara.links import read_survey_token
from acara.stages import followup
from acara.web.pages import event_when, render
from models.errors import InvalidInput
from models.survey import QUESTIONS

router = APIRouter()


def _page(
    request: Request,
    seen: followup.SurveyView,
    *,
    values: dict[str, Any] | None = None,
    problems: dict[str, str] | None = None,
    done: bool = False,
    status_code: int = 200,
) -> HTMLResponse:
    language = seen.person.language.value
    stored = seen.answered
    if values is None:
        values = (
            {q.key: getattr(stored, q.key) for q in QUESTIONS} | {"comment": stored.comment}
            if stored
            else {}
        )
    return render(
        request,
        "survey.html",
        {
            "participant_page": True,
            "event": seen.event,
            "when": event_when(seen.event, language),
            "name": seen.person.full_name.with_titles,
            "questions": [{"key": q.key, "text": translate(language, q.text)} for q in QUESTIONS],
            "values": values,
            "problems": problems or {},
            "answered": stored is not None,
            "done": done,
            "opens_later": seen.opens_later,
            "opens_at": long_datetime(seen.opens_at, seen.event.timezone, language)
            if seen.opens_at
            else "",
        },
        status_code=status_code,
        language=language,
    )


@router.get("/survey/{token}", response_class=HTMLResponse)
def survey_page(request: Request, token: str, done: str | None = None) -> HTMLResponse:
    """The participant's survey: three ratings and a comment, pre-filled if answered before."""
    claim = read_survey_token(token)
    seen = followup.survey(claim.event_id, claim.participant_id)
    request.state.language = seen.person.language.value
    if not seen.opens_later:  # a link opened early is no error: the page says when to come back
        seen.ensure_open()
    return _page(request, seen, done=done == "1")


@router.post("/survey/{token}")
def survey_answer(
    request: Request,
    token: str,
    overall: Annotated[str, Form()] = "",
    content: Annotated[str, Form()] = "",
    organisation: Annotated[str, Form()] = "",
    comment: Annotated[str, Form()] = "",
) -> Response:
    """Store the answers (replacing earlier ones) and thank the participant."""
    claim = read_survey_token(token)
    request.state.back_url = f"/survey/{token}"
    form = {
        "overall": overall,
        "content": content,
        "organisation": organisation,
        "comment": comment,
    }
    seen = followup.survey(claim.event_id, claim.participant_id)
    request.state.language = seen.person.language.value
    try:
        followup.answer_survey(claim.event_id, claim.participant_id, form)
    except InvalidInput as exc:
        problems = {p.where.split(".")[0]: p.reason for p in exc.problems}
        return _page(request, seen, values=form, problems=problems, status_code=422)
    return RedirectResponse(f"/survey/{token}?done=1", status_code=303)
