"""Rendering documents: Jinja2 templates in templates/documents/, WeasyPrint for PDF.

What officers and participants wrote never becomes live markup: Markdown is rendered without
raw HTML and then sanitised by nh3 (links only to http, https and mailto; no images, no
scripts); values put into a Markdown template are escaped; and WeasyPrint fetches nothing but
acara's own templates and static files and the data: images acara made itself.
"""

from __future__ import annotations

import base64
import logging
import mimetypes
import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import markdown as markdown_lib
import nh3
from jinja2 import Environment
from markupsafe import Markup

from acara.render import jinja_environment

TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates" / "documents"
STATIC = TEMPLATES.parent / "web" / "static"

# What officer-written Markdown may become: text structure and links, nothing that runs or loads.
ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "code", "pre",
    "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_SCHEMES = {"http", "https", "mailto"}


@lru_cache(maxsize=1)
def _markdown() -> markdown_lib.Markdown:
    md = markdown_lib.Markdown(output_format="html")
    # No raw HTML: `<script>` in the text stays text (the serializer escapes it).
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    return md


def sanitise(fragment: str) -> str:
    """An HTML fragment with only ALLOWED_TAGS and links to http, https and mailto."""
    return nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes={"a": {"href", "title"}, "th": {"align"}, "td": {"align"}},
        url_schemes=ALLOWED_SCHEMES,
        url_relative="deny",
        link_rel="noopener noreferrer nofollow",
    )


def markdown_html(text: str) -> Markup:
    """Officer-written Markdown as safe HTML; raw HTML in the text is shown, never interpreted."""
    return Markup(sanitise(_markdown().reset().convert(text)))


# Markdown's own markup characters, escaped when a value comes from a person, so a name or a
# quote can never add a link, an image, a heading or HTML to the press release.
_MD_SPECIAL = re.compile(r"([\\`*\[\]])")
_MD_UNDERSCORE = re.compile(r"(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")
_MD_TAG = re.compile(r"<(?=[A-Za-z/!?])")
_MD_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
_MD_LINE_START = re.compile(r"^(\s*)([#>+\-])", re.MULTILINE)
_MD_NUMBERED = re.compile(r"^(\s*\d+)\.", re.MULTILINE)


def markdown_escape(value: Any) -> Any:
    """A value to put into Markdown as plain text (Jinja's `finalize` for .md templates)."""
    if value is None or isinstance(value, Markup | int | float | bool):
        return value
    text = str(value)
    text = _MD_SPECIAL.sub(r"\\\1", text)
    text = _MD_UNDERSCORE.sub(r"\\_", text)
    text = _MD_ENTITY.sub("&amp;", text)
    text = _MD_TAG.sub("&lt;", text)
    text = _MD_NUMBERED.sub(lambda m: m[1] + "\\.", text)
    return _MD_LINE_START.sub(lambda m: m[1] + "\\" + m[2], text)


@lru_cache(maxsize=1)
def environment() -> Environment:
    """Autoescape for .html templates (not for .md); undefined names are errors."""
    env = jinja_environment(TEMPLATES)
    env.filters["markdown"] = markdown_html
    return env


@lru_cache(maxsize=1)
def markdown_environment() -> Environment:
    """For .md templates: every value printed is Markdown-escaped (see markdown_escape)."""
    env = jinja_environment(TEMPLATES)
    env.finalize = markdown_escape
    return env


def render(name: str, context: Mapping[str, Any]) -> str:
    """Render templates/documents/<name> with a context of plain values."""
    env = markdown_environment() if name.endswith(".md") else environment()
    return env.get_template(name).render(context)


# --- what WeasyPrint may load ----------------------------------------------------------------
_OWN_DATA_URLS: set[str] = set()


def own_data_url(mime_type: str, content: bytes) -> str:
    """A data: URL for an image acara made (a QR code, a logo); the PDF fetcher allows it."""
    url = f"data:{mime_type};base64,{base64.b64encode(content).decode()}"
    if len(_OWN_DATA_URLS) > 1000:
        _OWN_DATA_URLS.clear()
    _OWN_DATA_URLS.add(url)
    return url


class Refused(ValueError):
    """WeasyPrint asked for something outside acara's own files (logged, then left out)."""


def _own_file(url: str) -> Path | None:
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return None
    path = Path(unquote(parts.path)).resolve()
    for root in (TEMPLATES, STATIC):
        if path.is_relative_to(root) and path.is_file():
            return path
    return None


def url_fetcher(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """WeasyPrint's fetcher: acara's templates and static files and its own data: images;
    nothing else (no network, no file:// outside those folders)."""
    if url.startswith("data:"):
        if url not in _OWN_DATA_URLS:
            raise Refused("acara does not load data: URLs it did not make")
        header, _, payload = url.partition(",")
        mime_type = header[5:].split(";")[0] or "application/octet-stream"
        body = base64.b64decode(payload) if header.endswith(";base64") else unquote(payload)
        return {"string": body, "mime_type": mime_type, "redirected_url": url}
    path = _own_file(url)
    if path is None:
        raise Refused(f"acara loads no resources from outside its own files: {url[:80]}")
    mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return {"string": path.read_bytes(), "mime_type": mime_type, "redirected_url": url}


def pdf_from_html(document: str) -> bytes:
    """A PDF of an HTML document (A4 and fonts come from the document's own CSS)."""
    from weasyprint import HTML  # slow to import; only the commands that print need it

    # WeasyPrint logs every unsupported CSS property at WARNING; they are not our problem.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    return HTML(string=document, base_url=str(TEMPLATES), url_fetcher=url_fetcher).write_pdf()
