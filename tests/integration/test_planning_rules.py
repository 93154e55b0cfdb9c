"""Every rule an event file must follow, each refused with a message naming the field."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.exc import StatementError
from sqlmodel import Session, func, select

from models import AgendaSession, Event
from models.errors import InvalidInput
from models.lifecycle import cancel, reschedule
from models.plan import parse_event_spec
from models.planning import ImportResult, import_event
from models.queries import get_event
from models.roster import Row

CITY_HALL = "Pusat Pemerintahan Kota Tangerang"
TLR = "Tangerang Live Room (TLR)"
GROUP = "Kelompok 1 - Pamulang"


def item(title: str, start: str, end: str, **more: Any) -> dict[str, Any]:
    return {"title": title, "start": start, "end": end, **more}


def plan(code: str = "fgd-halifax-2026") -> dict[str, Any]:
    """A small FGD at the city hall with one breakout group away at a sub-district office."""
    return {
        "code": code,
        "kind": "fgd",
        "title": "FGD Pelayanan Publik Kota Halifax dan Kota Tangerang",
        "timezone": "WIB",
        "start": "2026-12-10 09:00",
        "end": "2026-12-10 15:00",
        "venues": [
            {"name": CITY_HALL, "rooms": [{"name": TLR}, {"name": "Ruang Akhlakul Karimah"}]},
            {"name": "Kantor Kecamatan Pamulang", "rooms": [{"name": "Aula Kecamatan Pamulang"}]},
        ],
        "groups": [{"name": GROUP, "venue": "Kantor Kecamatan Pamulang"}],
        "agenda": [
            {
                "date": "2026-12-10",
                "sessions": [
                    item("Pembukaan", "09:00", "10:00", venue=CITY_HALL, room=TLR),
                    item("Paparan Halifax", "10:00", "11:30", venue=CITY_HALL, room=TLR),
                    item(
                        "Observasi", "13:00", "15:00", group=GROUP, room="Aula Kecamatan Pamulang"
                    ),
                ],
            }
        ],
        "participants": [
            {"name": "Prof. Mark Gilbert, Ph.D.", "email": "mark.gilbert@dal.ca", "role": "speaker"}
        ],
    }


def run(session: Session, data: dict[str, Any]) -> ImportResult:
    """Import a plan the way `acara event import` does, and commit."""
    spec = parse_event_spec(data, source="e.yaml")
    rows = [Row(f"participants[{i}]", p) for i, p in enumerate(spec.participants)]
    result = import_event(session, spec, rows, actor="test")
    session.commit()
    return result


def refused(session: Session, data: dict[str, Any]) -> list[str]:
    """The problems an import reports; the database is left as it was."""
    before = session.exec(select(func.count()).select_from(Event)).one()
    with pytest.raises(InvalidInput) as caught:
        run(session, data)
    session.rollback()
    assert session.exec(select(func.count()).select_from(Event)).one() == before
    return [str(p) for p in caught.value.problems]


def sessions(data: dict[str, Any], day: int = 0) -> list[dict[str, Any]]:
    return data["agenda"][day]["sessions"]


Change = Callable[[dict[str, Any]], None]


def _set(path: str, value: Any) -> Change:
    def change(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = data
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        if last.isdigit():
            target[int(last)] = value
        else:
            target[last] = value

    return change


def _add_day(date: str, *items: dict[str, Any]) -> Change:
    return lambda data: data["agenda"].append({"date": date, "sessions": list(items)})


REJECTED: list[tuple[str, Change, str]] = [
    (
        "an event that ends before it starts",
        _set("end", "2026-12-10 08:00"),
        "end: the event must end after it starts",
    ),
    (
        "an event time that is no time",
        _set("start", "2026-12-32 09:00"),
        "start: Input should be a valid datetime",
    ),
    (
        "a session time that is no time",
        _set("agenda.0.sessions.0.start", "25:00"),
        "agenda[0].sessions[0].start: '25:00' is not a time like 09:30",
    ),
    (
        "a session that ends before it starts",
        _set("agenda.0.sessions.1.end", "09:30"),
        "agenda[0].sessions[1].end: the session must end after it starts",
    ),
    (
        "a session on a day the event does not cover",
        _add_day("2026-12-11", item("Kunjungan lapangan", "09:00", "10:00", venue=CITY_HALL)),
        "agenda[1].date: 2026-12-11 is outside the event's days",
    ),
    (
        "a session outside the event's hours",
        _set("agenda.0.sessions.2.end", "16:00"),
        "agenda[0].sessions[2]: the session lies outside the event's times",
    ),
    (
        "a breakout group's session at another venue",
        _set(
            "agenda.0.sessions.2",
            item("Observasi", "13:00", "15:00", group=GROUP, venue=CITY_HALL, room=TLR),
        ),
        f"agenda[0].sessions[2]: group '{GROUP}' meets at its own venue, not at '{CITY_HALL}'",
    ),
    (
        "a session for a group that does not exist",
        _set("agenda.0.sessions.2.group", "Kelompok 9"),
        "agenda[0].sessions[2].group: no group named 'Kelompok 9'",
    ),
    (
        "a participant in a group that does not exist",
        _set("participants.0.group", "Kelompok 9"),
        "participants[0]: group: no group named 'Kelompok 9' in this event",
    ),
    (
        "a session at an unknown venue",
        _set("agenda.0.sessions.0.venue", "Gedung Juang"),
        "agenda[0].sessions[0].venue: no venue named 'Gedung Juang'",
    ),
    (
        "a session in an unknown room",
        _set("agenda.0.sessions.0.room", "Ruang Rapat 9"),
        f"agenda[0].sessions[0].room: no room 'Ruang Rapat 9' at {CITY_HALL}",
    ),
    (
        "a group at an unknown venue",
        _set("groups.0.venue", "Kantor Kecamatan Setu"),
        "groups[0].venue: no venue named 'Kantor Kecamatan Setu'",
    ),
    (
        "an invalid e-mail address",
        _set("participants.0.email", "mark.gilbert@"),
        "participants[0].email: not a valid e-mail address",
    ),
    (
        "an unknown timezone",
        _set("timezone", "WEST"),
        "timezone: unknown timezone 'WEST'; use WIB, WITA, WIT or an IANA name",
    ),
    (
        "an unknown key",
        _set("agenda.0.sessions.0.pembicara", ["Dr. Nurdin"]),
        "agenda[0].sessions[0].pembicara: unknown key; known keys: title, start, end, venue",
    ),
    (
        "a reminder offset that is not one",
        _set("reminders", "3d,besok"),
        "reminders: 'besok' is not an offset like 3d, 1d or 2h",
    ),
    (
        "a room booked twice inside the event",
        _set("agenda.0.sessions.1.start", "09:30"),
        "agenda: 'Paparan Halifax': room already booked for 'Pembukaan' at that time",
    ),
]


@pytest.mark.parametrize(
    ("change", "message"), [(c, m) for _, c, m in REJECTED], ids=[i for i, _, _ in REJECTED]
)
def test_an_event_file_is_refused_for(session: Session, change: Change, message: str) -> None:
    data = copy.deepcopy(plan())
    change(data)
    problems = refused(session, data)
    assert any(p.startswith(message) for p in problems), problems


def test_a_valid_plan_is_accepted_and_sessions_back_to_back_share_a_room(
    session: Session,
) -> None:
    result = run(session, plan())
    assert result.created and result.roster.added == 1
    assert session.exec(select(func.count()).select_from(AgendaSession)).one() == 3


def test_a_room_booked_by_another_event_at_that_time_is_refused(session: Session) -> None:
    run(session, plan())
    other = plan(code="mou-ombudsman-banten-2027")
    other["agenda"][0]["sessions"] = [item("Penandatanganan", "10:30", "11:00", room=TLR)]
    other["agenda"][0]["sessions"][0]["venue"] = CITY_HALL
    other["groups"], other["participants"] = [], []
    assert refused(session, other) == [
        "agenda: 'Penandatanganan': room already booked by event 'fgd-halifax-2026' "
        "('Paparan Halifax')"
    ]


def test_a_cancelled_event_frees_its_rooms(session: Session) -> None:
    run(session, plan())
    cancel(session, get_event(session, "fgd-halifax-2026"), actor="officer", reason="Ditunda")
    session.commit()
    other = plan(code="mou-ombudsman-banten-2027")
    other["agenda"][0]["sessions"] = [
        item("Penandatanganan", "10:30", "11:00", venue=CITY_HALL, room=TLR)
    ]
    other["groups"], other["participants"] = [], []
    assert run(session, other).created


def test_rescheduling_into_a_booked_room_is_refused_and_moves_nothing(session: Session) -> None:
    run(session, plan())
    other = plan(code="mou-ombudsman-banten-2027")
    other["start"], other["end"] = "2026-12-11 09:00", "2026-12-11 12:00"
    other["agenda"][0]["date"] = "2026-12-11"
    other["agenda"][0]["sessions"] = [
        item("Penandatanganan", "09:00", "10:00", venue=CITY_HALL, room=TLR)
    ]
    other["groups"], other["participants"] = [], []
    run(session, other)

    event = get_event(session, "fgd-halifax-2026")
    with pytest.raises(InvalidInput) as caught:
        reschedule(
            session, event, datetime.fromisoformat("2026-12-11T09:00+07:00"), actor="officer"
        )
    session.rollback()
    assert "room already booked by event 'mou-ombudsman-banten-2027'" in str(caught.value)
    session.expire_all()
    event = get_event(session, "fgd-halifax-2026")
    assert event.starts_at == datetime(2026, 12, 10, 2, 0, tzinfo=UTC) and event.sequence == 0


def test_times_are_local_to_the_event_zone_and_stored_in_utc(session: Session) -> None:
    data = plan()
    data["timezone"] = "WITA"  # e.g. a return visit to Makassar
    run(session, data)
    session.expire_all()
    event = get_event(session, "fgd-halifax-2026")
    assert event.timezone == "Asia/Makassar" and event.zone_label == "WITA"
    assert event.starts_at == datetime(2026, 12, 10, 1, 0, tzinfo=UTC)  # 09:00 WITA
    first = session.exec(select(AgendaSession).order_by(AgendaSession.starts_at)).first()
    assert first is not None and first.starts_at == datetime(2026, 12, 10, 1, 0, tzinfo=UTC)


def test_an_iana_zone_and_an_explicit_offset_are_honoured(session: Session) -> None:
    data = plan()
    data["timezone"] = "Asia/Jayapura"
    data["start"] = "2026-12-10T09:00:00+09:00"  # written with its own offset
    run(session, data)
    event = get_event(session, "fgd-halifax-2026")
    assert event.zone_label == "WIT"
    assert event.starts_at == datetime(2026, 12, 10, 0, 0, tzinfo=UTC)


def test_a_time_without_a_zone_never_reaches_the_database(session: Session) -> None:
    run(session, plan())
    event = get_event(session, "fgd-halifax-2026")
    event.starts_at = datetime(2026, 12, 10, 9, 0)  # a programming mistake, not a user's
    session.add(event)
    with pytest.raises(StatementError, match="naive datetime"):
        session.commit()
    session.rollback()
