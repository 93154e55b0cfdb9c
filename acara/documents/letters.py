"""Official letters (surat undangan, perubahan, pembatalan) as PDF: one, or many with a cover list.

Rendering is pure: a Sheet (plain data, built by the invitation composer, see
acara.messages.composers.invitations.official_letter) in, PDF bytes out. Each letter is written
in its reader's language and form: templates/documents/letter.html is the Indonesian surat dinas
(kop, Nomor with the place and date on its line, Sifat, Lampiran, Hal, "Yth." ... "di Tempat",
signature block, Tembusan); letter.<language>.html overrides the form of a language (English:
a business letter). Every letter carries its check code and a QR to /verify/<code>.

    letter_pdf(sheet)                   the one letter attached to an e-mail
    letters_pdf(sheets, cover=...)      many letters to print, after a cover list
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import groupby
from pathlib import Path
from typing import Any

from markupsafe import Markup

from acara import i18n
from acara.documents.letters_stamp import GLYPHS, SPACER, Template, template_for
from acara.documents.render import environment, own_data_url, pdf_from_html
from acara.links import letter_qr_svg, verify_page
from models.organisations import LOGO_TYPES, Letterhead


@dataclass(frozen=True, slots=True)
class CoverRow:
    """One line of the cover list: who the letter is for and where it goes."""

    name: str
    position: str
    address: str
    group: str
    code: str


@dataclass(frozen=True, slots=True)
class Sheet:
    """One letter to render: its language and the template's context (plain values)."""

    language: str
    context: Mapping[str, Any]
    cover: CoverRow
    filename: str = field(default="")  # surat-undangan-<code>.pdf


@dataclass(frozen=True, slots=True)
class Cover:
    """The cover list of a print run: title, event, a note, one row per letter."""

    title: str
    event: str
    note: str


def head_of(letterhead: Letterhead, language: str) -> dict[str, Any]:
    """The kop of a letterhead as the templates print it (the contact line in `language`)."""
    with i18n.language(language):
        parts = [letterhead.address]
        if letterhead.phone:
            parts.append(
                i18n.pgettext("kop", "Telephone %(number)s") % {"number": letterhead.phone}
            )
        if letterhead.website:
            parts.append(i18n.pgettext("kop", "Website %(site)s") % {"site": letterhead.website})
        if letterhead.email:
            parts.append(i18n.pgettext("kop", "E-mail %(address)s") % {"address": letterhead.email})
    return {
        "kop_lines": list(letterhead.kop_lines),
        "contact": " · ".join(part for part in parts if part),
        "logo_url": _logo_url(letterhead.logo) if letterhead.logo else "",
        "city": letterhead.city,
        "phone": letterhead.phone,
    }


@lru_cache(maxsize=16)
def _logo_data(path: Path, modified: float) -> str:
    return own_data_url(LOGO_TYPES.get(path.suffix.lower(), "image/png"), path.read_bytes())


def _logo_url(path: Path) -> str:
    try:
        return _logo_data(path, path.stat().st_mtime)
    except OSError:  # the file went away since the organisation was imported: no logo
        return ""


def check_of(code: str) -> dict[str, Any]:
    """What a letter prints to be checked: the code and the check page (the QR to the code's
    own page is drawn when the letter is)."""
    return {"code": code, "verify_page": verify_page()}


def addressee_lines(
    language: str, honorific: str, name: str, position: str, organisation: str, addressed: str
) -> list[str]:
    """The addressee block, in the form of the reader's language: a surat dinas's "Yth. Bapak
    <name>", position, office, "di Tempat"; an English letter's name, position, office, then
    "Dear <name>," (the only personal lines of a letter, stamped in by a fan-out)."""
    with i18n.language(language):
        first = i18n.pgettext(
            "the addressee block's first line (Indonesian: 'Yth. %(name)s')", "%(name)s"
        ) % {"name": f"{honorific} {name}".strip()}
        at_place = i18n.pgettext(
            "below the addressee: Indonesian letters write 'di Tempat' here, English nothing",
            "%(nothing)s",
        ) % {"nothing": ""}
        # TRANSLATORS: Indonesian letters greet nobody here: write %(name).0s (prints nothing).
        greeting = i18n.pgettext("the greeting below the addressee block", "Dear %(name)s,") % {
            "name": addressed,
            "none": "",
        }
    lines = [line for line in (first, position, organisation, at_place) if line]
    return [*lines, SPACER, greeting] if greeting else lines


