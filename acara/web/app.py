"""The FastAPI application: routers, error pages, static files, security headers."""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from types import ModuleType

from fastapi import Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import SQLAlchemyError

from acara.db import DatabaseLost, check_health
from acara.settings import masked
from acara.web import (
    auth,
    checkin,
    dashboard,
    documents,
    errors,
    events,
    followup,
    invitations,
    minutes,
    officers,
    participants,
    rsvp,
    verify,
)
from acara.web.deps import same_origin
from acara.web.pages import STATIC

# Pages carry personal data and signed links: no caching, no framing, no referrer leaks.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "script-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # same-origin, not no-referrer: with no-referrer a browser sends "Origin: null" on every
    # form post, and the origin check (acara.web.deps.same_origin) could not tell ours apart.
    "Referrer-Policy": "same-origin",
}


# Routers other engineers add under acara/web/ (the survey page); included once they exist.
OPTIONAL_ROUTERS = ("acara.web.survey",)


def _optional(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name == name:
            return None
        raise


def create_app() -> FastAPI:
    """The web app on the database of the settings."""
    # Every route: a form posted from a page of another origin is refused (403).
    app = FastAPI(
        title="acara",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        dependencies=[Depends(same_origin)],
    )
    errors.install(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    # events first: /events/new is a page of its own, not the dashboard of an event "new".
    pages = (
        *(auth, officers, rsvp, checkin, events, participants, dashboard, invitations, minutes),
        *(followup, documents, verify),
    )
    for module in (*pages, *map(_optional, OPTIONAL_ROUTERS)):
        if module is not None:
            app.include_router(module.router)

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        # A route may set its own (the e-mail preview's sandboxed frame); the rest get these.
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if not request.url.path.startswith("/static/"):
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse("/events", status_code=303)

    @app.get("/healthz", include_in_schema=False)
    def health() -> JSONResponse:
        # Ok only when the database answers, is the file we opened, and holds acara's tables.
        try:
            check_health()
        except DatabaseLost as exc:
            return JSONResponse({"status": "error", "detail": exc.message}, status_code=503)
        except SQLAlchemyError as exc:
            reason = masked(str(getattr(exc, "orig", None) or exc))[:300]
            detail = f"the database does not answer: {reason}"
            return JSONResponse({"status": "error", "detail": detail}, status_code=503)
        return JSONResponse({"status": "ok"})

    return app
