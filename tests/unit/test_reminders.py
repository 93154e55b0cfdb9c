"""Reminder offsets as officers write them in event files: '3d,1d,2h'."""

from __future__ import annotations

from datetime import timedelta

import pytest

from models.errors import InvalidInput
from models.reminders import parse_offsets


def test_offsets_are_read_as_durations_before_the_start_largest_first() -> None:
    assert parse_offsets("2h,3d,1d") == [timedelta(days=3), timedelta(days=1), timedelta(hours=2)]


def test_spaces_case_and_empty_parts_are_forgiven() -> None:
    assert parse_offsets(" 3D , 30 m ,, ") == [timedelta(days=3), timedelta(minutes=30)]


def test_the_same_moment_written_twice_is_one_reminder() -> None:
    assert parse_offsets("1d,24h") == [timedelta(days=1)]


def test_no_offsets_means_no_reminders() -> None:
    assert parse_offsets("") == []


@pytest.mark.parametrize("bad", ["3w", "0d", "d", "-1d", "1.5h", "besok"])
def test_an_offset_that_is_not_a_number_and_unit_is_refused_by_name(bad: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_offsets(f"3d,{bad}")
    [problem] = caught.value.problems
    assert problem.where == "reminders"
    assert problem.reason == f"{bad.lower()!r} is not an offset like 3d, 1d or 2h"
