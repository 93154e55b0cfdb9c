"""The one place where the web app turns errors into pages: a clear 4xx, never a traceback."""

from __future__ import annotations

import logging
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from acara.web.deps import LoginRequired
from acara.web.i18n import text
from acara.web.pages import page_language, render
from models.errors import AcaraError, InvalidInput

log = logging.getLogger(__name__)


def _heading(language: str, status: int) -> str:
    known = {400, 401, 403, 404, 409, 410, 422, 500}
    return text(language, f"error.h{status if status in known else 400}")


def error_page(
    request: Request,
    status: int,
    message: str,
    problems: list[tuple[str, str]] | None = None,
) -> Response:
    """The error page; a desk route's errors keep the scan field so the queue keeps moving."""
    language = page_language(request)
    return render(
        request,
        "error.html",
        {
            "status": status,
            "heading": _heading(language, status),
            "message": message,
            "problems": problems or [],
            "desk_url": getattr(request.state, "desk_url", None),
            "back_url": getattr(request.state, "back_url", None),
        },
        status_code=status,
        language=language,
    )


def _message(request: Request, exc: AcaraError) -> str:
    key = getattr(exc, "key", None)
    if key is None:
        return exc.message
    return text(page_language(request), key, **getattr(exc, "params", {}))


async def acara_error(request: Request, exc: Exception) -> Response:
    """A user mistake (AcaraError): its status and a message in the page's language."""
    assert isinstance(exc, AcaraError)
    if isinstance(exc, LoginRequired) and request.method in ("GET", "HEAD"):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
    if isinstance(exc, LoginRequired):
        request.state.back_url = "/login"
    if isinstance(exc, InvalidInput):
        language = page_language(request)
        problems = [(text(language, f"field.{p.where}"), p.reason) for p in exc.problems]
        return error_page(request, exc.http_status, text(language, "error.invalid"), problems)
    return error_page(request, exc.http_status, _message(request, exc))


async def http_error(request: Request, exc: Exception) -> Response:
    """Unknown paths and methods: the same page, not a JSON body."""
    assert isinstance(exc, StarletteHTTPException)
    language = page_language(request)
    message = text(language, "error.not_found") if exc.status_code == 404 else str(exc.detail)
    return error_page(request, exc.status_code, message)


async def validation_error(request: Request, exc: Exception) -> Response:
    """A form posted without a required field, or a path that is not a number."""
    assert isinstance(exc, RequestValidationError)
    language = page_language(request)
    problems = [
        (text(language, f"field.{err['loc'][-1]}"), str(err.get("msg", ""))) for err in exc.errors()
    ]
    status = 404 if any(err["loc"][0] == "path" for err in exc.errors()) else 422
    message = text(language, "error.not_found" if status == 404 else "error.invalid")
    return error_page(request, status, message, problems if status == 422 else None)


async def server_error(request: Request, exc: Exception) -> Response:
    """A bug: logged with its traceback, shown as a short apology."""
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_page(request, 500, text(page_language(request), "error.server"))


def install(app: FastAPI) -> None:
    """Register the handlers on an app."""
    app.add_exception_handler(AcaraError, acara_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(Exception, server_error)
