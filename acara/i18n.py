"""Translation glue: Babel catalogs in locale/, the language in use, gettext for Python code.

Source strings are English (the msgid); locale/<language>/LC_MESSAGES/messages.po holds each
language's text and `make catalogs` extracts, updates and compiles them. Code renders in a language
with `with language("en"): ...`; `_`, `ngettext` and `pgettext` (and the Jinja environment,
which calls the same functions) then read that language's catalog. Outside such a block the
language is ACARA_LANGUAGE (Indonesian by default, the officers' language).

A new language: add it to models.people.Language (what a participant can read), run
`make catalogs LANGUAGE=<code>`, translate locale/<code>/LC_MESSAGES/messages.po, and run
`make catalogs` again (it compiles and lists what is still untranslated).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path

from babel.support import Translations

from acara.settings import get_settings
from models.errors import N_ as N_  # the catalog marker lives with the domain errors
from models.errors import AcaraError, InvalidInput, Problem, reported
from models.people import Language

LOCALE = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "messages"
LANGUAGES = tuple(code.value for code in Language)  # the first is the default (Indonesian)

_current: ContextVar[str | None] = ContextVar("acara_language", default=None)


def supported(code: str | None) -> str:
    """A language acara speaks: `code` itself, else the default (Indonesian)."""
    return code if code in LANGUAGES else LANGUAGES[0]


@lru_cache(maxsize=len(LANGUAGES))
def translations(code: str) -> Translations:
    """The compiled catalog of one language (locale/<code>/LC_MESSAGES/messages.mo)."""
    path = LOCALE / code / "LC_MESSAGES" / f"{DOMAIN}.mo"
    with path.open("rb") as compiled:  # a missing file is an error: `make catalogs` compiles it
        return Translations(compiled, domain=DOMAIN)


def current() -> str:
    """The language being rendered: the innermost `language()` block, else ACARA_LANGUAGE."""
    code = _current.get()
    return supported(get_settings().language if code is None else code)


@contextmanager
def language(code: str | None) -> Iterator[str]:
    """Render everything inside in `code` (None: the current language; an unknown code:
    Indonesian)."""
    chosen = current() if code is None else supported(code)
    token = _current.set(chosen)
    try:
        yield chosen
    finally:
        _current.reset(token)


def gettext(message: str) -> str:
    """`message` (English) in the current language."""
    return translations(current()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for n, in the current language."""
    return translations(current()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """`message` in the current language, where the same English word has several senses."""
    return translations(current()).pgettext(context, message)


def npgettext(context: str, singular: str, plural: str, n: int) -> str:
    """ngettext with a context."""
    return translations(current()).npgettext(context, singular, plural, n)


_ = gettext


def Np_(context: str, message: str) -> tuple[str, str]:
    """N_ with a context: a (context, message) pair for pgettext on use."""
    return context, message


def language_name(code: str) -> str:
    """A language's name in that language ("Bahasa Indonesia", "English"), for a switch."""
    with language(code):
        return pgettext("the name of this catalog's language", "English")


def translate(code: str | None, message: str, **params: object) -> str:
    """`message` in language `code`, its %(name)s placeholders filled from `params`."""
    with language(code):
        text = gettext(message)
    return text % params if params else text


def explain(error: AcaraError, code: str | None = None, *, public: bool = False) -> str:
    """What a domain error says in language `code`: its English text (or, for the public,
    its `public` text) looked up in the catalog, then its params filled in; an invalid input
    lists its problems below."""
    template = (error.public if public else None) or error.template
    text = filled(template, error.params, code)
    if isinstance(error, InvalidInput) and error.problems:
        shown = reported(error.problems, lambda p: explain_problem(p, code))  # the first 200
        lines = "\n".join(f"  - {line}" for line in shown)
        return f"{text}:\n{lines}"
    return text


def explain_problem(problem: Problem, code: str | None = None) -> str:
    """One problem of an invalid input, in language `code`."""
    reason = filled(problem.template, problem.params, code)
    return f"{problem.where}: {reason}" if problem.where else reason


def filled(template: str, params: Mapping[str, object], code: str | None = None) -> str:
    """An English `{name}` template of the domain, looked up in language `code`, filled in."""
    with language(code):
        text = gettext(template)
    return text.format(**params) if params else text
