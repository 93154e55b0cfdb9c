"""A fan-out's letters at a fraction of the cost: laid out once a group, each addressee stamped in.

WeasyPrint lays out an official letter in about 150 ms of CPU, while the rest of an invitation
costs about 3 ms: rendering every letter in full would make a 1,000-invitation fan-out some
fifty times slower. Yet the letters of one group, kind and language differ only in the
addressee block and the check code with its QR, and the form (templates/documents/letter.html,
marked `data-stamped`) keeps those in boxes of fixed size and place. So a `Template` renders
the letter once with the boxes empty, plus a last page holding every glyph a name may need
(so the embedded font subset has them), and drops that page. Each letter is then the template's
bytes plus an incremental update (PDF 32000-1, 7.5.6): new versions of the pages concerned,
whose contents add one short stream that writes the addressee's lines with that same font,
the code, and the QR as filled squares. A letter costs a few milliseconds, prints the same as
the full render except for kerning, and reads back with the same text (the stamped lines come
last in the page's text order).

Anything a stamp cannot do exactly (a character missing from the font, more lines than the box
holds, a form without stamp boxes, a box split over pages) returns None, and the caller renders
the letter in full: the output is never wrong, only slower.
"""

from __future__ import annotations

import io
import json
import logging
import re
import threading
import zlib
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from acara.links import letter_qr

log = logging.getLogger(__name__)
SPACER = "\u00a0"  # an empty line of the addressee block (a no-break space keeps its height)
STAMPED = 'data-stamped="addressee code qr"'  # what a stampable form's <section> carries
BOXES = ("addressee", "code", "qr")
ADDRESSEE_LINES = 6  # the box's min-height in templates/documents/letters.html
FONT_SIZE = 10.0  # pt, the body's; the addressee's line height is 13pt
LINE_HEIGHT = 13.0
ADDRESSEE_WIDTH = 105 / 25.4 * 72  # 105mm, the box's width
INK = b"0.066667 0.066667 0.066667 rg"  # #111, the body's colour
FONT_NAME = "DejaVu-Sans"  # the body's face, as the PDF names its subset ("ABCDEF+DejaVu-Sans")
PX = 0.75  # CSS px to PDF pt
# Every character a name, a position or an office may bring, each on its own (no ligatures).
GLYPHS = " ".join(
    [chr(c) for c in range(0x21, 0x7F)]
    + [chr(c) for c in range(0xA1, 0x180) if chr(c).isprintable()]
    + list("–—‘’‚“”„•…€")
)
_CACHE_SIZE = 32


@dataclass(frozen=True, slots=True)
class _Font:
    """The body's font as embedded in the template: its resource name, codes and widths."""

    resource: str  # "/XKQQSR"
    codes: Mapping[str, int]  # character -> CID (Identity-H: two bytes each)
    widths: Mapping[int, float]  # CID -> advance, in 1/1000 em
    default_width: float
    ascent: float  # 1/1000 em
    descent: float  # 1/1000 em, negative

    def encode(self, text: str) -> bytes | None:
        """The hex string of `text` for Tj, or None when a character is not in the subset."""
        out = []
        for char in text:
            code = self.codes.get(char)
            if code is None:
                return None
            out.append(f"{code:04x}")
        return ("<" + "".join(out) + ">").encode()

    def width(self, text: str, size: float) -> float:
        """How wide `text` is at `size` pt."""
        total = sum(self.widths.get(self.codes[c], self.default_width) for c in text)
        return total * size / 1000


@dataclass(frozen=True, slots=True)
class _Box:
    """Where a stamp goes: its page and its top-left corner, in PDF points from the bottom."""

    page: int
    x: float
    top: float
    width: float
    height: float


@dataclass(frozen=True, slots=True)
class _Page:
    """A page of the template: its object number, its dictionary without /Contents, and the
    references of its contents."""

    number: int
    head: bytes  # "<< /Type /Page ... " up to, not including, the closing ">>"
    contents: bytes  # "4 0 R" or "4 0 R 9 0 R"


