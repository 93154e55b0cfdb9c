"""The one place where the web app turns errors into pages: a clear 4xx, never a traceback."""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from acara.i18n import N_, explain, explain_problem, filled, translate
from acara.labels import label
from acara.web.deps import LoginRequired
from acara.web.pages import page_language, render
from models.errors import AcaraError, InvalidInput

log = logging.getLogger(__name__)

# The heading of the error page, by HTTP status (any other status reads as 400's).
_HEADINGS = {
    400: N_("This cannot be processed"),
    401: N_("Officer login required"),
    403: N_("Invalid link"),
    404: N_("Not found"),
    409: N_("Not possible right now"),
    410: N_("Link expired"),
    429: N_("Too many attempts"),
    422: N_("Please check what you entered"),
    500: N_("Something went wrong"),
}
NOT_FOUND = N_("The page you asked for does not exist.")
INVALID = N_("Some fields are missing or not valid.")
SERVER = N_("Something went wrong on our side. Please try again or call the office.")


def _heading(language: str, status: int, heading: str | None = None) -> str:
    return translate(language, heading or _HEADINGS.get(status, _HEADINGS[400]))


def error_page(
    request: Request,
    status: int,
    message: str,
    problems: list[tuple[str, str]] | None = None,
    heading: str | None = None,
) -> Response:
    """The error page; a desk route's errors keep the scan field so the queue keeps moving."""
    language = page_language(request)
    return render(
        request,
        "error.html",
        {
            "status": status,
            "heading": _heading(language, status, heading),
            "message": message,
            "problems": problems or [],
            "desk_url": getattr(request.state, "desk_url", None),
            "back_url": getattr(request.state, "back_url", None),
        },
        status_code=status,
        language=language,
    )


# Where a row of a participant list went wrong, as the readers name it ("row 12, column email").
_ROW = re.compile(r"^row (?P<row>\d+)(?:, column (?P<column>\w+))?$")
ROW = N_("row %(row)s")
ROW_COLUMN = N_("row %(row)s, column %(column)s")


def _where(where: str, language: str) -> str:
    """A problem's place in the page's language: a form field, or a row (and column)."""
    found = _ROW.match(where)
    if found is None:
        return label("field", where, language)
    column = found["column"]
    if column is None:
        return translate(language, ROW, row=found["row"])
    return translate(
        language, ROW_COLUMN, row=found["row"], column=label("field", column, language)
    )


def described(exc: AcaraError, language: str) -> tuple[str, list[tuple[str, str]]]:
    """What a user mistake says on a page: the message, and each problem as (field, reason)."""
    if isinstance(exc, InvalidInput):
        problems = [
            (_where(p.where, language), explain_problem(replace(p, where=""), language))
            for p in exc.problems
        ]
        heading = INVALID if exc.template == InvalidInput([]).template else exc.template
        return filled(heading, exc.params, language), problems
    return explain(exc, language, public=True), []


async def acara_error(request: Request, exc: Exception) -> Response:
    """A user mistake (AcaraError): its status and a message in the page's language."""
    assert isinstance(exc, AcaraError)
    if isinstance(exc, LoginRequired) and request.method in ("GET", "HEAD"):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
    if isinstance(exc, LoginRequired):
        request.state.back_url = "/login"
    language = page_language(request)
    message, problems = described(exc, language)
    if isinstance(exc, InvalidInput):
        message = translate(language, INVALID)
    # A class may name its own heading (a refused form is not an "invalid link").
    heading = getattr(exc, "heading", None)
    return error_page(request, exc.http_status, message, problems, heading=heading)


async def http_error(request: Request, exc: Exception) -> Response:
    """Unknown paths and methods: the same page, not a JSON body."""
    assert isinstance(exc, StarletteHTTPException)
    language = page_language(request)
    message = translate(language, NOT_FOUND) if exc.status_code == 404 else str(exc.detail)
    return error_page(request, exc.status_code, message)


async def validation_error(request: Request, exc: Exception) -> Response:
    """A form posted without a required field, or a path that is not a number."""
    assert isinstance(exc, RequestValidationError)
    language = page_language(request)
    problems = [
        (label("field", str(err["loc"][-1]), language), str(err.get("msg", "")))
        for err in exc.errors()
    ]
    status = 404 if any(err["loc"][0] == "path" for err in exc.errors()) else 422
    message = translate(language, NOT_FOUND if status == 404 else INVALID)
    return error_page(request, status, message, problems if status == 422 else None)


async def server_error(request: Request, exc: Exception) -> Response:
    """A bug: logged with its traceback, shown as a short apology."""
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_page(request, 500, translate(page_language(request), SERVER))


def install(app: FastAPI) -> None:
    """Register the handlers on an app."""
    app.add_exception_handler(AcaraError, acara_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(Exception, server_error)
