"""RSVP and check-in rules on SQLite and PostgreSQL: seats, waiting list, stand-ins, presence."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, col, func, select

from acara.db import engine_for
from models.audit import AuditEntry, DomainEvent
from models.checkin import CheckInClosed, check_in, mark, tally
from models.errors import InvalidInput
from models.event import Event
from models.events import InvitationAnswered
from models.lifecycle import Action, apply
from models.outbox import Message
from models.people import Attendance, AttendanceStatus, Participant, Person, RsvpStatus
from models.rsvp import (
    AlreadyRepresented,
    Answer,
    AnswersClosed,
    NotInvited,
    Responded,
    StandInCannotDelegate,
    representative_spec,
    respond,
)
from tests.web_helpers import participant, participants_in_order, seed_event

T0 = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


def answer(
    session: Session, person: Participant, what: Answer, minutes: int = 0, **kw: object
) -> Responded:
    outcome = respond(
        session,
        event_id=person.event_id,
        participant_id=person.id,
        answer=what,
        actor=f"participant:{person.id}",
        now=T0 + timedelta(minutes=minutes),
        **kw,
    )
    session.commit()
    return outcome


def status_of(session: Session, person: Participant) -> RsvpStatus:
    session.refresh(person)
    return person.rsvp


def test_acceptances_beyond_capacity_go_to_the_waiting_list(session: Session) -> None:
    event = seed_event(session, "fgd-halifax.yaml", capacity=3)
    people = participants_in_order(session, event)[:5]
    results = [answer(session, p, Answer.ACCEPT, minutes=i).status for i, p in enumerate(people)]
    assert results == [RsvpStatus.ACCEPTED] * 3 + [RsvpStatus.WAITLISTED] * 2


def test_a_decline_gives_the_seat_to_the_first_on_the_waiting_list(session: Session) -> None:
    event = seed_event(session, "fgd-halifax.yaml", capacity=2)
    first, second, third, fourth = participants_in_order(session, event)[:4]
    for i, person in enumerate((first, second, third, fourth)):
        answer(session, person, Answer.ACCEPT, minutes=i)
    outcome = answer(session, second, Answer.DECLINE, minutes=10)
    assert outcome.promoted_ids == (third.id,)
    assert status_of(session, third) == RsvpStatus.ACCEPTED
    assert status_of(session, fourth) == RsvpStatus.WAITLISTED
    promoted = session.exec(select(AuditEntry).where(AuditEntry.action == "rsvp.promoted")).one()
    assert promoted.detail["participant_id"] == third.id


def test_declining_from_the_waiting_list_frees_no_seat(session: Session) -> None:
    event = seed_event(session, "fgd-halifax.yaml", capacity=1)
    first, second, third = participants_in_order(session, event)[:3]
    for i, person in enumerate((first, second, third)):
        answer(session, person, Answer.ACCEPT, minutes=i)
    assert answer(session, second, Answer.DECLINE).promoted_ids == ()
    assert status_of(session, third) == RsvpStatus.WAITLISTED


def test_every_answer_records_an_audit_row_and_the_responded_fact(session: Session) -> None:
    event = seed_event(session, "fgd-halifax.yaml")
    guest = participant(session, event, "mark.gilbert@dal.ca")
    answer(session, guest, Answer.ACCEPT)
    answer(session, guest, Answer.DECLINE, minutes=5)
    answered = select(DomainEvent).where(DomainEvent.name == InvitationAnswered.name)
    facts = session.exec(answered).all()
    assert [f.payload["rsvp"] for f in facts] == ["accepted", "declined"]
    assert all(f.payload["participant_id"] == guest.id and f.event_id == event.id for f in facts)
    actions = session.exec(
        select(AuditEntry.action).where(col(AuditEntry.action).startswith("rsvp."))
    ).all()
    assert actions == ["rsvp.accept", "rsvp.decline"]


def test_the_same_answer_twice_changes_nothing_and_records_nothing(session: Session) -> None:
    event = seed_event(session, "fgd-halifax.yaml")
    guest = participant(session, event, "mark.gilbert@dal.ca")
    answer(session, guest, Answer.ACCEPT)
    again = answer(session, guest, Answer.ACCEPT, minutes=3)
    assert not again.changed
    count = (
        select(func.count())
        .select_from(DomainEvent)
        .where(DomainEvent.name == InvitationAnswered.name)
    )
    assert session.exec(count).one() == 1


def test_a_representative_becomes_a_participant_with_an_invitation_of_their_own(
    session: Session,
) -> None:
    event = seed_event(session, "kunjungan-camat-jambi.yaml")
    camat = participant(session, event, "camat.kumpeh@jambiprov.go.id")
    answer(session, camat, Answer.ACCEPT)
    stand_in = representative_spec(
        name="Sdr. Rahmat Hidayat, S.STP.",
        email="Sekcam.Kumpeh@jambiprov.go.id",
        position="Sekretaris Kecamatan Kumpeh",
    )
    outcome = answer(session, camat, Answer.REPRESENT, minutes=30, representative=stand_in)
    assert status_of(session, camat) == RsvpStatus.REPRESENTED
    rep = session.get(Participant, outcome.representative_id)
    person = session.get(Person, rep.person_id)
    assert rep.represents_id == camat.id and rep.group_id == camat.group_id
    assert rep.rsvp == RsvpStatus.ACCEPTED  # takes over the seat the camat had
    assert person.email == "sekcam.kumpeh@jambiprov.go.id" and person.name == "Rahmat Hidayat"
    assert person.title_suffix == "S.STP." and person.organisation == "Pemerintah Provinsi Jambi"
    message = session.exec(select(Message).where(Message.participant_id == rep.id)).one()
    assert (message.purpose, message.recipient, message.sequence) == (
        "representative",
        "sekcam.kumpeh@jambiprov.go.id",
        event.sequence,
    )
    assert outcome.owed_purposes == ("representative",)


def test_a_representative_must_be_someone_new_to_the_event(session: Session) -> None:
    event = seed_event(session, "kunjungan-camat-jambi.yaml")
    camat = participant(session, event, "camat.kumpeh@jambiprov.go.id")
    for email in ("camat.kumpeh@jambiprov.go.id", "camat.sekernan@jambiprov.go.id"):
        spec = representative_spec(name="Budi", email=email, position="Sekcam")
        with pytest.raises(InvalidInput) as caught:
            answer(session, camat, Answer.REPRESENT, representative=spec)
        session.rollback()
        assert caught.value.problems[0].where == "email"
    with pytest.raises(InvalidInput) as caught:
        representative_spec(name="", email="not-an-address", position=" ")
    assert {p.where for p in caught.value.problems} == {"name", "email", "position"}
    assert status_of(session, camat) == RsvpStatus.PENDING


def test_after_naming_a_representative_the_link_cannot_change_the_answer(
    session: Session,
) -> None:
    event = seed_event(session, "kunjungan-camat-jambi.yaml")
    camat = participant(session, event, "camat.kumpeh@jambiprov.go.id")
    spec = representative_spec(name="Rahmat", email="sekcam@jambiprov.go.id", position="Sekcam")
    outcome = answer(session, camat, Answer.REPRESENT, representative=spec)
    with pytest.raises(AlreadyRepresented):
        answer(session, camat, Answer.ACCEPT)
    session.rollback()
    rep = session.get(Participant, outcome.representative_id)
    other = representative_spec(name="Andi", email="andi@jambiprov.go.id", position="Staf")
    with pytest.raises(StandInCannotDelegate):
        answer(session, rep, Answer.REPRESENT, representative=other)


def test_answers_close_once_the_event_was_held(session: Session) -> None:
    event = seed_event(session, "fgd-halifax.yaml")
    apply(session, event, Action.HOLD, actor="test", now=event.ends_at)
    session.commit()
    with pytest.raises(AnswersClosed):
        answer(session, participant(session, event, "mark.gilbert@dal.ca"), Answer.ACCEPT)


def test_an_invitation_of_one_event_cannot_answer_for_another(session: Session) -> None:
    fgd = seed_event(session, "fgd-halifax.yaml")
    jambi = seed_event(session, "kunjungan-camat-jambi.yaml")
    guest = participant(session, fgd, "mark.gilbert@dal.ca")
    with pytest.raises(NotInvited):
        respond(
            session,
            event_id=jambi.id,
            participant_id=guest.id,
            answer=Answer.ACCEPT,
            actor="participant",
        )


def test_two_answers_for_the_last_seat_at_once_give_it_to_only_one(
    session: Session, db_url: str
) -> None:
    event = seed_event(session, "fgd-halifax.yaml", capacity=1)
    people = participants_in_order(session, event)[:2]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def accept(person_id: int) -> None:
        try:
            with Session(engine_for(db_url)) as own:
                barrier.wait()
                respond(
                    own,
                    event_id=event.id,
                    participant_id=person_id,
                    answer=Answer.ACCEPT,
                    actor="participant",
                )
                own.commit()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=accept, args=(p.id,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    statuses = sorted(status_of(session, p).value for p in people)
    assert statuses == ["accepted", "waitlisted"]


def test_a_second_scan_says_when_the_participant_checked_in_first(session: Session) -> None:
    event = seed_event(session, "kunjungan-camat-jambi.yaml")
    camat = participant(session, event, "camat.mestong@jambiprov.go.id")
    morning = datetime(2026, 12, 8, 1, 47, tzinfo=UTC)  # 08.47 WIB
    first = check_in(
        session, event_id=event.id, participant_id=camat.id, actor="officer:Rina", now=morning
    )
    session.commit()
    second = check_in(
        session,
        event_id=event.id,
        participant_id=camat.id,
        actor="officer:Rina",
        now=morning + timedelta(minutes=20),
    )
    session.commit()
    assert first.first_time and not second.first_time
    assert second.at == morning
    rows = session.exec(select(Attendance).where(Attendance.participant_id == camat.id)).all()
    assert len(rows) == 1 and rows[0].status == AttendanceStatus.PRESENT
    audits = (
        select(func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.action == "attendance.checked_in")
    )
    assert session.exec(audits).one() == 1


def test_a_stand_in_checking_in_marks_the_person_they_replace_as_represented(
    session: Session,
) -> None:
    event = seed_event(session, "kunjungan-camat-jambi.yaml")
    camat = participant(session, event, "camat.kumpeh@jambiprov.go.id")
    spec = representative_spec(name="Rahmat", email="sekcam@jambiprov.go.id", position="Sekcam")
    rep_id = answer(session, camat, Answer.REPRESENT, representative=spec).representative_id
    check_in(
        session,
        event_id=event.id,
        participant_id=rep_id,
        actor="officer:Rina",
        now=event.starts_at,
    )
    session.commit()
    principal = session.exec(select(Attendance).where(Attendance.participant_id == camat.id)).one()
    assert principal.status == AttendanceStatus.REPRESENTED


def test_nobody_checks_in_to_a_draft_event(session: Session) -> None:
    event = seed_event(session, "fgd-halifax.yaml", announce=False)
    guest = participant(session, event, "mark.gilbert@dal.ca")
    with pytest.raises(CheckInClosed):
        check_in(session, event_id=event.id, participant_id=guest.id, actor="officer:Rina")


def test_officers_mark_many_participants_at_once_and_counts_follow_per_group(
    session: Session,
) -> None:
    event = seed_event(session, "kunjungan-camat-jambi.yaml")
    people = participants_in_order(session, event)
    absent = [p.id for p in people[4:7]]
    result = mark(
        session,
        event_id=event.id,
        participant_ids=absent,
        status=AttendanceStatus.ABSENT,
        actor="officer:Rina",
        now=event.starts_at,
    )
    session.commit()
    assert result.changed == tuple(sorted(absent))
    again = mark(
        session,
        event_id=event.id,
        participant_ids=absent,
        status=AttendanceStatus.ABSENT,
        actor="officer:Rina",
        now=event.starts_at,
    )
    assert again.changed == () and len(again.unchanged) == 3
    check_in(
        session,
        event_id=event.id,
        participant_id=people[4].id,
        actor="officer:Rina",
        now=event.starts_at,
    )
    session.commit()
    groups, overall = tally(session, event)
    assert overall.total == 34
    assert overall.attendance["absent"] == 2 and overall.attendance["present"] == 1
    assert sum(g.total for g in groups) == 34
    assert groups[0].group == "Pleno"


def test_bulk_marking_refuses_people_from_another_event(session: Session) -> None:
    fgd = seed_event(session, "fgd-halifax.yaml")
    jambi = seed_event(session, "kunjungan-camat-jambi.yaml")
    stranger = participant(session, fgd, "mark.gilbert@dal.ca")
    with pytest.raises(InvalidInput) as caught:
        mark(
            session,
            event_id=jambi.id,
            participant_ids=[stranger.id],
            status=AttendanceStatus.EXCUSED,
            actor="officer:Rina",
            now=jambi.starts_at,
        )
    assert "not in this event" in str(caught.value)
    with pytest.raises(InvalidInput):
        mark(
            session,
            event_id=jambi.id,
            participant_ids=[],
            status=AttendanceStatus.EXCUSED,
            actor="officer:Rina",
            now=jambi.starts_at,
        )


def test_the_event_row_is_unchanged_by_the_seat_lock(session: Session) -> None:
    event = seed_event(session, "fgd-halifax.yaml", capacity=5)
    before = (event.sequence, event.updated_at)
    answer(session, participant(session, event, "mark.gilbert@dal.ca"), Answer.ACCEPT)
    after = session.get(Event, event.id, populate_existing=True)
    assert (after.sequence, after.updated_at) == before
