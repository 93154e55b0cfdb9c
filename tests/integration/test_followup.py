"""The follow-up after the event with a controlled clock, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from acara.messages.composers import compose
from acara.settings import get_settings
from acara.stages import followup
from acara.stages import minutes as minutes_stage
from models.audit import DomainEvent
from models.event import Event, EventStatus
from models.followup import (
    ACTION_REMINDER,
    ESCALATION,
    FollowUpPolicy,
    close_action,
    plan_follow_up,
)
from models.minutes import ActionItem
from models.minutes_rules import approve_minutes
from models.outbox import MessageStatus
from tests.followup_helpers import (
    ABSENT,
    ENDS,
    EXCUSED,
    HUMAS,
    KABAN,
    KUMPEH,
    PAMULANG,
    SEKDA,
    held_visit,
    owed,
)

WIB = ZoneInfo("Asia/Jakarta")
POLICY = FollowUpPolicy()


def at(day: str, clock: str = "09:00") -> datetime:
    """A moment in Jakarta: at('2026-12-12') is 09.00 WIB that day."""
    return datetime.fromisoformat(f"{day} {clock}").replace(tzinfo=WIB)


def approved(session: Session) -> Event:
    """The held visit with its minutes approved on the evening of the day."""
    event = held_visit(session)
    approve_minutes(session, event, actor="test", now=ENDS + timedelta(hours=2))
    session.commit()
    return event


def plan(session: Session, event: Event, now: datetime, policy: FollowUpPolicy = POLICY):  # type: ignore[no-untyped-def]
    """Run the follow-up rules at `now` and commit."""
    result = plan_follow_up(session, event, now=now, policy=policy)
    session.commit()
    return result


def item_of(session: Session, owner: str) -> ActionItem:
    return session.exec(select(ActionItem).where(ActionItem.owner_email == owner)).one()


def test_the_thank_you_waits_for_the_minutes_and_goes_to_the_guest_delegation_only(
    session: Session,
) -> None:
    event = held_visit(session)
    early = plan(session, event, ENDS + timedelta(hours=1))
    assert early.thank_you == 0
    assert "the thank-you letter waits for the approved minutes" in early.waiting
    approve_minutes(session, event, actor="test", now=ENDS + timedelta(hours=2))
    session.commit()
    assert plan(session, event, ENDS + timedelta(hours=3)).thank_you == 28
    assert plan(session, event, ENDS + timedelta(hours=4)).thank_you == 0  # owed once
    recipients = {m.recipient for m in owed(session, event, "thank-you")}
    assert {KABAN, KUMPEH} <= recipients
    assert not recipients & {SEKDA, PAMULANG, HUMAS, ABSENT, *EXCUSED}
    letter = compose(
        session, next(m for m in owed(session, event, "thank-you") if m.recipient == KABAN)
    )
    assert letter.subject == "Terima kasih: Kunjungan Kerja Camat se-Provinsi Jambi"
    assert "Yth. Bapak AM Iskandar Nasution, S.H., M.H." in letter.text
    assert "beserta rombongan Badan Pengembangan Sumber Daya Manusia Provinsi Jambi" in letter.text
    assert [a.filename for a in letter.attachments] == ["notulen-kunker-camat-jambi-2026.pdf"]
    assert letter.attachments[0].content.startswith(b"%PDF")


def test_without_approved_minutes_the_thank_you_goes_alone_after_three_days(
    session: Session,
) -> None:
    event = held_visit(session)
    assert plan(session, event, ENDS + timedelta(days=2, hours=23)).thank_you == 0
    assert plan(session, event, ENDS + timedelta(days=3)).thank_you == 28
    letter = compose(session, owed(session, event, "thank-you")[0])
    assert letter.attachments == ()
    assert "lampirkan notulen" not in letter.text


def test_the_survey_goes_to_everyone_present_once_the_event_is_over(session: Session) -> None:
    event = held_visit(session)  # held early: the closing session is still going on
    assert plan(session, event, ENDS - timedelta(minutes=5)).survey == 0
    assert plan(session, event, ENDS).survey == 30
    recipients = {m.recipient for m in owed(session, event, "survey")}
    assert SEKDA in recipients and KUMPEH in recipients
    assert not recipients & {HUMAS, ABSENT, *EXCUSED}  # not the minute-taker, not the absent
    letter = compose(
        session, next(m for m in owed(session, event, "survey") if m.recipient == KUMPEH)
    )
    assert letter.subject == "Survei kepuasan: Kunjungan Kerja Camat se-Provinsi Jambi"
    assert "http://127.0.0.1:8000/survey/" in letter.text
    assert "Survei dapat diisi hingga Kamis, 7 Januari 2027" in letter.text


def test_action_items_are_chased_by_the_clock_escalated_once_and_stopped_when_done(
    session: Session,
) -> None:
    event = approved(session)
    sop = item_of(session, HUMAS)  # due Tuesday 15 December 2026

    def reminders() -> list[str]:
        return [m.action_step_on.isoformat() for m in owed(session, event, ACTION_REMINDER, sop.id)]

    plan(session, event, at("2026-12-11"))
    assert reminders() == []
    assert plan(session, event, at("2026-12-12")).reminders == 1
    assert plan(session, event, at("2026-12-12", "17:00")).reminders == 0  # same day: nothing
    plan(session, event, at("2026-12-15"))  # the due date itself: still the same step
    assert reminders() == ["2026-12-12"]
    assert owed(session, event, ACTION_REMINDER, sop.id)[0].recipient == HUMAS

    overdue = plan(session, event, at("2026-12-16"))
    assert overdue.newly_overdue == [sop.id]
    assert plan(session, event, at("2026-12-17")).newly_overdue == []
    assert reminders() == ["2026-12-12", "2026-12-16"]
    facts = session.exec(
        select(DomainEvent).where(DomainEvent.name == "acara.action.overdue")
    ).all()
    assert [f.payload["action_id"] for f in facts] == [sop.id]

    assert plan(session, event, at("2026-12-21")).escalations == 0
    assert plan(session, event, at("2026-12-22")).escalations == 2
    assert plan(session, event, at("2026-12-23")).escalations == 0  # once per item
    told = {m.recipient for m in owed(session, event, ESCALATION, sop.id)}
    assert told == {SEKDA, PAMULANG}  # the host officials, not the owner herself
    assert reminders()[-1] == "2026-12-23"

    _, changed = close_action(session, sop.id or 0, actor="test", now=at("2026-12-24"))
    session.commit()
    assert changed
    # What was still queued is no longer owed; next week brings nothing for this item.
    assert {m.status for m in owed(session, event, ACTION_REMINDER, sop.id)} == {
        MessageStatus.SUPERSEDED
    }
    assert plan(session, event, at("2026-12-30")).reminders == 0
    assert len(reminders()) == 3


def test_reminders_and_escalations_say_how_late_and_whose_item_it_is(session: Session) -> None:
    event = approved(session)
    sop = item_of(session, HUMAS)
    plan(session, event, at("2026-12-22"))
    reminder = compose(session, owed(session, event, ACTION_REMINDER, sop.id)[0])
    assert reminder.subject == (
        "Tindak lanjut terlambat 7 hari: Kunjungan Kerja Camat se-Provinsi Jambi"
    ) or reminder.subject.startswith("Tindak lanjut terlambat")
    assert "Mengirimkan SOP layanan perizinan" in reminder.text
    assert "Batas waktu     : Selasa, 15 Desember 2026" in reminder.text
    escalation = compose(session, owed(session, event, ESCALATION, sop.id)[0])
    assert escalation.subject.startswith("Eskalasi: tindak lanjut terlambat")
    assert f"Rina Marlina, S.I.Kom. <{HUMAS}>" in escalation.text


def test_a_reminder_before_the_due_date_does_not_call_the_item_late(session: Session) -> None:
    event = approved(session)
    sop = item_of(session, HUMAS)
    plan(session, event, at("2026-12-12"))
    reminder = compose(session, owed(session, event, ACTION_REMINDER, sop.id)[0])
    assert reminder.subject == (
        "Pengingat tindak lanjut (batas Selasa, 15 Desember 2026): "
        "Kunjungan Kerja Camat se-Provinsi Jambi"
    )
    assert "terlambat" not in reminder.text


def test_the_escalation_delay_is_a_setting(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    event = approved(session)
    sop = item_of(session, HUMAS)
    monkeypatch.setenv("ACARA_ESCALATE_AFTER_DAYS", "2")
    get_settings.cache_clear()
    assert followup.policy().escalate_after_days == 2
    assert followup.owe(event.id or 0, at("2026-12-16")).escalations == 0
    assert followup.owe(event.id or 0, at("2026-12-17")).escalations == 2
    assert owed(session, event, ESCALATION, sop.id)


def test_the_event_is_reported_once_minutes_thanks_survey_and_press_release_are_done(
    session: Session, acara_env: Path
) -> None:
    event = held_visit(session)
    before = followup.run(event.code, ENDS + timedelta(hours=1))
    assert before.status == "held" and not before.reported
    assert before.press_release is None  # it waits for the approved minutes' quotes
    minutes_stage.approve(event.code, actor="test", now=ENDS + timedelta(hours=2), follow_up=False)
    after = followup.run(event.code, ENDS + timedelta(hours=3))
    assert after.reported and after.status == "reported"
    assert after.press_release == (
        acara_env / "documents" / event.code / f"siaran-pers-{event.code}.md"
    )
    assert (before.plan.thank_you, before.plan.survey) == (0, 30)
    assert (after.plan.thank_you, after.plan.survey) == (28, 0)
    # Everything owed went out through the outbox to the maildir: the surveys, the minutes (with
    # the approval), the thanks.
    assert (before.delivery.sent, after.delivery.sent) == (30, 28)
    assert len(list((acara_env / "outbox" / "new").iterdir())) == 30 + 31 + 28
    again = followup.run(event.code, ENDS + timedelta(hours=4))
    assert again.plan.queued == 0 and again.delivery.sent == 0
    assert not again.reported and again.press_release is None
    session.expire_all()
    assert session.get(Event, event.id).status is EventStatus.REPORTED  # type: ignore[union-attr]


def test_the_daily_sweep_looks_at_held_events_and_reported_ones_with_open_items(
    session: Session, acara_env: Path
) -> None:
    event = held_visit(session)
    assert followup.due_events() == [event.id]
    minutes_stage.approve(event.code, actor="test", now=ENDS + timedelta(hours=2), follow_up=False)
    followup.run(event.code, ENDS + timedelta(hours=3))  # now reported
    assert followup.due_events() == [event.id]  # three action items still open
    for item in session.exec(select(ActionItem)).all():
        close_action(session, item.id or 0, actor="test", now=at("2026-12-20"))
    session.commit()
    assert followup.due_events() == []


def test_an_english_speaking_guest_is_thanked_asked_and_reminded_in_english(
    session: Session,
) -> None:
    from models.checkin import check_in
    from models.lifecycle import Action, apply
    from tests.followup_helpers import record_minutes_text
    from tests.web_helpers import participants_in_order, seed_event

    event = seed_event(session, "fgd-halifax.yaml")
    for row in participants_in_order(session, event):
        check_in(
            session,
            event_id=event.id or 0,
            participant_id=row.id or 0,
            actor="test",
            now=at("2026-12-10", "08:55"),
        )
    record_minutes_text(
        session,
        event,
        "---\naction_items:\n  - description: Send the Halifax 311 case study\n"
        "    owner: Prof. Mark Gilbert\n    email: mark.gilbert@dal.ca\n    due: 2026-12-18\n"
        "---\n## Ringkasan\n\nBoth cities compared their public services.\n",
    )
    apply(session, event, Action.HOLD, actor="test", now=at("2026-12-10", "12:00"))
    approve_minutes(session, event, actor="test", now=at("2026-12-10", "13:00"))
    session.commit()
    plan(session, event, at("2026-12-15"))
    thanked = {m.recipient for m in owed(session, event, "thank-you")}
    assert thanked == {"mark.gilbert@dal.ca", "sarah.thompson@dal.ca"}  # speaker and guest
    gilbert = [m for m in owed(session, event) if m.recipient == "mark.gilbert@dal.ca"]
    letters = {m.purpose.split(":")[0]: compose(session, m) for m in gilbert}
    assert set(letters) == {"minutes", "thank-you", "survey", "action-reminder"}
    assert letters["thank-you"].subject.startswith("Thank you: Focus Group Discussion")
    assert "Dear Prof. Mark Gilbert," in letters["thank-you"].text
    assert letters["survey"].subject.startswith("Feedback survey:")
    assert letters["action-reminder"].subject.startswith(
        "Reminder: action item due Friday, 18 December 2026"
    )
    assert "Send the Halifax 311 case study" in letters["action-reminder"].text
