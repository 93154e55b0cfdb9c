"""What is due when after an event: pure rules, a controlled clock, no database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from models.event import EventStatus
from models.followup import (
    FollowUpPolicy,
    ReminderStep,
    action_reminder_step,
    days_overdue,
    escalation_due,
    local_today,
    ready_to_report,
    survey_due,
    survey_open,
    thank_you_due,
)

DUE = date(2026, 12, 15)
POLICY = FollowUpPolicy()  # 3 days before, weekly after, escalate after 7 days
ENDED = datetime(2026, 12, 8, 8, 30, tzinfo=UTC)  # 15.30 WIB


def day(n: int) -> date:
    """The due date shifted by n days."""
    return DUE + timedelta(days=n)


def test_nothing_is_due_more_than_three_days_before_the_due_date() -> None:
    assert action_reminder_step(DUE, day(-4), POLICY) is None


def test_the_owner_is_reminded_three_days_before_and_that_step_holds_until_the_due_date() -> None:
    expected = ReminderStep(day(-3), overdue=False)
    assert action_reminder_step(DUE, day(-3), POLICY) == expected
    assert action_reminder_step(DUE, day(-1), POLICY) == expected
    assert action_reminder_step(DUE, DUE, POLICY) == expected


def test_after_the_due_date_the_owner_is_reminded_the_next_day_then_weekly() -> None:
    assert action_reminder_step(DUE, day(1), POLICY) == ReminderStep(day(1), overdue=True)
    assert action_reminder_step(DUE, day(7), POLICY) == ReminderStep(day(1), overdue=True)
    assert action_reminder_step(DUE, day(8), POLICY) == ReminderStep(day(8), overdue=True)
    assert action_reminder_step(DUE, day(15), POLICY) == ReminderStep(day(15), overdue=True)


def test_a_sweep_that_missed_weeks_owes_only_the_latest_step() -> None:
    steps = {action_reminder_step(DUE, day(n), POLICY) for n in range(20, 22)}
    assert steps == {ReminderStep(day(15), overdue=True)}


def test_a_shorter_reminder_interval_is_taken_from_the_policy() -> None:
    daily = FollowUpPolicy(remind_before_days=1, remind_every_days=1)
    assert action_reminder_step(DUE, day(-2), daily) is None
    assert action_reminder_step(DUE, day(3), daily) == ReminderStep(day(3), overdue=True)


def test_escalation_comes_after_the_configured_delay_and_not_a_day_earlier() -> None:
    assert not escalation_due(DUE, day(6), POLICY)
    assert escalation_due(DUE, day(7), POLICY)
    assert escalation_due(DUE, day(30), POLICY)
    assert not escalation_due(DUE, day(7), FollowUpPolicy(escalate_after_days=14))


def test_days_overdue_count_from_the_due_date() -> None:
    assert days_overdue(DUE, day(-2)) == 0
    assert days_overdue(DUE, day(8)) == 8


def test_today_is_the_day_in_the_events_zone_not_in_utc() -> None:
    late_evening_utc = datetime(2026, 12, 14, 18, 0, tzinfo=UTC)  # 01.00 on the 15th in WIB
    assert local_today(late_evening_utc, "Asia/Jakarta") == DUE
    assert local_today(late_evening_utc, "UTC") == day(-1)


def test_a_naive_now_is_refused() -> None:
    with pytest.raises(Exception, match="timezone"):
        local_today(datetime(2026, 12, 14, 18, 0), "Asia/Jakarta")


def test_the_thank_you_goes_with_approved_minutes_at_once() -> None:
    assert thank_you_due(EventStatus.HELD, ENDED, True, ENDED + timedelta(hours=1), POLICY)


def test_the_thank_you_waits_for_the_minutes_then_goes_without_them() -> None:
    waiting = ENDED + timedelta(days=2, hours=23)
    assert not thank_you_due(EventStatus.HELD, ENDED, False, waiting, POLICY)
    assert thank_you_due(EventStatus.HELD, ENDED, False, ENDED + timedelta(days=3), POLICY)


def test_nothing_is_followed_up_before_the_event_is_held() -> None:
    later = ENDED + timedelta(days=30)
    for status in (EventStatus.ANNOUNCED, EventStatus.ONGOING, EventStatus.CANCELLED):
        assert not thank_you_due(status, ENDED, True, later, POLICY)
        assert not survey_due(status, ENDED, later)


def test_the_survey_goes_out_when_the_event_is_over_and_stays_open_thirty_days() -> None:
    assert not survey_due(EventStatus.HELD, ENDED, ENDED - timedelta(minutes=1))
    assert survey_due(EventStatus.HELD, ENDED, ENDED)
    assert survey_open(ENDED, ENDED + timedelta(days=29), POLICY)
    assert not survey_open(ENDED, ENDED + timedelta(days=30), POLICY)
    assert not survey_open(ENDED, ENDED - timedelta(hours=1), POLICY)


def test_an_event_is_reported_only_when_every_part_of_the_follow_up_is_done() -> None:
    assert ready_to_report(EventStatus.HELD, True, True, True, True)
    for missing in range(4):
        flags = [True] * 4
        flags[missing] = False
        assert not ready_to_report(EventStatus.HELD, *flags)
    assert not ready_to_report(EventStatus.REPORTED, True, True, True, True)


def test_the_visitors_to_thank_are_guests_their_organisation_and_outside_speakers() -> None:
    from models.followup import is_visitor
    from models.people import Role

    host, guest = "Pemerintah Kota Tangerang", "Dalhousie University"
    assert is_visitor(Role.GUEST, "", guest, host)
    assert is_visitor(Role.SPEAKER, "Dalhousie University, Halifax, Canada", guest, host)
    assert is_visitor(Role.STAFF, "Dalhousie University", guest, host)
    assert is_visitor(Role.SPEAKER, "Ombudsman RI", "", host)  # invited from outside
    assert not is_visitor(Role.SPEAKER, "Pemerintah Kota Tangerang", guest, host)
    assert not is_visitor(Role.HOST_OFFICIAL, "Pemerintah Kota Tangerang", guest, host)
    assert not is_visitor(Role.MEDIA, "Tangerang News", guest, host)