@dataclass(frozen=True, slots=True)
class Template:
    """A letter laid out once with empty stamp boxes, ready for incremental updates."""

    pdf: bytes
    size: int  # the trailer's /Size: new objects are numbered from here
    root: bytes  # "1 0 R"
    info: bytes  # "29 0 R" or b""
    prev: int  # offset of the last xref section
    font: _Font
    pages: tuple[_Page, ...]  # every page of the letter, in order
    tree: int  # the object number of the pages tree
    boxes: Mapping[str, _Box]

    def stamp(self, lines: list[str], code: str) -> bytes | None:
        """The letter for one addressee, or None when it cannot be stamped exactly."""
        return self.stamp_many([(lines, code)])

    def stamp_many(self, addressees: list[tuple[list[str], str]]) -> bytes | None:
        """One PDF with the letter for each (addressee lines, code), in order, sharing the
        template's fonts and images; None when one of them cannot be stamped exactly."""
        letters = []
        for lines, code in addressees:
            streams: dict[int, list[bytes]] = {}
            text, code_text = self._addressee(lines), self._code(code)
            if text is None or code_text is None:
                return None
            streams.setdefault(self.boxes["addressee"].page, []).append(text)
            streams.setdefault(self.boxes["code"].page, []).append(code_text)
            streams.setdefault(self.boxes["qr"].page, []).append(self._qr(code))
            letters.append(streams)
        return self._update(letters)

    def _addressee(self, lines: list[str]) -> bytes | None:
        box, font = self.boxes["addressee"], self.font
        wrapped: list[str] = []
        for line in lines:
            wrapped.extend(_wrap(line, font, FONT_SIZE, ADDRESSEE_WIDTH))
        if len(wrapped) > ADDRESSEE_LINES:
            return None
        # CSS puts half the leading above the glyphs' content area, the baseline below ascent.
        content = (font.ascent - font.descent) / 1000 * FONT_SIZE
        first = box.top - (LINE_HEIGHT - content) / 2 - font.ascent / 1000 * FONT_SIZE
        ops = [INK, b"BT", f"{font.resource} {FONT_SIZE:g} Tf".encode()]
        for n, line in enumerate(wrapped):
            if line == SPACER:  # an empty line: nothing to write
                continue
            encoded = font.encode(line)
            if encoded is None:
                return None
            y = first - n * LINE_HEIGHT
            ops.append(f"1 0 0 1 {box.x:.3f} {y:.3f} Tm ".encode() + encoded + b" Tj")
        ops.append(b"ET")
        return b"\n".join(ops)

    def _code(self, code: str) -> bytes | None:
        box, font = self.boxes["code"], self.font
        encoded = font.encode(code)
        if encoded is None:
            return None
        # An inline box's top is its content area's: the baseline lies one ascent below.
        y = box.top - font.ascent / 1000 * FONT_SIZE
        start = f"1 0 0 1 {box.x:.3f} {y:.3f} Tm ".encode()
        return b"\n".join(
            [
                INK,
                b"BT",
                f"{font.resource} {FONT_SIZE:g} Tf".encode(),
                start + encoded + b" Tj",
                b"ET",
            ]
        )

    def _qr(self, code: str) -> bytes:
        box = self.boxes["qr"]
        matrix = letter_qr(code).matrix
        module = box.width / len(matrix)
        ops = [b"0 0 0 rg"]
        for row, cells in enumerate(matrix):
            y = box.top - (row + 1) * module
            column = 0
            while column < len(cells):  # one rectangle per run of dark modules
                if not cells[column]:
                    column += 1
                    continue
                end = column
                while end < len(cells) and cells[end]:
                    end += 1
                x = box.x + column * module
                ops.append(
                    f"{x:.3f} {y:.3f} {(end - column) * module:.3f} {module:.3f} re".encode()
                )
                column = end
        ops.append(b"f")
        return b"\n".join(ops)

    def _update(self, letters: list[dict[int, list[bytes]]]) -> bytes:
        """The template with an incremental update: new pages, each letter's copy of the
        template's pages with its streams drawn on them, as the document's only pages."""
        out = bytearray(self.pdf)
        offsets: dict[int, int] = {}
        number = self.size

        def add(body: bytes, at: int | None = None) -> int:
            nonlocal number
            if at is None:
                at, number = number, number + 1
            offsets[at] = len(out)
            out.extend(f"{at} 0 obj\n".encode() + body + b"\nendobj\n")
            return at

        # Save the state before a page's own contents (they leave a flipped matrix set),
        # restore it after them, then draw.
        opening = add(_stream(b"q"))
        kids = []
        for streams in letters:
            for index, page in enumerate(self.pages):
                contents = page.contents
                if index in streams:
                    stamp = add(_stream(b"Q\nq\n" + b"\n".join(streams[index]) + b"\nQ"))
                    contents = f"{opening} 0 R ".encode() + contents + f" {stamp} 0 R".encode()
                kids.append(add(page.head + b"/Contents [" + contents + b"]\n>>"))
        listed = " ".join(f"{kid} 0 R" for kid in kids)
        add(f"<< /Type /Pages /Kids [{listed}] /Count {len(kids)} >>".encode(), at=self.tree)
        start = len(out)
        out.extend(b"xref\n")
        for obj in sorted(offsets):
            out.extend(f"{obj} 1\n{offsets[obj]:010d} 00000 n \n".encode())
        info = b"/Info " + self.info + b"\n" if self.info else b""
        out.extend(
            f"trailer\n<<\n/Size {max(number, self.size)}\n/Root ".encode()
            + self.root
            + b"\n"
            + info
            + f"/Prev {self.prev}\n>>\nstartxref\n{start}\n%%EOF\n".encode()
        )
        return bytes(out)


