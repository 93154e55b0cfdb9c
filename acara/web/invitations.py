"""Invitations in the browser: preview a participant's letter, see the plan, send, watch it go.

The page calls the stages `acara invite` calls: the plan is the same dry run, the preview is
the composer's own message for that participant, and a confirmed send owes exactly what the
plan showed. With `acara serve` running, the send-invitations flow sends; otherwise this web
process sends in the background. Either way the progress page reads the outbox, so it is the
same page.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from acara.i18n import explain
from acara.stages import contacts, letters, planning
from acara.stages import invitations as stage
from acara.web.deps import OfficerDep
from acara.web.pages import officer_language, render
from acara.web.plans import confirmed, plan_view
from models.errors import N_, IllegalTransition, invalid

router = APIRouter()
REFRESH_SECONDS = 2  # the progress page reloads itself this often while messages wait
# The e-mail's HTML body shown as it will be sent, framed by the preview page only: no
# scripts, no requests, no forms, nothing of the app's (a sandbox with a unique origin).
EMAIL_FRAME_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
        "frame-ancestors 'self'; sandbox"
    ),
    "X-Frame-Options": "SAMEORIGIN",
}


@router.get("/events/{ref}/invitations", response_class=HTMLResponse)
def invitations_page(request: Request, ref: str, officer: OfficerDep) -> HTMLResponse:
    """The plan of `acara invite` (who gets what), the send form, and whom to preview."""
    language = officer_language(request)
    seen = planning.overview(ref)
    plan, refused = None, ""
    try:
        owed = stage.owe_invitations(ref, actor=officer.actor, dry_run=True)
        plan = plan_view(owed.plan, language)
    except IllegalTransition as over:
        refused = explain(over, language)
    context = {
        "event": seen.event,
        "plan": plan,
        "refused": refused,
        "participants": seen.participants,
        "progress": stage.progress(ref),
        "on_paper": letters.owed_on_paper(ref),
        "chats": contacts.reach(ref).chats,
        "handed": request.query_params.get("handed"),
    }
    return render(request, "invitations.html", context)


@router.post("/events/{ref}/invitations/send")
def send(
    request: Request,
    ref: str,
    officer: OfficerDep,
    background: BackgroundTasks,
    expected: Annotated[int, Form()],
    confirm: Annotated[bool, Form()] = False,
) -> RedirectResponse:
    """Owe what the confirmed plan showed and start sending; then watch the progress."""
    request.state.back_url = f"/events/{ref}/invitations"
    confirmed(confirm)
    # The plan changed since the officer read it (someone imported more people): show it again.
    now_owed = stage.owe_invitations(ref, actor=officer.actor, dry_run=True).plan.recipients
    if now_owed != expected:
        raise invalid(
            "confirm",
            N_("the plan changed since you read it ({then} messages, now {now}): read it again"),
            then=expected,
            now=now_owed,
        )
    started = stage.start_sending(ref, actor=officer.actor)
    if started.runs == stage.HERE:
        background.add_task(stage.send_in_background, started.owed.event_id)
    return RedirectResponse(
        f"/events/{started.owed.event_id}/invitations/progress?by={started.runs}", status_code=303
    )


@router.get("/events/{ref}/invitations/progress", response_class=HTMLResponse)
def progress(
    request: Request, ref: str, officer: OfficerDep, by: str | None = None
) -> HTMLResponse:
    """Sent, failed and waiting messages, from the outbox; reloads itself until done."""
    seen = stage.progress(ref)
    context = {
        "event": seen.event,
        "progress": seen,
        "by": by if by in (stage.BY_SERVICE, stage.HERE) else None,
        "refresh": 0 if seen.finished or seen.stalled else REFRESH_SECONDS,
    }
    return render(request, "invitations_progress.html", context)


@router.get("/events/{ref}/invitations/preview")
def choose(ref: str, participant: int, officer: OfficerDep) -> RedirectResponse:
    """The preview of the participant chosen in the list."""
    return RedirectResponse(f"/events/{ref}/invitations/preview/{participant}", status_code=303)


@router.get("/events/{ref}/invitations/preview/{participant_id}", response_class=HTMLResponse)
def preview(request: Request, ref: str, participant_id: int, officer: OfficerDep) -> HTMLResponse:
    """One participant's e-mail as it will be sent: sender, subject, attachments, both bodies."""
    seen = stage.preview(ref, participant_id)
    context = {
        "event": seen.event,
        "seen": seen,
        "participants": planning.overview(ref).participants,
    }
    return render(request, "invitations_preview.html", context)


@router.get("/events/{ref}/invitations/preview/{participant_id}/email.html")
def preview_html(ref: str, participant_id: int, officer: OfficerDep) -> Response:
    """The e-mail's HTML body alone, for the preview's frame."""
    message = stage.preview(ref, participant_id).message
    html = message.html if message is not None and message.html else ""
    return HTMLResponse(html, headers=EMAIL_FRAME_HEADERS)


@router.get("/events/{ref}/invitations/preview/{participant_id}/letter.pdf")
def preview_letter(ref: str, participant_id: int, officer: OfficerDep) -> Response:
    """The participant's surat undangan as it would be issued now, marked as a sample."""
    pdf = letters.preview(ref, participant_id)
    disposition = f'inline; filename="contoh-surat-undangan-{participant_id}.pdf"'
    return Response(pdf, media_type="application/pdf", headers={"Content-Disposition": disposition})


@router.post("/events/{ref}/letters/handed-over")
def hand_over(
    request: Request,
    ref: str,
    officer: OfficerDep,
    person: Annotated[list[str] | None, Form()] = None,
    confirm: Annotated[bool, Form()] = False,
) -> RedirectResponse:
    """Mark the ticked printed letters as handed over (each once), as `acara letters
    --delivered` does."""
    request.state.back_url = f"/events/{ref}/invitations#letters"
    confirmed(confirm)
    if not person:
        raise invalid("person", N_("tick the letters that were handed over"))
    done = letters.hand_over(ref, person, actor=officer.actor)
    event = planning.find_event(ref)
    return RedirectResponse(
        f"/events/{event.id}/invitations?handed={done.marked}#letters", status_code=303
    )
