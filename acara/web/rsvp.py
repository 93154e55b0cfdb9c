"""The participant's RSVP page, reached from the link in the invitation e-mail."""

from __future__ import annotations

from itertools import groupby
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from acara.dates import long_date, long_datetime, time_range, zone_name
from acara.i18n import translate
from acara.links import RsvpClaim, checkin_code, read_rsvp_token
from acara.stages import rsvp
from acara.web.pages import event_when, render
from models.checkin import OPEN_FOR_CHECKIN
from models.event import EventStatus
from models.people import RsvpStatus
from models.rsvp import OPEN_FOR_ANSWERS, Answer, AnswersClosed

router = APIRouter()
DONE = {"accepted", "waitlisted", "declined", "represented", "unchanged"}


def invitation_view(claim: RsvpClaim, language: str) -> dict[str, Any]:
    """Everything the RSVP page shows, and nothing about anyone else."""
    seen = rsvp.invitation(claim.event_id, claim.participant_id)
    event, participant, person = seen.event, seen.participant, seen.person
    zone = event.timezone
    lines = seen.agenda
    days = [
        (
            long_date(day, language),
            [
                {
                    "time": time_range(
                        line.session.starts_at, line.session.ends_at, zone, language
                    ),
                    "title": line.session.text("title", language),
                    "place": line.place,
                    "speakers": ", ".join(line.session.speakers),
                }
                for line in items
            ],
        )
        for day, items in groupby(lines, key=lambda line: line.day)
    ]
    venues = list(dict.fromkeys(line.venue for line in lines if line.venue))
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
        "zone": zone_name(event.starts_at, zone, language),
        "place": " · ".join(venues),
        "host": seen.host,
        "group": seen.group,
        "agenda": days,
        "responded": long_datetime(participant.responded_at, zone, language)
        if participant.responded_at
        else "",
        "represents": seen.represents,
        "stand_in": seen.stand_in,
        "can_answer": is_open and participant.rsvp != RsvpStatus.REPRESENTED,
        "can_delegate": participant.represents_id is None,
        "closed_reason": "" if is_open else translate(language, str(AnswersClosed.public)),
        "cancelled": cancelled,  # the page says so, with the reason, instead of the agenda
        "cancel_reason": event.cancel_reason or "" if cancelled else "",
        "checkin_link": f"/checkin/{checkin_code(participant.id, event.id)}"
        if show_card and participant.id is not None
        else "",
    }


@router.get("/rsvp/{token}", response_class=HTMLResponse)
def rsvp_page(
    request: Request,
    token: str,
    done: str | None = None,
    answer: str | None = None,
) -> HTMLResponse:
    """The participant's own invitation: event, their agenda, their answer, the answer form."""
    claim = read_rsvp_token(token)
    language = rsvp.language_of(claim.event_id, claim.participant_id)
    request.state.language = language
    context = invitation_view(claim, language)
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
    name: Annotated[str, Form()] = "",
    position: Annotated[str, Form()] = "",
    email: Annotated[str, Form()] = "",
) -> RedirectResponse:
    """Record the answer, then show the page again with a thank-you note."""
    claim = read_rsvp_token(token)
    request.state.back_url = f"/rsvp/{token}"
    request.state.language = rsvp.language_of(claim.event_id, claim.participant_id)
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