def _stream(data: bytes) -> bytes:
    packed = zlib.compress(data, 6)
    return (
        f"<< /Length {len(packed)} /Filter /FlateDecode >>\nstream\n".encode()
        + packed
        + (b"\nendstream")
    )


def _wrap(text: str, font: _Font, size: float, width: float) -> list[str]:
    """`text` broken at spaces into lines no wider than `width` (a longer word overflows, as
    in the full render)."""
    if any(char not in font.codes for char in text):
        return [text]  # encode() refuses it, and the letter is rendered in full
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if current and font.width(candidate, size) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    lines.append(current)
    return lines


# --- building templates ------------------------------------------------------------------------

_templates: OrderedDict[str, Template | None] = OrderedDict()
_lock = threading.Lock()


def blank(context: Mapping[str, Any]) -> dict[str, Any]:
    """A letter's context with its addressee and code left out: what a template is made of."""
    out = dict(context)
    personal = ("name", "addressed", "honorific", "position", "organisation")
    out["recipient"] = {**context["recipient"], **dict.fromkeys(personal, ""), "lines": []}
    out["letter"] = {**context["letter"], "code": ""}
    return out


def template_for(html_of: Any, context: Mapping[str, Any], language: str) -> Template | None:
    """The template of the letters sharing this context but for the addressee (built once;
    None when the form is not stampable). `html_of(context)` renders the whole document with
    the glyph page last."""
    empty = blank(context)
    key = language + json.dumps(empty, sort_keys=True, default=str)
    with _lock:
        if key in _templates:
            _templates.move_to_end(key)
            return _templates[key]
    try:
        template = _build(html_of(empty))
    except Exception:  # a bug here must not stop the letters: they are rendered in full
        log.exception("cannot build a letter template; rendering each letter in full")
        template = None
    with _lock:
        _templates[key] = template
        while len(_templates) > _CACHE_SIZE:
            _templates.popitem(last=False)
    return template


