"""The attendance stage: check-in at the desk (QR or typed code), bulk marks, the Daftar Hadir."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, col, select

from acara.db import unit_of_work
from acara.documents.attendance import write_attendance
from acara.precedence import precedence
from acara.stages.unit import change
from models.attendance_list import AttendanceLine, ListedStatus, attendance_list
from models.checkin import (
    CheckedIn,
    Marked,
    attendance_by_participant,
    check_in,
    ensure_same_event,
    mark,
    recent_check_ins,
)
from models.clock import Moment, moment, utcnow
from models.errors import N_, InvalidInput, Problem, invalid
from models.event import BreakoutGroup, Event
from models.people import Attendance, AttendanceStatus, Participant, Person
from models.queries import ParticipantLine, get_event, participants
from models.roster import reference
from models.rsvp import load_invitation


@dataclass(frozen=True, slots=True)
class Recorded:
    """Attendance recorded from a paper list: for which event, how many, as what."""

    event: Event
    participants: int
    status: AttendanceStatus


def check_in_card(event_id: int, participant_id: int, *, actor: str) -> CheckedIn:
    """An officer confirms a scanned card: present once (a second scan says since when)."""
    with change() as (session, _):
        return check_in(
            session, event_id=event_id, participant_id=participant_id, actor=actor, method="qr"
        )


def check_in_at_desk(
    event: str | int, code_event_id: int, participant_id: int, *, actor: str, scanned: bool
) -> CheckedIn:
    """A code scanned or typed at an event's desk; a code of another event is refused."""
    with change() as (session, _):
        target = get_event(session, event)
        ensure_same_event(session, target, code_event_id)
        assert target.id is not None
        return check_in(
            session,
            event_id=target.id,
            participant_id=participant_id,
            actor=actor,
            method="qr" if scanned else "manual",
        )


def mark_many(
    event: str | int, participant_ids: list[int], status: AttendanceStatus, *, actor: str
) -> tuple[Event, Marked]:
    """Mark every ticked participant with one status (the bulk form of the attendance page)."""
    with change() as (session, _):
        target = get_event(session, event)
        assert target.id is not None
        marked = mark(
            session, event_id=target.id, participant_ids=participant_ids, status=status, actor=actor
        )
    return target, marked


def record_from_list(
    event: str | int,
    emails: list[str],
    status: str,
    *,
    rest: bool,
    actor: str,
    at: Moment = None,
    force: str | None = None,
) -> Recorded:
    """Attendance from the desk's paper list, by e-mail or phone number; `rest`: everyone not
    yet recorded."""
    try:
        chosen = AttendanceStatus(status.strip().lower())
    except ValueError:
        raise invalid(
            "--status",
            N_("{status!r}: use present, absent, excused or represented"),
            status=status,
        ) from None
    if not emails and not rest:
        raise invalid("emails", N_("name at least one e-mail address, or use --rest"))
    with change() as (session, _):
        target = get_event(session, event)
        assert target.id is not None
        when = moment(at, target.timezone, "--at")
        everyone = [line for lines in attendance_list(session, target).values() for line in lines]
        known = {key: line for line in everyone for key in (line.email, line.phone) if key}
        wanted = [reference(e) for e in emails]
        unknown = [e for e in wanted if e not in known]
        if unknown:
            raise InvalidInput(
                [Problem(e, N_("not a participant of this event")) for e in unknown],
                heading=N_("Nothing recorded"),
            )
        ids = [known[e].participant_id for e in wanted]
        if rest:
            ids += [
                line.participant_id
                for line in everyone
                if line.status is ListedStatus.UNKNOWN and line.participant_id not in ids
            ]
        if chosen is AttendanceStatus.PRESENT:
            for participant_id in ids:
                check_in(
                    session,
                    event_id=target.id,
                    participant_id=participant_id,
                    actor=actor,
                    method="manual",
                    now=when,
                    force=force,
                )
        elif ids:
            mark(
                session,
                event_id=target.id,
                participant_ids=ids,
                status=chosen,
                actor=actor,
                now=when,
                force=force,
            )
    return Recorded(target, len(ids), chosen)


def attendance_of(event: str | int) -> tuple[Event, dict[str, list[AttendanceLine]]]:
    """The attendance list per group: name with titles, position, status, check-in time."""
    with unit_of_work() as session:
        target = get_event(session, event)
        return target, attendance_list(session, target, precedence())


