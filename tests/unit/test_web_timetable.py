"""The dashboard's timetable grid: parallel group visits side by side, plenary across."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from acara.web.timetable import build_timetable
from models.event import AgendaSession
from models.queries import PLENARY, AgendaLine

WIB = ZoneInfo("Asia/Jakarta")


def line(title: str, start: str, end: str, group: str = PLENARY, room: str = "") -> AgendaLine:
    starts = datetime.fromisoformat(f"2026-12-08T{start}").replace(tzinfo=WIB)
    ends = datetime.fromisoformat(f"2026-12-08T{end}").replace(tzinfo=WIB)
    item = AgendaSession(event_id=1, title=title, starts_at=starts, ends_at=ends)
    return AgendaLine(item, starts.date(), group, "Balai Kota Tangerang Selatan", room)


JAMBI = [
    line("Penyambutan", "09:00", "10:30", room="Ruang Blandongan"),
    line("Observasi Pamulang", "11:00", "14:00", "Kelompok 1 - Pamulang", "Aula Pamulang"),
    line("Observasi Setu", "11:00", "14:00", "Kelompok 2 - Setu", "Aula Setu"),
    line("Penutupan", "14:30", "15:30", room="Ruang Blandongan"),
]


def test_by_group_the_three_visits_run_in_parallel_columns_and_plenary_spans_them() -> None:
    (day,) = build_timetable(JAMBI, "Asia/Jakarta", "id", "group")
    assert day.label == "Selasa, 8 Desember 2026"
    assert day.columns == ["Kelompok 1 - Pamulang", "Kelompok 2 - Setu"]
    assert day.times == ["09.00", "10.30", "11.00", "14.00", "14.30", "15.30"]
    slots = {s.title: s for s in day.slots}
    assert (slots["Penyambutan"].col, slots["Penyambutan"].col_end) == (2, 4)
    assert (slots["Observasi Pamulang"].col, slots["Observasi Setu"].col) == (2, 3)
    assert slots["Observasi Pamulang"].row == slots["Observasi Setu"].row == 4
    assert slots["Observasi Setu"].row_end == 5
    assert slots["Penyambutan"].time == "09.00–10.30 WIB"


def test_by_room_each_room_is_a_column_and_sessions_in_one_room_share_it() -> None:
    (day,) = build_timetable(JAMBI, "Asia/Jakarta", "en", "room")
    assert day.columns[0] == "Ruang Blandongan, Balai Kota Tangerang Selatan"
    assert len(day.columns) == 3
    slots = {s.title: s for s in day.slots}
    assert slots["Penyambutan"].col == slots["Penutupan"].col == 2
    assert slots["Observasi Setu"].detail == "Kelompok 2 - Setu"
    assert day.label == "Tuesday, 8 December 2026" and day.times[0] == "09:00"


def test_an_event_without_groups_gets_one_plenary_column() -> None:
    (day,) = build_timetable(JAMBI[:1], "Asia/Jakarta", "id", "group")
    assert day.columns == [PLENARY]
    assert (day.slots[0].col, day.slots[0].col_end) == (2, 3)
