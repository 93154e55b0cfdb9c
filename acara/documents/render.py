"""Rendering documents: Jinja2 templates in templates/documents/, WeasyPrint for PDF."""

from __future__ import annotations

import html
import logging
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import markdown as markdown_lib
from jinja2 import Environment
from markupsafe import Markup

from acara.render import jinja_environment

TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates" / "documents"


def markdown_html(text: str) -> Markup:
    """Officer-written Markdown as HTML; raw HTML in the text is shown, never interpreted."""
    return Markup(markdown_lib.markdown(html.escape(text, quote=False), output_format="html"))


@lru_cache(maxsize=1)
def environment() -> Environment:
    """Autoescape for .html templates (not for .md); undefined names are errors."""
    env = jinja_environment(TEMPLATES)
    env.filters["markdown"] = markdown_html
    return env


def render(name: str, context: Mapping[str, Any]) -> str:
    """Render templates/documents/<name> with a context of plain values."""
    return environment().get_template(name).render(context)


def pdf_from_html(document: str) -> bytes:
    """A PDF of an HTML document (A4 and fonts come from the document's own CSS)."""
    from weasyprint import HTML  # slow to import; only the commands that print need it

    # WeasyPrint logs every unsupported CSS property at WARNING; they are not our problem.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    return HTML(string=document, base_url=str(TEMPLATES)).write_pdf()
