"""The feedback survey page a participant reaches from the survey e-mail (its own router)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from acara.followup import policy
from acara.i18n import N_, translate
from acara.surveylinks import SurveyClaim, read_survey_token
from acara.web.deps import SessionDep, UnitOfWorkDep
from acara.web.pages import event_when, render
from models.clock import utcnow
from models.errors import AcaraError, InvalidInput, NotFound
from models.event import Event
from models.followup import FOLLOWED_UP, survey_open
from models.people import Participant, Person
from models.survey import QUESTIONS, answer_of, parse_answers, submit

router = APIRouter()


class SurveyClosed(AcaraError):
    """The survey is not open: the event is not over yet, or answers are no longer taken."""

    code = "survey-closed"
    http_status = 410


def _load(session: Session, claim: SurveyClaim) -> tuple[Event, Participant, Person]:
    event = session.get(Event, claim.event_id)
    participant = session.get(Participant, claim.participant_id)
    if event is None or participant is None or participant.event_id != event.id:
        raise NotFound(N_("This survey does not exist (any more)."))
    person = session.get(Person, participant.person_id)
    assert person is not None
    return event, participant, person


def _require_open(event: Event) -> None:
    if event.status not in FOLLOWED_UP or not survey_open(event.ends_at, utcnow(), policy()):
        raise SurveyClosed(
            N_("The survey for this event is not open.")
        )


def _page(
    request: Request,
    session: Session,
    claim: SurveyClaim,
    *,
    values: dict[str, Any] | None = None,
    problems: dict[str, str] | None = None,
    done: bool = False,
    status_code: int = 200,
) -> HTMLResponse:
    event, participant, person = _load(session, claim)
    language = person.language.value
    stored = answer_of(session, participant.id or 0)
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
            "event": event,
            "when": event_when(event, language),
            "name": person.full_name.with_titles,
            "questions": [
                {"key": q.key, "text": translate(language, q.text)} for q in QUESTIONS
            ],
            "values": values,
            "problems": problems or {},
            "answered": stored is not None,
            "done": done,
        },
        status_code=status_code,
        language=language,
    )


@router.get("/survey/{token}", response_class=HTMLResponse)
def survey_page(
    request: Request, token: str, session: SessionDep, done: str | None = None
) -> HTMLResponse:
    """The participant's survey: three ratings and a comment, pre-filled if answered before."""
    claim = read_survey_token(token)
    event, _, person = _load(session, claim)
    request.state.language = person.language.value
    _require_open(event)
    return _page(request, session, claim, done=done == "1")


@router.post("/survey/{token}")
def survey_answer(
    request: Request,
    token: str,
    session: SessionDep,
    unit_of_work: UnitOfWorkDep,
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
    with unit_of_work() as uow:
        event, participant, person = _load(uow, claim)
        request.state.language = person.language.value
        _require_open(event)
        try:
            answers = parse_answers(form)
        except InvalidInput as exc:
            problems = {p.where.split(".")[0]: p.reason for p in exc.problems}
            return _page(request, session, claim, values=form, problems=problems, status_code=422)
        submit(uow, participant, answers, now=utcnow())
    return RedirectResponse(f"/survey/{token}?done=1", status_code=303)