def write_list(event: str | int, fmt: str, output: Path | None = None) -> Path:
    """Write the Daftar Hadir as CSV or PDF (default under the event's documents)."""
    with unit_of_work() as session:
        return write_attendance(
            session, get_event(session, event), fmt, now=utcnow(), output=output
        )


# --- what the card, the desk and the attendance page show -----------------------------------
# Plain data: rows loaded in full and detached, the session closed.


@dataclass(frozen=True, slots=True)
class Card:
    """A participant's check-in card: who, in which group, and their attendance if any."""

    event: Event
    participant: Participant
    person: Person
    group: str  # breakout group name, "" for plenary only
    attendance: Attendance | None


@dataclass(frozen=True, slots=True)
class Scanned:
    """Who a check-in was for, as the desk shows it after a scan."""

    participant: Participant
    name: str  # with titles
    group: str
    principal: str | None  # the name of whom they stand in for, if that participant exists


@dataclass(frozen=True, slots=True)
class DeskLine:
    """One of the latest check-ins at the desk."""

    attendance: Attendance
    name: str
    group: str


@dataclass(frozen=True, slots=True)
class Desk:
    """The registration desk: the latest check-ins and how many are present of how many."""

    event: Event
    recent: list[DeskLine]
    present: int
    total: int


@dataclass(frozen=True, slots=True)
class Roll:
    """Everyone of an event with their answer and attendance (the attendance page)."""

    event: Event
    participants: list[ParticipantLine]
    marks: dict[int, Attendance]  # by participant id
    names: dict[int, str]  # participant id -> name with titles (for "represents")


def _group_name(session: Session, group_id: int | None) -> str:
    group = session.get(BreakoutGroup, group_id) if group_id else None
    return group.name if group else ""


def _person(session: Session, participant: Participant) -> Person:
    person = session.get(Person, participant.person_id)
    assert person is not None
    return person


def card(event_id: int, participant_id: int) -> Card:
    """The card of a check-in code (NotInvited when the code names no invitation)."""
    with unit_of_work() as session:
        event = session.get(Event, event_id)
        participant = load_invitation(session, event_id, participant_id)
        assert event is not None
        return Card(
            event,
            participant,
            _person(session, participant),
            _group_name(session, participant.group_id),
            attendance_by_participant(session, event_id).get(participant.id or 0),
        )


def scanned(result: CheckedIn) -> Scanned:
    """Who a check-in just recorded was for."""
    with unit_of_work() as session:
        participant = session.get(Participant, result.participant_id)
        assert participant is not None
        principal = None
        if participant.represents_id is not None:
            row = session.get(Participant, participant.represents_id)
            principal = _person(session, row).full_name.with_titles if row else None
        return Scanned(
            participant,
            _person(session, participant).full_name.with_titles,
            _group_name(session, participant.group_id),
            principal,
        )


def desk(event: str | int) -> Desk:
    """The desk of an event: its latest check-ins, present and total counts."""
    with unit_of_work() as session:
        target = get_event(session, event)
        assert target.id is not None
        recent = []
        for attendance in recent_check_ins(session, target.id):
            participant = session.get(Participant, attendance.participant_id)
            assert participant is not None
            recent.append(
                DeskLine(
                    attendance,
                    _person(session, participant).full_name.with_titles,
                    _group_name(session, participant.group_id),
                )
            )
        marks = attendance_by_participant(session, target.id)
        present = sum(1 for a in marks.values() if a.status == AttendanceStatus.PRESENT)
        total = len(
            session.exec(select(Participant.id).where(Participant.event_id == target.id)).all()
        )
        return Desk(target, recent, present, total)


def roll(event: str | int) -> Roll:
    """Everyone of the event with answer and attendance, for the attendance page."""
    with unit_of_work() as session:
        target = get_event(session, event)
        assert target.id is not None
        names = {
            p.id: person.full_name.with_titles
            for p, person in session.exec(
                select(Participant, Person)
                .join(Person, col(Person.id) == Participant.person_id)
                .where(Participant.event_id == target.id)
            )
            if p.id is not None
        }
        return Roll(
            target,
            participants(session, target, precedence()),
            attendance_by_participant(session, target.id),
            names,
        )
