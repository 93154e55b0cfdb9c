"""The public check of a printed or e-mailed letter: /verify/<code> from its QR or typed in."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from acara.dates import long_date, long_datetime
from acara.labels import label
from acara.links import read_letter_code
from acara.stages import letters
from acara.web.pages import page_language, render

router = APIRouter()


@router.get("/verify", response_class=HTMLResponse)
def verify_form(request: Request, code: str = "") -> Response:
    """The form to type a letter's code; a typed code goes to its own page."""
    if code.strip():
        return RedirectResponse(f"/verify/{read_letter_code(code)}", status_code=303)
    return render(request, "verify.html", {"check": None})


@router.get("/verify/{code}", response_class=HTMLResponse)
def verify(request: Request, code: str) -> HTMLResponse:
    """What the letter with this code is and whether it still stands; a forged or altered code
    is refused (403), a genuine code unknown to this register is not found (404)."""
    found = letters.check(code)
    return render(request, "verify.html", {"check": _shown(found, page_language(request))})


def _shown(found: letters.LetterCheck, language: str) -> dict[str, Any]:
    return {
        "code": found.code,
        "kind": label("letter kind", found.kind, language),
        "number": found.number,
        "date": long_date(found.issued_at, language, found.zone),
        "addressee": found.addressee,
        "event": found.event_title,
        "when": f"{long_datetime(found.event_start, found.zone, language)} – "
        f"{long_datetime(found.event_end, found.zone, language)}",
        "standing": found.standing.value,
        "standing_label": label("letter standing", found.standing.value, language),
        "later_code": found.later_code,
        "later_date": long_date(found.later_issued_at, language, found.zone)
        if found.later_issued_at
        else "",
    }
