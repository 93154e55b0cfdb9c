"""Follow-up in the browser: the action items of the minutes and the survey's results.

Closing an item calls the stage `acara action done` calls; the results are what `acara
survey` prints, with a bar per question.
"""

from __future__ import annotations

from collections import Counter

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from acara.i18n import translate
from acara.stages import followup, planning
from acara.web.dashboard import bar_row
from acara.web.deps import OfficerDep
from acara.web.pages import officer_language, render
from models.clock import utcnow
from models.errors import N_, NotFound
from models.followup import days_overdue, local_today
from models.minutes import ActionStatus
from models.survey import QUESTIONS

router = APIRouter()
RATINGS = [str(n) for n in range(1, 6)]


@router.get("/events/{ref}/followup", response_class=HTMLResponse)
def followup_page(
    request: Request, ref: str, officer: OfficerDep, closed: int | None = None
) -> HTMLResponse:
    """Action items (overdue ones flagged) and the survey in numbers and bars."""
    language = officer_language(request)
    event = planning.find_event(ref)
    today = local_today(utcnow(), event.timezone)
    items = [
        {
            "item": item,
            "done": item.status is ActionStatus.DONE,
            "late": days_overdue(item.due_on, today) if item.status is ActionStatus.OPEN else 0,
        }
        for item, _ in followup.open_items(ref, include_done=True)
    ]
    _, summary = followup.survey_results(ref)
    rows, everything = [], Counter[str]()
    for question in QUESTIONS:
        counts = Counter({str(k): n for k, n in summary.counts.get(question.key, {}).items()})
        everything.update(counts)
        text = translate(language, question.text)
        rows.append(
            (
                bar_row(text, counts, RATINGS, "rating", language, False),
                summary.averages.get(question.key),
            )
        )
    context = {
        "event": event,
        "items": items,
        "closed": closed,
        "summary": summary,
        "survey_rows": rows,
        "survey_overall": bar_row("", everything, RATINGS, "rating", language, True),
        "ratings": RATINGS,
    }
    return render(request, "followup.html", context)


@router.post("/events/{ref}/followup/actions/{item_id}/done")
def close_item(
    request: Request,
    ref: str,
    item_id: int,
    officer: OfficerDep,
) -> RedirectResponse:
    """Mark an action item of this event done: its reminders and escalation stop."""
    request.state.back_url = f"/events/{ref}/followup"
    if item_id not in {item.id for item, _ in followup.open_items(ref, include_done=True)}:
        raise NotFound(N_("No action item {id} in this event."), id=item_id)
    followup.close_item(item_id, actor=officer.actor)
    return RedirectResponse(f"/events/{ref}/followup?closed={item_id}#actions", status_code=303)
