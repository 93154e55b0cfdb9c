"""Rendering pages: one Jinja2 environment (autoescape, StrictUndefined) and the page context."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment

from acara.dates import clock, long_date, long_datetime, time_range
from acara.i18n import LANGUAGES, language_name, supported
from acara.i18n import language as in_language
from acara.labels import label
from acara.render import jinja_environment
from acara.web.deps import csrf_field
from models.event import Event

TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates" / "web"
STATIC = TEMPLATES / "static"
LANG_COOKIE = "acara_lang"


@lru_cache
def environment() -> Environment:
    """The web templates' environment, built once."""
    env = jinja_environment(TEMPLATES, escape_strings=True)
    env.globals.update(long_date=long_date, long_datetime=long_datetime, time_range=time_range)
    env.globals.update(clock=clock, label=label, language_name=language_name, languages=LANGUAGES)
    env.globals.update(csrf_field=csrf_field)  # every officer form: {{ csrf_field() }}
    return env


def officer_language(request: Request) -> str:
    """Officer pages: ?lang= wins, then the cookie, then Indonesian."""
    return supported(request.query_params.get("lang") or request.cookies.get(LANG_COOKIE))


def page_language(request: Request) -> str:
    """The language of the page being built (a participant's own, or the officer's choice)."""
    return getattr(request.state, "language", None) or officer_language(request)


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    language: str | None = None,
) -> HTMLResponse:
    """A page from templates/web with the common context (language, officer, now)."""
    lang = language or page_language(request)
    request.state.language = lang
    officer = getattr(request.state, "officer", None)
    with in_language(lang):
        html = (
            environment()
            .get_template(template)
            .render(
                {
                    "request": request,
                    "lang": lang,
                    "officer": officer,
                    "participant_page": False,
                    **(context or {}),
                }
            )
        )
    response = HTMLResponse(html, status_code=status_code)
    if request.query_params.get("lang") in LANGUAGES and language is None:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax", httponly=True)
    return response


def event_when(event: Event, language: str) -> str:
    """'Selasa, 8 Desember 2026, 08.30–15.30 WIB', or start – end when it spans days."""
    zone = event.timezone
    if event.local(event.starts_at).date() == event.local(event.ends_at).date():
        day = long_date(event.starts_at, language, zone)
        return f"{day}, {time_range(event.starts_at, event.ends_at, zone, language)}"
    start = long_datetime(event.starts_at, zone, language)
    return f"{start} – {long_datetime(event.ends_at, zone, language)}"


def matches(query: str, *texts: str) -> bool:
    """Whether every word of an officer's search is in the texts (any case)."""
    haystack = " ".join(texts).casefold()
    return all(word in haystack for word in query.casefold().split())