def _build(html: str) -> Template | None:
    if STAMPED not in html:
        return None
    from pypdf import PdfReader, PdfWriter
    from weasyprint import HTML

    from acara.documents.render import TEMPLATES, url_fetcher

    document = HTML(string=html, base_url=str(TEMPLATES), url_fetcher=url_fetcher).render()
    boxes: dict[str, _Box] = {}
    for index, page in enumerate(document.pages[:-1]):
        height = page.height * PX
        for name in BOXES:
            if name in page.anchors:
                x0, y0, x1, y1 = page.anchors[name]
                boxes[name] = _Box(index, x0 * PX, height - y0 * PX, (x1 - x0) * PX, (y1 - y0) * PX)
    if set(boxes) != set(BOXES):
        return None
    reader = PdfReader(io.BytesIO(document.write_pdf()))
    writer = PdfWriter()
    for page in reader.pages[:-1]:  # not the glyph page: its glyphs stay in the font subset
        writer.add_page(page)
    buffer = io.BytesIO()
    writer.write(buffer)
    pdf = buffer.getvalue()
    written = PdfReader(io.BytesIO(pdf))  # object numbers as in the file
    font = _body_font(written.pages[boxes["addressee"].page])
    if font is None:
        return None
    pages = []
    for page in written.pages:
        contents = page.raw_get("/Contents")
        refs = contents if isinstance(contents, list) else [contents]
        head = io.BytesIO()
        page.write_to_stream(head)
        text = re.sub(rb"/Contents\s+(\[[^\]]*\]|\d+ \d+ R)\s*", b"", head.getvalue())
        pages.append(
            _Page(
                page.indirect_reference.idnum,
                text.rstrip().removesuffix(b">>"),
                " ".join(f"{ref.idnum} {ref.generation} R" for ref in refs).encode(),
            )
        )
    tree = written.trailer["/Root"].raw_get("/Pages").idnum
    tail = pdf[pdf.rindex(b"trailer") :]
    size = int(re.search(rb"/Size (\d+)", tail)[1])  # type: ignore[index]
    root = re.search(rb"/Root (\d+ \d+ R)", tail)[1]  # type: ignore[index]
    info = re.search(rb"/Info (\d+ \d+ R)", tail)
    prev = int(re.search(rb"startxref\s+(\d+)", tail)[1])  # type: ignore[index]
    info_ref = info[1] if info else b""
    return Template(pdf, size, root, info_ref, prev, font, tuple(pages), tree, boxes)


def _body_font(page: Any) -> _Font | None:
    """The body's font in a page's resources, with its codes (from ToUnicode) and widths."""
    fonts = page["/Resources"].get("/Font", {})
    for resource, ref in fonts.items():
        font = ref.get_object()
        if str(font.get("/BaseFont", "")).partition("+")[2] != FONT_NAME:
            continue
        descendant = font["/DescendantFonts"][0].get_object()
        descriptor = descendant["/FontDescriptor"].get_object()
        codes = _unicode_map(font["/ToUnicode"].get_object().get_data())
        widths = _widths(descendant.get("/W", []))
        return _Font(
            str(resource),
            codes,
            widths,
            float(descendant.get("/DW", 1000)),
            float(descriptor["/Ascent"]),
            float(descriptor["/Descent"]),
        )
    return None


def _unicode_map(cmap: bytes) -> dict[str, int]:
    """Character -> CID from a ToUnicode CMap (single characters only: no ligatures)."""
    codes: dict[str, int] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S):
        for cid, uni in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            if len(uni) == 4:
                codes.setdefault(chr(int(uni, 16)), int(cid, 16))
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.S):
        for first, last, uni in re.findall(
            rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]{4})>", block
        ):
            for offset in range(int(last, 16) - int(first, 16) + 1):
                codes.setdefault(chr(int(uni, 16) + offset), int(first, 16) + offset)
    return codes


def _widths(array: Any) -> dict[int, float]:
    """CID -> width from a CIDFont's /W array: `c [w1 w2 ...]` or `c_first c_last w`."""
    widths: dict[int, float] = {}
    items = list(array)
    i = 0
    while i < len(items):
        first = int(items[i])
        following = items[i + 1]
        if isinstance(following, list):
            for offset, width in enumerate(following):
                widths[first + offset] = float(width)
            i += 2
        else:
            for cid in range(first, int(following) + 1):
                widths[cid] = float(items[i + 2])
            i += 3
    return widths
