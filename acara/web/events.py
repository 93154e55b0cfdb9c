"""Officer pages for events: the list, a new event from its files, edit, reschedule, cancel.

Each change calls the stage function `acara event ...` calls, with its plan shown first and
carried out once the officer confirms (acara/web/plans.py).
"""

from __future__ import annotations

import re
import secrets
import shutil
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from acara.dates import long_datetime
from acara.i18n import translate
from acara.settings import get_settings
from acara.stages import invitations, planning
from acara.web import uploads
from acara.web.deps import DeskDep, OfficerDep
from acara.web.pages import event_when, officer_language, render
from acara.web.plans import form_page, plan_page, run_planned
from models.errors import N_, AcaraError, InvalidInput, NotFound, invalid
from models.lifecycle import Action, allowed_actions
from models.people import AttendanceStatus, RsvpStatus

router = APIRouter()

STAGED_HOURS = 24  # an upload not confirmed within this is thrown away
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


@router.get("/events", response_class=HTMLResponse)
def event_list(request: Request, officer: DeskDep) -> HTMLResponse:
    """All events, newest first, with invited / attending / present counts (the desk staff
    find their event's desk here)."""
    language = officer_language(request)
    rows = []
    for counted in planning.counted_events():
        event, overall = counted.event, counted.overall
        rows.append(
            {
                "event": event,
                "when": event_when(event, language),
                "invited": overall.total,
                "accepted": overall.rsvp[RsvpStatus.ACCEPTED.value],
                "present": overall.attendance[AttendanceStatus.PRESENT.value],
            }
        )
    return render(request, "events.html", {"rows": rows})


# --- a new event from its file and its participant list -------------------------------------


def _staging() -> Path:
    return get_settings().data_dir / "uploads"


def _stage(event_file: UploadFile, participant_list: UploadFile | None) -> str:
    """Keep the uploaded files until the officer confirms; returns the key that names them."""
    root = _staging()
    root.mkdir(parents=True, exist_ok=True)
    for old in root.iterdir():  # forgotten uploads go
        if old.stat().st_mtime < time.time() - STAGED_HOURS * 3600:
            shutil.rmtree(old, ignore_errors=True)
    token = secrets.token_urlsafe(18)
    folder = root / token
    for kind, upload in (("event", event_file), ("list", participant_list)):
        if upload is None or not upload.filename:
            continue
        (folder / kind).mkdir(parents=True)
        uploads.write(upload, folder / kind, kind)
    return token


def _staged(token: str) -> tuple[Path, Path | None]:
    """The event file and the list (if any) of a staged upload."""
    folder = _staging() / token
    if not _TOKEN.match(token) or not (folder / "event").is_dir():
        raise NotFound(N_("This upload is no longer kept; upload the files again."))
    event_file = next((folder / "event").iterdir())
    lists = list((folder / "list").iterdir()) if (folder / "list").is_dir() else []
    return event_file, (lists[0] if lists else None)


def _by_name(error: AcaraError, token: str) -> AcaraError:
    """The error with the staged files named as uploaded, not by where they are kept."""
    if not isinstance(error, InvalidInput) or not token:
        return error
    folder = str(_staging() / token)
    error.problems = [
        replace(p, where=Path(p.where).name) if p.where.startswith(folder) else p
        for p in error.problems
    ]
    return error


def _discard(token: str) -> None:
    if _TOKEN.match(token):
        shutil.rmtree(_staging() / token, ignore_errors=True)


@router.get("/events/new", response_class=HTMLResponse)
def new_event_form(request: Request, officer: OfficerDep) -> HTMLResponse:
    """The form: an event file (YAML) and its participant list (CSV or XLSX)."""
    return form_page(request, "event_new.html", {})


@router.post("/events/new", response_class=HTMLResponse)
def new_event(
    request: Request,
    officer: OfficerDep,
    event_file: Annotated[UploadFile | None, File()] = None,
    participant_list: Annotated[UploadFile | None, File()] = None,
    staged: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form()] = "",
) -> Response:
    """Read the files, show the import's plan; import once confirmed. A bad file or row is
    shown on the form and nothing is imported."""
    language = officer_language(request)
    try:
        if not staged:
            if event_file is None or not event_file.filename:
                raise invalid("event_file", N_("choose the event file (YAML)"))
            staged = _stage(event_file, participant_list)
        path, listing = _staged(staged)
        imported, done = run_planned(
            planning.import_event_file,
            path,
            participants=listing,
            actor=officer.actor,
            confirmed=bool(confirm),
            always_ask=True,
        )
    except AcaraError as exc:
        _discard(staged)
        return form_page(request, "event_new.html", {}, _by_name(exc, staged))
    if not done:
        return plan_page(
            request,
            imported.plan,
            heading=translate(language, N_("Import this event?")),
            action="/events/new",
            fields={"staged": staged},
            back="/events/new",
        )
    _discard(staged)
    event_id = imported.result.event_id
    if invitations.left_to_send(imported.plan, imported.published):
        invitations.send_owed(event_id)
    roster = imported.result.roster
    return RedirectResponse(
        f"/events/{event_id}/participants?imported={roster.added}&updated={roster.updated}",
        status_code=303,
    )


