"""The agenda as a grid per day: time down the side, rooms or groups across (CSS grid places)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Literal

from acara.dates import clock, long_date, time_range
from models.queries import PLENARY, AgendaLine

Axis = Literal["room", "group"]


@dataclass(frozen=True, slots=True)
class Slot:
    """One agenda item placed in the grid (CSS grid lines are 1-based; row 1 is the header)."""

    title: str
    time: str
    detail: str  # the place, or the group when laid out by room
    speakers: str
    row: int
    row_end: int
    col: int
    col_end: int
    plenary: bool


@dataclass(frozen=True, slots=True)
class DayGrid:
    """One day of the timetable."""

    label: str
    columns: list[str]
    times: list[str]  # labels of rows 2..n+1: every start or end time that day
    slots: list[Slot]


def _column(line: AgendaLine, axis: Axis) -> str:
    if axis == "group":
        return line.group
    return line.place or PLENARY


def build_timetable(
    lines: Sequence[AgendaLine], zone: str, language: str = "id", axis: Axis = "room"
) -> list[DayGrid]:
    """Lay out the agenda; by group, plenary items span every group's column."""
    days = []
    for day, items in groupby(
        sorted(lines, key=lambda x: x.session.starts_at), key=lambda x: x.day
    ):
        items = list(items)
        moments = sorted({i.session.starts_at for i in items} | {i.session.ends_at for i in items})
        row_of = {moment: index + 2 for index, moment in enumerate(moments)}
        if axis == "group":
            columns = sorted({i.group for i in items if i.group != PLENARY}) or [PLENARY]
        else:
            columns = list(dict.fromkeys(_column(i, axis) for i in items))
        col_of = {name: index + 2 for index, name in enumerate(columns)}
        slots = []
        for item in items:
            spans_all = axis == "group" and item.group == PLENARY
            col = 2 if spans_all else col_of[_column(item, axis)]
            slots.append(
                Slot(
                    title=item.session.title,
                    time=time_range(item.session.starts_at, item.session.ends_at, zone, language),
                    detail=item.place if axis == "group" else _group_detail(item),
                    speakers=", ".join(item.session.speakers),
                    row=row_of[item.session.starts_at],
                    row_end=row_of[item.session.ends_at],
                    col=col,
                    col_end=len(columns) + 2 if spans_all else col + 1,
                    plenary=item.group == PLENARY,
                )
            )
        days.append(
            DayGrid(
                label=long_date(day, language),
                columns=columns,
                times=[clock(moment, zone, language) for moment in moments],
                slots=slots,
            )
        )
    return days


def _group_detail(item: AgendaLine) -> str:
    return "" if item.group == PLENARY else item.group
