"""Reminder sweeps with a controlled clock, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import Session, col, select

from acara.eventfile import read_event_file
from acara.stages.reminders import owe_due_reminders
from models.event import Event
from models.lifecycle import Action, apply, reschedule
from models.outbox import Message, MessageStatus, Owed, enqueue_many
from models.people import Participant, Person, RsvpStatus
from models.planning import import_event
from models.reminders import REMINDER, ReminderRound, offset_label
from tests.conftest import EXAMPLES

D, H, M = timedelta(days=1), timedelta(hours=1), timedelta(minutes=1)


@pytest.fixture
def event(session: Session) -> Event:
    """The Jambi visit, announced, invitations delivered; 20 accepted, 10 undecided, 4 declined.

    One undecided invitee's invitation bounced, so they were never reached.
    """
    spec, rows = read_event_file(EXAMPLES / "kunjungan-camat-jambi.yaml")
    result = import_event(session, spec, rows, actor="test")
    target = session.get(Event, result.event_id)
    assert target is not None
    apply(session, target, Action.ANNOUNCE, actor="test")
    people = session.exec(
        select(Participant, Person)
        .join(Person, col(Person.id) == Participant.person_id)
        .where(Participant.event_id == target.id)
        .order_by(col(Participant.id))
    ).all()
    assert len(people) == 34
    enqueue_many(
        session, result.event_id, [Owed(p.email, "invitation", 0, pt.id) for pt, p in people]
    )
    session.execute(update(Message).values(status=MessageStatus.SENT))
    for i, (participant, _) in enumerate(people):
        participant.rsvp = (
            RsvpStatus.ACCEPTED if i < 20 else RsvpStatus.PENDING if i < 30 else RsvpStatus.DECLINED
        )
        session.add(participant)
    bounced = people[29][1].email
    session.execute(
        update(Message).where(col(Message.recipient) == bounced).values(status=MessageStatus.FAILED)
    )
    session.commit()
    return target


def owed(session: Session) -> Counter[str]:
    """How many messages are owed per reminder ('reminder:1d') or nudge, and sequence."""
    session.expire_all()
    rows = session.exec(
        select(Message.purpose, Message.reminder_offset, Message.sequence).where(
            col(Message.purpose) != "invitation"
        )
    ).all()
    return Counter(f"{label(purpose, offset)}@{sequence}" for purpose, offset, sequence in rows)


def label(purpose: str, offset: int) -> str:
    return f"{purpose}:{offset_label(offset)}" if offset else purpose


def test_nothing_is_owed_before_the_first_reminder_falls_due(
    session: Session, event: Event
) -> None:
    dropped, rounds = owe_due_reminders(event.starts_at - 3 * D - M)
    assert (dropped, rounds) == (0, []) and owed(session) == Counter()


def test_three_days_before_those_coming_are_reminded_and_the_undecided_nudged(
    session: Session, event: Event
) -> None:
    _, rounds = owe_due_reminders(event.starts_at - 3 * D + M)
    assert {(r.purpose, r.recipients) for r in rounds} == {("reminder:3d", 20), ("nudge", 9)}
    assert owed(session) == Counter({"reminder:3d@0": 20, "nudge@0": 9})


def test_each_offset_is_owed_once_in_its_own_window(session: Session, event: Event) -> None:
    for moment in (3 * D, 3 * D - H, 2 * D, D, D - H, 2 * H, H, M):
        owe_due_reminders(event.starts_at - moment + timedelta(seconds=1))
    assert owed(session) == Counter(
        {"reminder:3d@0": 20, "nudge@0": 9, "reminder:1d@0": 29, "reminder:2h@0": 29}
    )


def test_declined_and_never_reached_invitees_get_nothing(session: Session, event: Event) -> None:
    owe_due_reminders(event.starts_at - D)
    reminded = set(
        session.exec(
            select(Message.participant_id).where(
                Message.purpose == REMINDER, Message.reminder_offset == 24 * 60
            )
        ).all()
    )
    answers = dict(session.exec(select(Participant.id, Participant.rsvp)).all())
    assert {answers[p] for p in reminded} == {RsvpStatus.ACCEPTED, RsvpStatus.PENDING}
    assert len(reminded) == 29  # 34 - 4 declined - 1 bounced


def test_a_window_missed_while_nothing_ran_is_caught_up_before_the_start(
    session: Session, event: Event
) -> None:
    # Nothing ran on H-3; the next sweep, a day and a half before, still sends H-3.
    _, rounds = owe_due_reminders(event.starts_at - D - 12 * H)
    assert {r.purpose for r in rounds} == {"reminder:3d", "nudge"}


def test_when_several_fell_due_only_the_latest_is_sent(session: Session, event: Event) -> None:
    # Down from H-4 until an hour before: H-3 and H-1 are skipped, not sent together.
    _, rounds = owe_due_reminders(event.starts_at - H)
    assert [r.purpose for r in rounds] == ["reminder:2h"]
    owe_due_reminders(event.starts_at - 30 * M)
    assert owed(session) == Counter({"reminder:2h@0": 29})


def test_a_reminder_is_never_sent_after_the_event_started(session: Session, event: Event) -> None:
    assert owe_due_reminders(event.starts_at) == (0, [])
    assert owe_due_reminders(event.starts_at + 2 * H) == (0, [])
    assert owed(session) == Counter()


def test_a_second_sweep_in_the_same_window_owes_nothing_new(session: Session, event: Event) -> None:
    owe_due_reminders(event.starts_at - D + M)
    assert owe_due_reminders(event.starts_at - D + 5 * M)[1] == []
    rounds = session.exec(select(ReminderRound)).all()
    assert [(label(r.purpose, r.reminder_offset), r.recipients) for r in rounds] == [
        ("reminder:1d", 29)
    ]


def test_a_reschedule_moves_the_reminders_with_the_event(session: Session, event: Event) -> None:
    old_start = event.starts_at
    owe_due_reminders(old_start - D + M)  # H-1 owed for the old date, not yet delivered
    moved = session.get(Event, event.id)
    assert moved is not None
    reschedule(session, moved, old_start + 7 * D, actor="test")
    session.commit()

    dropped, rounds = owe_due_reminders(old_start - D + 2 * M)
    assert rounds == [] and dropped == 29  # the old H-1 no longer goes out
    _, rounds = owe_due_reminders(old_start + 7 * D - D + M)
    assert [(r.purpose, r.sequence, r.recipients) for r in rounds] == [("reminder:1d", 1, 29)]
    statuses = dict(
        session.exec(
            select(Message.sequence, Message.status).where(
                Message.purpose == REMINDER, Message.reminder_offset == 24 * 60
            )
        ).all()
    )
    assert statuses == {0: MessageStatus.SUPERSEDED, 1: MessageStatus.QUEUED}


def test_reminders_still_waiting_when_the_event_starts_are_dropped(
    session: Session, event: Event
) -> None:
    owe_due_reminders(event.starts_at - 2 * H)
    dropped, _ = owe_due_reminders(event.starts_at + M)
    assert dropped == 29
    pending = session.exec(select(Message).where(col(Message.status) == MessageStatus.QUEUED)).all()
    assert pending == []


def test_the_undecided_who_answer_after_the_nudge_get_the_next_reminder(
    session: Session, event: Event
) -> None:
    owe_due_reminders(event.starts_at - 3 * D)
    nudged = session.exec(select(Message.participant_id).where(Message.purpose == "nudge")).all()
    for participant in session.exec(select(Participant).where(col(Participant.id).in_(nudged[:3]))):
        participant.rsvp = RsvpStatus.DECLINED
        session.add(participant)
    session.commit()
    _, rounds = owe_due_reminders(event.starts_at - D)
    assert [(r.purpose, r.recipients) for r in rounds] == [("reminder:1d", 26)]
