"""Shared route dependencies: who is logged in, what their role allows, and forms' origin.

- `OfficerDep`, `DeskDep`, `AdminDep`: the logged-in officer with at least that role
  (`require_role`); on POST, PUT, PATCH and DELETE they also check the form's CSRF token,
  which is bound to the session. Every officer form carries it: `{{ csrf_field() }}`.
- `same_origin`: on the whole app, an unsafe request whose Origin (or Referer) is not
  ACARA_BASE_URL's is refused with 403. Participants' pages (RSVP, survey) have no session:
  their signed link and this check protect them.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated, ClassVar
from urllib.parse import urlsplit

from fastapi import Depends, Request, Response
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from acara.settings import get_settings
from acara.stages import officers as stage
from models.errors import N_, AcaraError
from models.officers import SESSION_HOURS, Role

SESSION_COOKIE = "acara_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class LoginRequired(AcaraError):
    """An officer page was asked for without a valid officer session."""

    code = "login-required"
    public = N_("This page is for protocol officers. Please log in.")
    http_status = 401


class NotAllowed(AcaraError):
    """The officer's role does not allow this page or action."""

    code = "not-allowed"
    heading: ClassVar[str] = N_("Not allowed")
    http_status = 403


class FormRefused(AcaraError):
    """An unsafe request without the session's CSRF token, or from another origin."""

    code = "form-refused"
    heading: ClassVar[str] = N_("Form refused")
    http_status = 403


@dataclass(frozen=True, slots=True)
class Officer:
    """A logged-in protocol officer; `actor` is what the audit trail and documents record."""

    name: str
    role: Role
    session_key: str

    @property
    def actor(self) -> str:
        """The officer's name, as the audit, "Disetujui oleh" and domain facts show it."""
        return self.name

    @property
    def csrf_token(self) -> str:
        """The token every form of this session carries (an HMAC of the session's key)."""
        secret = get_settings().secret_key.get_secret_value().encode()
        message = b"acara.csrf.v1:" + self.session_key.encode()
        return hmac.new(secret, message, hashlib.sha256).hexdigest()

    def may(self, role: Role | str) -> bool:
        """Whether this officer's role includes `role` (templates: officer.may("officer"))."""
        return self.role.allows(Role(role))


def log_in(request: Request, response: Response, name: str, password: str) -> None:
    """Check name and password and set the session cookie (the session's random id only);
    LoginFailed or TooManyAttempts. A session this browser had before ends."""
    address = request.client.host if request.client else ""
    token, _ = stage.log_in(name, password, address)
    earlier = request.cookies.get(SESSION_COOKIE)
    if earlier:
        stage.log_out(earlier)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=SESSION_HOURS * 3600,
        httponly=True,
        samesite="lax",
        secure=get_settings().base_url.startswith("https://"),
    )


def log_out(request: Request, response: Response) -> None:
    """End this browser's session on the server and drop its cookie."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        stage.log_out(token)
    response.delete_cookie(SESSION_COOKIE)


def officer_from_cookie(request: Request) -> Officer | None:
    """The officer whose live session the request's cookie names, if any."""
    if hasattr(request.state, "officer"):
        return request.state.officer  # type: ignore[no-any-return]
    token = request.cookies.get(SESSION_COOKIE)
    seen = stage.signed_in(token) if token else None
    officer = Officer(seen.name, seen.role, seen.session_key) if seen else None
    request.state.officer = officer
    return officer


def current_officer(request: Request) -> Officer:
    """The logged-in officer, or LoginRequired (GET pages redirect to the login form)."""
    officer = officer_from_cookie(request)
    if officer is None:
        raise LoginRequired(N_("Officer login required."))
    return officer


def optional_officer(request: Request) -> Officer | None:
    """The logged-in officer on a page anyone with the link may open."""
    return officer_from_cookie(request)


async def check_csrf(request: Request, officer: Officer) -> None:
    """FormRefused unless an unsafe request carries this session's CSRF token."""
    if request.method not in UNSAFE_METHODS:
        return
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        value = (await request.form()).get(CSRF_FIELD)
        sent = value if isinstance(value, str) else ""
    if not hmac.compare_digest(sent.encode(), officer.csrf_token.encode()):
        raise FormRefused(
            N_(
                "This form has expired or was not sent from an acara page. "
                "Reload the page and send it again."
            )
        )


@lru_cache
def require_role(role: Role) -> Callable[[Request], Awaitable[Officer]]:
    """The dependency for a route that needs at least `role`: the logged-in officer, with
    the CSRF token checked on unsafe methods; LoginRequired (401) or NotAllowed (403)."""

    async def officer_with_role(request: Request) -> Officer:
        officer = current_officer(request)
        if not officer.role.allows(role):
            raise NotAllowed(
                N_("Your account ({role}) may not do this. Ask an administrator."),
                role=officer.role.value,
            )
        await check_csrf(request, officer)
        return officer

    return officer_with_role


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else "null"


def same_origin(request: Request) -> None:
    """Refuse an unsafe request a browser sent from a page of another origin (even one on the
    same site: another port or subdomain). Requests with neither Origin nor Referer come from
    programs, not from a page; officer routes still need their CSRF token."""
    if request.method not in UNSAFE_METHODS:
        return
    sent = request.headers.get("origin")
    if sent is None:
        referer = request.headers.get("referer")
        if referer is None:
            return
        sent = _origin(referer)
    expected = _origin(get_settings().base_url)
    if sent.lower() != expected:
        raise FormRefused(
            N_("This form was sent from another site ({origin}), not from {expected}."),
            origin=sent,
            expected=expected,
        )


@pass_context
def csrf_field(context: Context) -> Markup:
    """The hidden CSRF field for a form on an officer page (nothing on participants' pages)."""
    officer = context.get("officer")
    if not isinstance(officer, Officer):
        return Markup("")
    return Markup('<input type="hidden" name="{}" value="{}">').format(
        CSRF_FIELD, officer.csrf_token
    )


DeskDep = Annotated[Officer, Depends(require_role(Role.DESK))]
OfficerDep = Annotated[Officer, Depends(require_role(Role.OFFICER))]
AdminDep = Annotated[Officer, Depends(require_role(Role.ADMIN))]
MaybeOfficerDep = Annotated[Officer | None, Depends(optional_officer)]
