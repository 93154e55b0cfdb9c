"""E-mail rendering: context in, subject and text and HTML out (Jinja2, templates/email/).

Each message is a pair of templates, `<name>.txt` and `<name>.html`, whose words go through
gettext (Jinja's i18n extension, catalogs in locale/); a letter whose structure differs in one
language has its own pair, `<name>.<language>.txt` and `.html`, which is used instead.
The subject is the text template's top-level `{% set subject %}`; the HTML template is
autoescaped, and every undefined name is an error rather than an empty string.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template, select_autoescape
from markupsafe import escape

from acara import i18n

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@dataclass(frozen=True, slots=True)
class Rendered:
    """One rendered e-mail body pair with its subject."""

    subject: str
    text: str
    html: str


def jinja_environment(folder: Path, *, escape_strings: bool = False) -> Environment:
    """acara's Jinja2 settings for one template folder: autoescape .html, StrictUndefined,
    and gettext in the language of the enclosing `i18n.language()` block."""
    env = Environment(
        loader=FileSystemLoader(folder),
        autoescape=select_autoescape(["html"], default_for_string=escape_strings, default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # templates do not change while a process runs
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.gettext,
        i18n.ngettext,
        newstyle=True,
        pgettext=i18n.pgettext,
        npgettext=i18n.npgettext,
    )
    return env


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The e-mail environment over the templates/ folder."""
    return jinja_environment(TEMPLATES)


@lru_cache(maxsize=256)
def _pair(name: str, language: str) -> tuple[Template, Template]:
    env = environment()
    return (
        env.select_template([f"email/{name}.{language}.txt", f"email/{name}.txt"]),
        env.select_template([f"email/{name}.{language}.html", f"email/{name}.html"]),
    )


def render(name: str, language: str, context: Mapping[str, Any]) -> Rendered:
    """Render `templates/email/<name>.{txt,html}` in a language; the subject comes from the .txt."""
    with i18n.language(language) as code:
        text_template, html_template = _pair(name, code)
        module = text_template.make_module(dict(context))
        subject = getattr(module, "subject", None)
        if subject is None:
            raise LookupError(f"{text_template.name} sets no subject")
        return Rendered(
            subject=" ".join(str(subject).split()),
            text=str(module),
            html=html_template.render(context),
        )


# --- rendering thousands of letters that differ in a few fields -------------------------
# A fan-out renders the same letter for every participant of a group with only the name,
# position and personal links changing. A Stencil renders the templates once with markers in
# place of those fields and then fills each copy by joining strings (HTML-escaping each value
# for the HTML body), which is what the full render would produce, at a fraction of the cost.
# Templates may print a personal field and test whether it is empty (the shape of the letter
# is part of the cache key), but not transform it; a marker that does not survive rendering
# unchanged makes the stencil fall back to full renders, so output is never wrong.

_OPEN, _CLOSE = "\ue000", "\ue001"  # private-use characters: never in real text


def _marker(path: str) -> str:
    return f"{_OPEN}{path}{_CLOSE}"


def _with_values(context: Mapping[str, Any], values: Mapping[str, str]) -> dict[str, Any]:
    """A copy of context with each dotted path set to its value."""
    result = dict(context)
    for path, value in values.items():
        *parents, leaf = path.split(".")
        target = result
        for part in parents:
            target[part] = dict(target[part])
            target = target[part]
        target[leaf] = value
    return result


def _pieces(rendered: str, paths: frozenset[str]) -> tuple[str, ...] | None:
    """Split on markers: literal, path, literal, path, ...; None if a marker was mangled."""
    parts = rendered.split(_OPEN)
    pieces = [parts[0]]
    for part in parts[1:]:
        path, sep, rest = part.partition(_CLOSE)
        if not sep or path not in paths:
            return None
        pieces.extend((path, rest))
    if any(_CLOSE in piece for piece in pieces[::2]):
        return None
    return tuple(pieces)


def _join(pieces: tuple[str, ...], values: Mapping[str, str], escape_values: bool) -> str:
    out = list(pieces)
    for i in range(1, len(out), 2):
        value = values[out[i]]
        out[i] = str(escape(value)) if escape_values else value
    return "".join(out)


class Stencil:
    """One letter rendered with markers for personal fields; `fill` makes each copy."""

    __slots__ = ("_context", "_html", "_language", "_name", "_subject", "_text", "paths")

    def __init__(
        self, name: str, language: str, context: Mapping[str, Any], personal: Iterable[str]
    ) -> None:
        self._name, self._language, self._context = name, language, context
        self.paths = frozenset(personal)
        rendered = render(
            name, language, _with_values(context, {p: _marker(p) for p in self.paths})
        )
        subject = _pieces(rendered.subject, self.paths)
        text = _pieces(rendered.text, self.paths)
        html = _pieces(rendered.html, self.paths)
        usable = subject is not None and text is not None and html is not None
        self._subject = subject if usable else None
        self._text = text if usable else None
        self._html = html if usable else None

    def fill(self, values: Mapping[str, str]) -> Rendered:
        """The letter for one recipient: `values` gives every personal path a string."""
        if self._subject is None or self._text is None or self._html is None:
            return render(self._name, self._language, _with_values(self._context, values))
        return Rendered(
            subject=" ".join(_join(self._subject, values, False).split()),
            text=_join(self._text, values, False),
            html=_join(self._html, values, True),
        )
