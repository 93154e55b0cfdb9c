"""Importing the example event files on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlmodel import Session, func, select

from acara.eventfile import read_event_file
from models import AgendaSession, BreakoutGroup, Event, Participant, Person
from models.planning import import_event
from tests.conftest import EXAMPLES


def test_the_jambi_visit_imports_with_three_groups_at_three_offices(session: Session) -> None:
    spec, rows = read_event_file(EXAMPLES / "kunjungan-camat-jambi.yaml")
    result = import_event(session, spec, rows, actor="test")
    session.commit()
    event = session.get(Event, result.event_id)
    assert event is not None and event.zone_label == "WIB"
    groups = session.exec(select(BreakoutGroup).where(BreakoutGroup.event_id == event.id)).all()
    assert len(groups) == 3 and all(g.venue_id for g in groups)
    assert session.exec(select(func.count()).select_from(Participant)).one() == 34


def test_reimporting_the_same_file_updates_instead_of_duplicating(session: Session) -> None:
    spec, rows = read_event_file(EXAMPLES / "kunjungan-camat-jambi.yaml")
    first = import_event(session, spec, rows, actor="test")
    session.commit()
    second = import_event(session, spec, rows, actor="test")
    session.commit()
    assert first.event_id == second.event_id and not second.created
    # The same list twice changes nobody: "updated" counts real changes only.
    assert second.roster.added == 0 and second.roster.updated == 0
    assert session.exec(select(func.count()).select_from(Event)).one() == 1
    assert session.exec(select(func.count()).select_from(Person)).one() == 34
    assert session.exec(select(func.count()).select_from(AgendaSession)).one() == 6