def signer_of(letterhead: Letterhead) -> dict[str, str]:
    """The signature block: jabatan, name, pangkat/golongan, NIP."""
    signer = letterhead.signatory
    return {
        "position": signer.position,
        "name": signer.name,
        "rank": signer.rank,
        "nip": signer.nip,
    }


def letter_html(sheet: Sheet) -> Markup:
    """One letter as an HTML section, in its language and form."""
    env = environment()
    letter = sheet.context["letter"]
    # segno's own SVG markup of our URL: trusted, not user input. No code: an empty box.
    qr = Markup(letter_qr_svg(letter["code"])) if letter["code"] else Markup("")
    context = {**sheet.context, "letter": {**letter, "qr_svg": qr}}
    with i18n.language(sheet.language) as language:
        template = env.select_template([f"letter.{language}.html", "letter.html"])
        return Markup(template.render(context))


def letter_pdf(sheet: Sheet) -> bytes:
    """One letter as a PDF (the attachment of its e-mail): stamped onto its group's template
    when the form allows it (acara.documents.letters_stamp), else rendered in full."""
    return _stamped([sheet]) or _full([sheet], sheet.language, sheet.cover.name)


def letters_pdf(sheets: Sequence[Sheet], cover: Cover | None = None) -> bytes:
    """Many letters in one PDF to print, each on its own page(s), after the cover list (in the
    officer's language) when one is given. Each run of letters sharing a template is stamped
    in one piece (the template's fonts once); the others are rendered in full."""
    language = i18n.current()
    parts = []
    if cover is not None:
        rows = [s.cover for s in sheets]
        listed = {"title": cover.title, "event": cover.event, "note": cover.note, "rows": rows}
        parts.append(pdf_from_html(_html([], language, cover.title, listed)))
    for _, run in groupby(sheets, key=_template):
        letters = list(run)
        parts.append(_stamped(letters) or _full(letters, language, cover.title if cover else ""))
    return parts[0] if len(parts) == 1 else _joined(parts)


def _template(sheet: Sheet) -> Template | None:
    """The template a letter is stamped onto (built once per group, form, kind and day)."""
    return template_for(
        lambda context: _html([letter_html(replace(sheet, context=context)), _GLYPH_PAGE]),
        sheet.context,
        sheet.language,
    )


def _stamped(sheets: list[Sheet]) -> bytes | None:
    """Letters sharing a template, stamped onto it; None when that cannot be done exactly."""
    template = _template(sheets[0])
    if template is None:
        return None
    return template.stamp_many(
        [(s.context["recipient"]["lines"], s.context["letter"]["code"]) for s in sheets]
    )


def _full(sheets: list[Sheet], language: str, title: str) -> bytes:
    """Letters laid out by WeasyPrint, in one document."""
    return pdf_from_html(_html([letter_html(sheet) for sheet in sheets], language, title))


def _joined(parts: list[bytes]) -> bytes:
    """PDFs one after the other, in one file."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for part in parts:
        writer.append(PdfReader(io.BytesIO(part)))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


# A last page with every glyph a stamped addressee may need (letters_stamp drops it again).
_GLYPH_PAGE = Markup('<section class="letter">{}</section>').format(GLYPHS)


def _html(
    pages: list[Markup],
    language: str = "id",
    title: str = "",
    cover: Mapping[str, Any] | None = None,
) -> str:
    context = {"lang": language, "title": title, "pages": pages, "cover": cover}
    with i18n.language(language):
        return environment().get_template("letters.html").render(context)
