"""Helpers for the minutes and follow-up tests: the Jambi visit on the day and after it."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pypdf import PdfReader
from sqlmodel import Session, col, func, select

from acara.minutesfile import parse_markdown, read_minutes_file
from models.checkin import check_in, mark
from models.event import Event
from models.lifecycle import Action, apply
from models.minutes_rules import parse_minutes, record_minutes
from models.outbox import Message
from models.people import AttendanceStatus
from tests.conftest import EXAMPLES
from tests.web_helpers import participant, participants_in_order, seed_event

MINUTES_FILE = EXAMPLES / "notulen-kunker-camat-jambi.md"
# The visit: Tuesday 8 December 2026, 08.30-15.30 WIB (01.30-08.30 UTC).
STARTS = datetime(2026, 12, 8, 1, 30, tzinfo=UTC)
ENDS = datetime(2026, 12, 8, 8, 30, tzinfo=UTC)
CHECKED_IN = datetime(2026, 12, 8, 1, 47, tzinfo=UTC)  # 08.47 WIB
EXCUSED = ("camat.tabir@jambiprov.go.id", "camat.pauh@jambiprov.go.id")
ABSENT = "camat.betara@jambiprov.go.id"
SEKDA = "sekda@tangerangselatankota.go.id"  # host official
PAMULANG = "camat.pamulang@tangerangselatankota.go.id"  # host official, owns item 3
HUMAS = "humas@tangerangselatankota.go.id"  # the minute-taker, owns item 1
KUMPEH = "camat.kumpeh@jambiprov.go.id"  # a guest, owns item 2
KABAN = "kaban.bpsdm@jambiprov.go.id"  # head of the guest delegation


def visit_on_the_day(session: Session, *, timezone: str | None = None) -> Event:
    """The Jambi visit, announced; everyone present at 08.47 but two excused and one absent."""
    event = seed_event(session, "kunjungan-camat-jambi.yaml", timezone=timezone)
    assert event.id is not None
    away = {participant(session, event, e).id for e in (*EXCUSED, ABSENT)}
    for row in participants_in_order(session, event):
        if row.id not in away:
            assert row.id is not None
            check_in(
                session,
                event_id=event.id,
                participant_id=row.id,
                actor="test",
                method="manual",
                now=CHECKED_IN,
            )
    excused = [participant(session, event, e).id or 0 for e in EXCUSED]
    mark(
        session,
        event_id=event.id,
        participant_ids=excused,
        status=AttendanceStatus.EXCUSED,
        actor="test",
        now=CHECKED_IN,
    )
    absent = [participant(session, event, ABSENT).id or 0]
    mark(
        session,
        event_id=event.id,
        participant_ids=absent,
        status=AttendanceStatus.ABSENT,
        actor="test",
        now=CHECKED_IN,
    )
    session.commit()
    return event


def record_example_minutes(session: Session, event: Event, path: Path = MINUTES_FILE) -> None:
    """Record the example notulen (committed)."""
    spec = parse_minutes(read_minutes_file(path), event)
    record_minutes(session, event, spec, actor="test", now=ENDS)
    session.commit()


def record_minutes_text(session: Session, event: Event, text: str) -> None:
    """Record minutes given as Markdown text (committed)."""
    spec = parse_minutes(parse_markdown(text, "notulen.md"), event)
    record_minutes(session, event, spec, actor="test", now=ENDS)
    session.commit()


def held_visit(session: Session, *, minutes: bool = True, timezone: str | None = None) -> Event:
    """The visit after the day: attendance taken, minutes recorded (draft), event held."""
    event = visit_on_the_day(session, timezone=timezone)
    if minutes:
        record_example_minutes(session, event)
    apply(session, event, Action.HOLD, actor="test", now=ENDS)
    session.commit()
    return event


def pdf_text(data: bytes | Path) -> str:
    """All text of a PDF, whitespace collapsed (table cells wrap anywhere)."""
    raw = data.read_bytes() if isinstance(data, Path) else data
    reader = PdfReader(io.BytesIO(raw))
    return " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())


def owed(
    session: Session, event: Event, purpose: str | None = None, item: int | None = None
) -> list[Message]:
    """The outbox rows of an event (of one purpose, about one action item), by recipient."""
    terms = [Message.event_id == event.id]
    if purpose is not None:
        terms.append(Message.purpose == purpose)
    if item is not None:
        terms.append(Message.action_item_id == item)
    return list(
        session.exec(
            select(Message)
            .where(*terms)
            .order_by(col(Message.recipient), col(Message.purpose), col(Message.action_step_on))
        )
    )


def count(session: Session, model: type, *where: object) -> int:
    """Rows of a table matching the conditions."""
    return int(session.exec(select(func.count()).select_from(model).where(*where)).one())


DAY = timedelta(days=1)
