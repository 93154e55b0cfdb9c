"""Shared route dependencies: the logged-in officer (pages read through the stages)."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from acara.settings import get_settings
from models.errors import N_, AcaraError

OFFICER_COOKIE = "acara_officer"
OFFICER_SALT = "acara.officer.v1"
SESSION_HOURS = 12  # one working day at the desk


class LoginRequired(AcaraError):
    """An officer page was asked for without a valid officer session."""

    code = "login-required"
    public = N_("This page is for protocol officers. Please log in.")
    http_status = 401


class LoginFailed(AcaraError):
    """The officer token typed on the login form is wrong."""

    code = "login-failed"
    public = N_("Wrong officer token.")
    http_status = 401


@dataclass(frozen=True, slots=True)
class Officer:
    """A logged-in protocol officer; `actor` is what the audit trail records."""

    name: str

    @property
    def actor(self) -> str:
        """'officer:Rina' for the audit trail."""
        return f"officer:{self.name}"


def _token_fingerprint() -> str:
    # Sessions die when ACARA_OFFICER_TOKEN changes: the cookie carries a hash of it.
    token = get_settings().officer_token.get_secret_value().encode()
    return hashlib.sha256(b"acara.officer:" + token).hexdigest()[:16]


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(get_settings().secret_key.get_secret_value(), salt=OFFICER_SALT)


def log_in(response: Response, token: str, name: str, *, secure: bool) -> Officer:
    """Check the officer token and set the signed session cookie, or raise LoginFailed."""
    expected = get_settings().officer_token.get_secret_value()
    if not hmac.compare_digest(token.strip().encode(), expected.encode()):
        raise LoginFailed(N_("Wrong officer token."))
    officer = Officer(" ".join(name.split())[:60] or "petugas")
    value = _serializer().dumps({"n": officer.name, "k": _token_fingerprint()})
    response.set_cookie(
        OFFICER_COOKIE,
        value,
        max_age=SESSION_HOURS * 3600,
        httponly=True,
        samesite="lax",  # cross-site form posts arrive without it: no CSRF on officer actions
        secure=secure,
    )
    return officer


def log_out(response: Response) -> None:
    """Forget the officer session."""
    response.delete_cookie(OFFICER_COOKIE)


def officer_from_cookie(request: Request) -> Officer | None:
    """The officer whose valid session cookie came with the request, if any."""
    value = request.cookies.get(OFFICER_COOKIE)
    if not value:
        return None
    try:
        data = _serializer().loads(value, max_age=SESSION_HOURS * 3600)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("k") != _token_fingerprint():
        return None
    officer = Officer(str(data.get("n") or "petugas"))
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


OfficerDep = Annotated[Officer, Depends(current_officer)]
MaybeOfficerDep = Annotated[Officer | None, Depends(optional_officer)]
