"""Officer login and logout: the officer token from settings buys a signed session cookie."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from acara.settings import get_settings
from acara.web.deps import log_in, log_out
from acara.web.pages import render

router = APIRouter()


def _safe_next(target: str | None) -> str:
    # Only our own paths: a crafted ?next= must not send an officer to another site.
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/events"


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str | None = None) -> HTMLResponse:
    """The login form."""
    return render(request, "login.html", {"next": _safe_next(next)})


@router.post("/login")
def login(
    request: Request,
    token: Annotated[str, Form()],
    name: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/events",
) -> RedirectResponse:
    """Check the token, set the session cookie, go where the officer wanted to go."""
    response = RedirectResponse(_safe_next(next), status_code=303)
    log_in(response, token, name, secure=get_settings().base_url.startswith("https://"))
    return response


@router.post("/logout")
def logout() -> RedirectResponse:
    """Drop the session cookie."""
    response = RedirectResponse("/login", status_code=303)
    log_out(response)
    return response
