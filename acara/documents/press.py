"""The press-release draft (Siaran Pers) for the public relations office, from the record.

Who (host, guest, speakers), what (the event), where (the plenary place and the groups'
venues), when (day and date as the press writes them: "Selasa (8/12/2026)"), and what was
said (the minutes' key statements) and decided. Written as Markdown and HTML for editing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from acara.dates import long_datetime
from acara.documents import documents_dir, write_atomically
from acara.documents.context import event_facts, org_names
from acara.documents.render import markdown_html, render
from acara.settings import get_settings
from models.attendance_list import ListedStatus, attendance_list, status_counts
from models.event import Event
from models.minutes import MinutesStatus
from models.minutes_rules import decisions_of, minutes_of
from models.names import split_name
from models.people import Participant, Person
from models.planning import volumes

_NUMBERS = {
    2: "dua",
    3: "tiga",
    4: "empat",
    5: "lima",
    6: "enam",
    7: "tujuh",
    8: "delapan",
    9: "sembilan",
    10: "sepuluh",
}


def in_words(n: int) -> str:
    """Small counts as the press writes them ('tiga'); larger ones as digits."""
    return _NUMBERS.get(n, str(n))


def joined(items: list[str]) -> str:
    """'A, B dan C'."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} dan {items[-1]}"


def acronym(name: str) -> str:
    """'Forum Komunikasi Publik' -> 'FKP' (only for names of three or more capitalised words)."""
    words = [w for w in name.split() if w[:1].isalpha()]
    if len(words) >= 3 and all(w[0].isupper() for w in words):
        return "".join(w[0] for w in words)
    return ""


def quote_clause(quote: str) -> str:
    """A quote made ready to be followed by 'ujarnya': its final full stop becomes a comma."""
    text = " ".join(quote.split())
    if text.endswith((".", ",")):
        return text[:-1] + ","
    return text if text.endswith(("?", "!")) else text + ","


def press_name(name: str) -> str:
    """A name as the press writes it: titles before the name kept, degrees after it dropped."""
    parts = split_name(name)
    return f"{parts.title_prefix} {parts.name}".strip()


@dataclass(frozen=True, slots=True)
class Statement:
    """A key statement ready for the text."""

    name: str
    position: str
    clause: str  # the quote, ending in a comma (or ? / !)


def _positions(session: Session, event: Event) -> dict[str, str]:
    rows = session.exec(
        select(Person)
        .join(Participant, col(Participant.person_id) == Person.id)
        .where(Participant.event_id == event.id)
    ).all()
    return {p.name.lower(): p.position for p in rows}


def press_context(session: Session, event: Event, *, now: datetime) -> dict[str, Any]:
    """The facts of the press release, as plain strings and lists."""
    facts = event_facts(session, event)
    minutes = minutes_of(session, event)
    positions = _positions(session, event)
    statements = []
    for item in minutes.key_statements if minutes else []:
        position = item.get("position") or positions.get(split_name(item["speaker"]).name.lower())
        statements.append(
            Statement(press_name(item["speaker"]), position or "", quote_clause(item["quote"]))
        )
    counts = status_counts(attendance_list(session, event))
    guest_names = org_names(facts.guest) if facts.guest else None
    groups = [place.name for place in facts.group_places.values() if place.name]
    summary = minutes.summary.split("\n\n")[0].strip() if minutes and minutes.summary else ""
    return {
        "previous": _previous_volume(session, event),
        "event": facts,
        "kind": facts.kind,
        "dateline": (facts.city or facts.host or "").upper(),
        "host_full": facts.host_names.full or "Pemerintah",
        "host_short": facts.host_names.short or "Pemerintah",
        "guest_full": guest_names.full if guest_names else "",
        "guest_short": guest_names.short if guest_names else "",
        "series_acronym": acronym(facts.series),
        # "Penandatanganan Nota Kesepahaman ..." is signed as "Nota Kesepahaman ...".
        "signed": re.sub(r"^penandatanganan\s+", "", facts.theme, flags=re.IGNORECASE),
        "when": f"{facts.day_name} ({facts.short_date})",
        "place": facts.place.name,
        "present": counts[ListedStatus.PRESENT],
        "groups": groups,
        "groups_count": in_words(len(groups)),
        "groups_places": joined(groups),
        "description": " ".join(facts.description.split()),
        "summary": " ".join(summary.split()),
        "statements": statements,
        "decisions": [" ".join(d.text.split()) for d in decisions_of(session, minutes)]
        if minutes
        else [],
        "minutes_approved": bool(minutes and minutes.status is MinutesStatus.APPROVED),
        "generated": long_datetime(now, event.timezone),
        "code": event.code,
    }


def _previous_volume(session: Session, event: Event) -> dict[str, str] | None:
    """The volume of the event's series held last before it: number, theme, day and date."""
    earlier = [v for v in volumes(session, event) if v.starts_at < event.starts_at]
    if not earlier:
        return None
    facts = event_facts(session, earlier[-1])
    return {
        "number": facts.number,
        "theme": facts.theme,
        "when": f"{facts.day_name} ({facts.short_date})",
    }


@dataclass(frozen=True, slots=True)
class PressRelease:
    """The draft as Markdown (to edit) and as HTML (to read or paste)."""

    markdown: str
    html: str


def press_release(session: Session, event: Event, *, now: datetime) -> PressRelease:
    """Write the press-release draft for an event."""
    context = press_context(session, event, now=now)
    text = render("press-release.md", context)
    page = render(
        "press-release.html", {"body": markdown_html(text), "title": context["event"].title}
    )
    return PressRelease(text, page)


@dataclass(frozen=True, slots=True)
class PressFiles:
    """Where the draft was written."""

    markdown: Path
    html: Path


def write_press_release(session: Session, event: Event, *, now: datetime) -> PressFiles:
    """data_dir/documents/<code>/siaran-pers-<code>.md and .html."""
    draft = press_release(session, event, now=now)
    folder = documents_dir(event.code)
    md = write_atomically(folder / f"siaran-pers-{event.code}.md", draft.markdown)
    page = write_atomically(folder / f"siaran-pers-{event.code}.html", draft.html)
    return PressFiles(md, page)


def press_release_written(event: Event) -> bool:
    """Whether the draft exists on disk (the follow-up writes it once)."""
    folder = get_settings().data_dir / "documents" / event.code
    return (folder / f"siaran-pers-{event.code}.md").exists()
