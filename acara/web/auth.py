"""Officer login and logout, and the page a one-time link opens to set a password."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from acara.i18n import explain, filled
from acara.stages import officers as stage
from acara.web.deps import check_csrf, log_in, log_out, officer_from_cookie
from acara.web.pages import page_language, render
from models.errors import N_, AcaraError, InvalidInput, invalid
from models.officers import LoginFailed, TooManyAttempts

router = APIRouter()


def _safe_next(target: str | None) -> str:
    # Only our own paths: a crafted ?next= must not send an officer to another site.
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/events"


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str | None = None, done: str | None = None) -> HTMLResponse:
    """The login form."""
    context = {"next": _safe_next(next), "password_set": done == "1", "name": "", "error": ""}
    return render(request, "login.html", context)


@router.post("/login")
def login(
    request: Request,
    name: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/events",
) -> Response:
    """Check name and password, open a session, go where the officer wanted to go.

    A wrong login shows the form again (401); after ten within a minute, 429 with Retry-After.
    """
    response = RedirectResponse(_safe_next(next), status_code=303)
    try:
        log_in(request, response, name, password)
    except (LoginFailed, TooManyAttempts) as exc:
        context = {
            "next": _safe_next(next),
            "password_set": False,
            "name": name,
            "error": _said(request, exc),
        }
        page = render(request, "login.html", context, status_code=exc.http_status)
        if isinstance(exc, TooManyAttempts):
            page.headers["Retry-After"] = str(exc.retry_after)
        return page
    return response


def _said(request: Request, error: AcaraError) -> str:
    return explain(error, page_language(request))


@router.post("/logout")
async def logout(request: Request) -> RedirectResponse:
    """End this browser's session on the server (a stale page's logout just drops the cookie)."""
    officer = officer_from_cookie(request)
    if officer is not None:
        await check_csrf(request, officer)
    response = RedirectResponse("/login", status_code=303)
    log_out(request, response)
    return response


@router.get("/officer/password/{token}", response_class=HTMLResponse)
def password_form(request: Request, token: str) -> HTMLResponse:
    """The one-time link's page: choose a password (twice)."""
    account = stage.link_holder(token)
    return render(request, "password.html", {"account": account, "error": ""})


@router.post("/officer/password/{token}")
def password_set(
    request: Request,
    token: str,
    password: Annotated[str, Form()],
    confirm: Annotated[str, Form()],
) -> Response:
    """Set the password; the link stops working, and the officer logs in with it."""
    account = stage.link_holder(token)
    try:
        if password != confirm:
            raise invalid("confirm", N_("the two passwords differ"))
        stage.set_password_by_link(token, password)
    except InvalidInput as exc:
        language = page_language(request)
        error = " ".join(filled(p.template, p.params, language) for p in exc.problems)
        context = {"account": account, "error": error}
        return render(request, "password.html", context, status_code=422)
    return RedirectResponse("/login?done=1", status_code=303)
