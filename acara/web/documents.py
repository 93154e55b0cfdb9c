"""An event's documents to download: Daftar Hadir, Notulen, Siaran Pers, printed letters.

Each download writes the document anew through the stage the CLI calls (`acara attendance`,
`acara minutes render`, `acara followup press`) and hands the file over as an attachment.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from acara.stages import attendance, followup, letters, minutes, planning
from acara.web.deps import OfficerDep
from acara.web.pages import render
from models.clock import utcnow
from models.errors import NotFound

router = APIRouter()
MEDIA = {
    ".pdf": "application/pdf",
    ".csv": "text/csv; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
}


def download(path: Path) -> FileResponse:
    """A written document as an attachment, under its own file name."""
    return FileResponse(path, media_type=MEDIA[path.suffix], filename=path.name)


@router.get("/events/{ref}/documents", response_class=HTMLResponse)
def documents(request: Request, ref: str, officer: OfficerDep) -> HTMLResponse:
    """The documents of an event and what each needs before it can be written."""
    event = planning.find_event(ref)
    try:
        status = minutes.show(ref).minutes.status.value
    except NotFound:
        status = ""
    return render(request, "documents.html", {"event": event, "minutes_status": status})


@router.get("/events/{ref}/documents/daftar-hadir.{fmt}")
def attendance_list(ref: str, fmt: Literal["pdf", "csv"], officer: OfficerDep) -> FileResponse:
    """The Daftar Hadir as PDF (with the signature column) or CSV (for Excel)."""
    return download(attendance.write_list(ref, fmt))


@router.get("/events/{ref}/documents/notulen.{fmt}")
def minutes_file(ref: str, fmt: Literal["pdf", "html"], officer: OfficerDep) -> FileResponse:
    """The minutes (draft or approved) as PDF or HTML."""
    files = minutes.render(ref)
    return download(files.pdf if fmt == "pdf" else files.html)


@router.get("/events/{ref}/documents/siaran-pers.{fmt}")
def press_release(ref: str, fmt: Literal["md", "html"], officer: OfficerDep) -> FileResponse:
    """The press-release draft (Markdown to edit, HTML to read), written from the minutes."""
    markdown = followup.press(ref, utcnow())
    assert markdown is not None  # overwrite=True always writes
    return download(markdown if fmt == "md" else markdown.with_suffix(".html"))


@router.get("/events/{ref}/documents/surat.pdf")
def printed_letters(ref: str, officer: OfficerDep, everyone: bool = False) -> Response:
    """The letters owed on paper in one PDF with a cover list (everyone: every participant's
    current letter), as `acara letters` writes them."""
    printed = letters.print_owed(ref, everyone=everyone)
    name = f"surat-{printed.event_code}{'-semua' if everyone else ''}.pdf"
    disposition = f'attachment; filename="{name}"'
    return Response(
        printed.pdf, media_type=MEDIA[".pdf"], headers={"Content-Disposition": disposition}
    )