# --- edit, reschedule, cancel ---------------------------------------------------------------


def _settings_page(
    request: Request, ref: str, error: AcaraError | None = None, form: str = ""
) -> HTMLResponse:
    event = planning.find_event(ref)
    language = officer_language(request)
    context = {
        "event": event,
        "when": event_when(event, language),
        "start": long_datetime(event.starts_at, event.timezone, language),
        "start_value": event.local(event.starts_at).strftime("%Y-%m-%dT%H:%M"),
        "cancellable": Action.CANCEL in allowed_actions(event.status),
        "failed": form,
        "saved": request.query_params.get("saved", ""),
    }
    return form_page(request, "event_edit.html", context, error)


@router.get("/events/{ref}/edit", response_class=HTMLResponse)
def edit_form(request: Request, ref: str, officer: OfficerDep) -> HTMLResponse:
    """The event's basic fields, a new start time, and cancelling it."""
    return _settings_page(request, ref)


def _change(
    request: Request,
    ref: str,
    form: str,
    heading: str,
    fields: dict[str, str],
    command: Callable[..., planning.Changed],
    *args: object,
    **options: object,
) -> Response:
    """Run one of the event's forms: its plan first (unless it reaches nobody), then for real
    once confirmed; a mistake is shown above the form it came from."""
    try:
        changed, done = run_planned(command, ref, *args, **options)
    except AcaraError as exc:
        return _settings_page(request, ref, exc, form)
    event_id = changed.event.id
    if not done:
        return plan_page(
            request,
            changed.plan,
            heading=translate(officer_language(request), heading),
            action=f"/events/{event_id}/{form}",
            fields=fields,
            back=f"/events/{event_id}/edit",
        )
    assert event_id is not None
    if invitations.left_to_send(changed.plan, changed.published):
        invitations.send_owed(event_id)
    return RedirectResponse(f"/events/{event_id}/edit?saved={form}", status_code=303)


@router.post("/events/{ref}/edit", response_class=HTMLResponse)
def edit(
    request: Request,
    ref: str,
    officer: OfficerDep,
    title: Annotated[str, Form()] = "",
    subject: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
    letter_number: Annotated[str, Form()] = "",
    capacity: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form()] = "",
) -> Response:
    """Save the basic fields (a plan first when people were already told of the event)."""
    fields = {
        "title": title,
        "subject": subject,
        "description": description,
        "letter_number": letter_number,
        "capacity": capacity,
    }
    values: dict[str, object] = {**fields, "capacity": capacity.strip() or None}
    heading = N_("Save these changes?")
    return _change(
        request,
        ref,
        "edit",
        heading,
        fields,
        planning.edit,
        values,
        actor=officer.actor,
        confirmed=bool(confirm),
    )


@router.post("/events/{ref}/reschedule", response_class=HTMLResponse)
def reschedule(
    request: Request,
    ref: str,
    officer: OfficerDep,
    start: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form()] = "",
) -> Response:
    """Move the event to a new start: the plan (old → new, who is told) first."""
    if not start.strip():
        missing = invalid("start", N_("give the new start: date and time"))
        return _settings_page(request, ref, missing, "reschedule")
    heading = N_("Move the event to this time?")
    fields = {"start": start}
    return _change(
        request,
        ref,
        "reschedule",
        heading,
        fields,
        planning.reschedule,
        start,
        actor=officer.actor,
        confirmed=bool(confirm),
    )


@router.post("/events/{ref}/cancel", response_class=HTMLResponse)
def cancel(
    request: Request,
    ref: str,
    officer: OfficerDep,
    reason: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form()] = "",
) -> Response:
    """Cancel the event: the plan (who gets the cancellation) first."""
    heading = N_("Cancel this event?")
    return _change(
        request,
        ref,
        "cancel",
        heading,
        {"reason": reason},
        planning.cancel,
        reason=reason,
        actor=officer.actor,
        confirmed=bool(confirm),
    )
