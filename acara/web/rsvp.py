"""The participant's RSVP page, reached from the link in the invitation e-mail."""

from __future__ import annotations

from itertools import groupby
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlmodel import Session, select

from acara.dates import long_date, long_datetime, time_range
from acara.i18n import N_, translate
from acara.links import RsvpClaim, checkin_code, read_rsvp_token
from acara.stages import rsvp
from acara.web.deps import SessionDep
from acara.web.pages import event_when, render
from models.checkin import OPEN_FOR_CHECKIN
from models.event import BreakoutGroup, Event, EventStatus
from models.people import Participant, Person, RsvpStatus
from models.queries import agenda, organisation_name
from models.rsvp import OPEN_FOR_ANSWERS, Answer, AnswersClosed, NotInvited, load_invitation

router = APIRouter()
DONE = {"accepted", "waitlisted", "declined", "represented", "unchanged"}


def _person_name(session: Session, participant_id: int | None) -> str | None:
    participant = session.get(Participant, participant_id) if participant_id else None
    person = session.get(Person, participant.person_id) if participant else None
    return person.full_name.with_titles if person else None


def _load(session: Session, claim: RsvpClaim) -> tuple[Event, Participant, Person]:
    event = session.get(Event, claim.event_id)
    if event is None:
        raise NotInvited(N_("The event of this link no longer exists."))
    participant = load_invitation(session, claim.event_id, claim.participant_id)
    person = session.get(Person, participant.person_id)
    assert person is not None
    return event, participant, person


def invitation_view(session: Session, claim: RsvpClaim, language: str) -> dict[str, Any]:
    """Everything the RSVP page shows, and nothing about anyone else."""
    event, participant, person = _load(session, claim)
    zone = event.timezone
    lines = agenda(session, event, participant.group_id)
    days = [
        (
            long_date(day, language),
            [
                {
                    "time": time_range(
                        line.session.starts_at, line.session.ends_at, zone, language
                    ),
                    "title": line.session.title,
                    "place": line.place,
                    "speakers": ", ".join(line.session.speakers),
                }
                for line in items
            ],
        )
        for day, items in groupby(lines, key=lambda line: line.day)
    ]
    venues = list(dict.fromkeys(line.venue for line in lines if line.venue))
    group = session.get(BreakoutGroup, participant.group_id) if participant.group_id else None
    stand_in = None
    if participant.rsvp == RsvpStatus.REPRESENTED:
        row = session.exec(
            select(Participant).where(Participant.represents_id == participant.id)
        ).first()
        stand_in = _person_name(session, row.id if row else None)
    is_open = event.status in OPEN_FOR_ANSWERS
    cancelled = event.status is EventStatus.CANCELLED
    show_card = participant.rsvp == RsvpStatus.ACCEPTED and event.status in OPEN_FOR_CHECKIN
    return {
        "participant_page": True,
        "event": event,
        "participant": participant,
        "person": person,
        "name": person.full_name.with_titles,
        "greeting": f"{person.salutation} {person.full_name.with_titles}".strip(),
        "when": event_when(event, language),
        "place": " · ".join(venues),
        "host": organisation_name(session, event.host_id),
        "group": group.name if group else "",
        "agenda": days,
        "responded": long_datetime(participant.responded_at, zone, language)
        if participant.responded_at
        else "",
        "represents": _person_name(session, participant.represents_id),
        "stand_in": stand_in,
        "can_answer": is_open and participant.rsvp != RsvpStatus.REPRESENTED,
        "can_delegate": participant.represents_id is None,
        "closed_reason": "" if is_open else translate(language, str(AnswersClosed.public)),
        "cancelled": cancelled,  # the page says so, with the reason, instead of the agenda
        "cancel_reason": event.cancel_reason or "" if cancelled else "",
        "checkin_link": f"/checkin/{checkin_code(participant.id, event.id)}"
        if show_card and participant.id is not None
        else "",
    }


def _language_of(session: Session, claim: RsvpClaim) -> str:
    _, _, person = _load(session, claim)
    return person.language.value


@router.get("/rsvp/{token}", response_class=HTMLResponse)
def rsvp_page(
    request: Request,
    token: str,
    session: SessionDep,
    done: str | None = None,
    answer: str | None = None,
) -> HTMLResponse:
    """The participant's own invitation: event, their agenda, their answer, the answer form."""
    claim = read_rsvp_token(token)
    language = _language_of(session, claim)
    request.state.language = language
    context = invitation_view(session, claim, language)
    context["done"] = done if done in DONE else None
    # The e-mail's accept/decline/represent link preselects that choice; a GET never answers,
    # so a mail scanner that follows links changes nothing.
    context["asked"] = answer if answer in {a.value for a in Answer} else None
    return render(request, "rsvp.html", context, language=language)


@router.post("/rsvp/{token}")
def rsvp_answer(
    request: Request,
    token: str,
    answer: Annotated[Answer, Form()],
    background: BackgroundTasks,
    session: SessionDep,
    name: Annotated[str, Form()] = "",
    position: Annotated[str, Form()] = "",
    email: Annotated[str, Form()] = "",
) -> RedirectResponse:
    """Record the answer, then show the page again with a thank-you note."""
    claim = read_rsvp_token(token)
    request.state.back_url = f"/rsvp/{token}"
    request.state.language = _language_of(session, claim)
    answered = rsvp.answer(
        claim.event_id,
        claim.participant_id,
        answer,
        actor=f"participant:{claim.participant_id}",
        stand_in=rsvp.StandIn(name, position, email),
    )
    # Committed: the fact is published and the representative's invitation leaves after the page.
    background.add_task(rsvp.follow_through, answered)
    outcome = answered.outcome
    done = outcome.status.value if outcome.changed else "unchanged"
    return RedirectResponse(f"/rsvp/{token}?done={done}#done", status_code=303)
