"""Attendance on the day: check-in at the registration desk and officers' bulk marking."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from models.audit import record
from models.clock import utcnow
from models.errors import N_, InvalidInput, Problem
from models.event import Event, EventStatus
from models.people import Attendance, AttendanceStatus, Participant
from models.queries import PLENARY, by_group, participants
from models.rsvp import ParticipantError, load_invitation, lock_event
from models.timing import CHECKIN_TOO_EARLY, OPENS_BEFORE_START, ensure_begun

# The desk is open once invitations are out and stays open for corrections after the day.
OPEN_FOR_CHECKIN = frozenset({EventStatus.ANNOUNCED, EventStatus.ONGOING, EventStatus.HELD})
UNKNOWN = "unknown"  # attendance not recorded yet


class CheckInClosed(ParticipantError):
    """The event is a draft, cancelled, reported or closed: nobody can be checked in."""

    code = "checkin-closed"
    public = N_("Check-in is not open for this event.")
    http_status = 409


class WrongEvent(ParticipantError):
    """A code scanned at the desk of another event than the one it was issued for."""

    code = "wrong-event"
    public = N_("This code is for another event: {title}.")
    http_status = 409


def ensure_same_event(session: Session, desk_event: Event, code_event_id: int) -> None:
    """Refuse a code from another event, naming that event so the officer can redirect."""
    if code_event_id == desk_event.id:
        return
    other = session.get(Event, code_event_id)
    title = other.display_title if other else f"#{code_event_id}"
    raise WrongEvent(N_("This code belongs to another event: {title}."), title=title)


@dataclass(frozen=True, slots=True)
class CheckedIn:
    """The result of a scan: when the participant was marked present, and whether just now."""

    participant_id: int
    event_id: int
    at: datetime
    first_time: bool


@dataclass(frozen=True, slots=True)
class Marked:
    """The result of a bulk marking: who changed and who already had that status."""

    status: AttendanceStatus
    changed: tuple[int, ...] = ()
    unchanged: tuple[int, ...] = ()


def _open_event(session: Session, event_id: int, now: datetime, force: str | None) -> Event:
    event = lock_event(session, event_id)
    if event.status not in OPEN_FOR_CHECKIN:
        raise CheckInClosed(
            N_("Event {event!r} is {status}: check-in is not open."),
            event=event.code,
            status=event.status.value,
        )
    ensure_begun(event, CHECKIN_TOO_EARLY, now, opens_before=OPENS_BEFORE_START, force=force)
    return event


def _attendance(session: Session, participant_id: int) -> Attendance | None:
    return session.exec(
        select(Attendance).where(Attendance.participant_id == participant_id)
    ).first()


def check_in(
    session: Session,
    *,
    event_id: int,
    participant_id: int,
    actor: str,
    method: str = "qr",
    now: datetime | None = None,
    force: str | None = None,
) -> CheckedIn:
    """Mark a participant present once; a second scan returns the first check-in time."""
    now = now or utcnow()
    _open_event(session, event_id, now, force)
    participant = load_invitation(session, event_id, participant_id)
    attendance = _attendance(session, participant_id)
    if attendance and attendance.status == AttendanceStatus.PRESENT and attendance.checked_in_at:
        return CheckedIn(participant_id, event_id, attendance.checked_in_at, first_time=False)
    previous = attendance.status.value if attendance else None
    attendance = attendance or Attendance(
        participant_id=participant_id, status=AttendanceStatus.PRESENT
    )
    attendance.status = AttendanceStatus.PRESENT
    attendance.checked_in_at = now
    attendance.method = method
    attendance.recorded_by = actor
    session.add(attendance)
    record(
        session,
        actor=actor,
        action="attendance.checked_in",
        event_id=event_id,
        detail={"participant_id": participant_id, "method": method, "previous": previous},
    )
    if participant.represents_id is not None:
        _mark_principal_represented(session, event_id, participant.represents_id, actor, now)
    session.flush()
    return CheckedIn(participant_id, event_id, now, first_time=True)


def _mark_principal_represented(
    session: Session, event_id: int, principal_id: int, actor: str, now: datetime
) -> None:
    # The stand-in is here, so the person they replace counts as represented, not absent.
    attendance = _attendance(session, principal_id)
    if attendance and attendance.status == AttendanceStatus.PRESENT:
        return
    attendance = attendance or Attendance(
        participant_id=principal_id, status=AttendanceStatus.REPRESENTED
    )
    attendance.status = AttendanceStatus.REPRESENTED
    attendance.method = "stand-in"
    attendance.recorded_by = actor
    session.add(attendance)
    record(
        session,
        actor=actor,
        action="attendance.represented",
        event_id=event_id,
        detail={"participant_id": principal_id, "at": now.isoformat()},
    )


def mark(
    session: Session,
    *,
    event_id: int,
    participant_ids: Iterable[int],
    status: AttendanceStatus,
    actor: str,
    now: datetime | None = None,
    force: str | None = None,
) -> Marked:
    """Set one attendance status for many participants (absent, excused, represented, present)."""
    now = now or utcnow()
    ids = sorted(set(participant_ids))
    if not ids:
        raise InvalidInput([Problem("participants", N_("tick at least one participant"))])
    _open_event(session, event_id, now, force)
    found = {
        p.id: p
        for p in session.exec(
            select(Participant).where(
                col(Participant.id).in_(ids), Participant.event_id == event_id
            )
        )
    }
    strangers = [i for i in ids if i not in found]
    if strangers:
        raise InvalidInput(
            [
                Problem("participants", N_("participant {id} is not in this event"), {"id": i})
                for i in strangers
            ]
        )
    changed, unchanged = [], []
    for participant_id in ids:
        attendance = _attendance(session, participant_id)
        if attendance is not None and attendance.status == status:
            unchanged.append(participant_id)
            continue
        previous = attendance.status.value if attendance else None
        attendance = attendance or Attendance(participant_id=participant_id, status=status)
        attendance.status = status
        # Only presence has a check-in time; an absent mark clears a mistaken scan's time.
        if status == AttendanceStatus.PRESENT:
            attendance.checked_in_at = attendance.checked_in_at or now
        else:
            attendance.checked_in_at = None
        attendance.method = "bulk"
        attendance.recorded_by = actor
        session.add(attendance)
        record(
            session,
            actor=actor,
            action=f"attendance.{status.value}",
            event_id=event_id,
            detail={"participant_id": participant_id, "previous": previous, "bulk": True},
        )
        changed.append(participant_id)
    session.flush()
    return Marked(status, tuple(changed), tuple(unchanged))


def attendance_by_participant(session: Session, event_id: int) -> dict[int, Attendance]:
    """Every attendance row of the event, by participant id."""
    rows = session.exec(
        select(Attendance)
        .join(Participant, col(Participant.id) == Attendance.participant_id)
        .where(Participant.event_id == event_id)
    )
    return {a.participant_id: a for a in rows}


def recent_check_ins(session: Session, event_id: int, limit: int = 10) -> list[Attendance]:
    """The latest check-ins at the desk, newest first."""
    return list(
        session.exec(
            select(Attendance)
            .join(Participant, col(Participant.id) == Attendance.participant_id)
            .where(
                Participant.event_id == event_id,
                Attendance.status == AttendanceStatus.PRESENT,
                col(Attendance.checked_in_at).is_not(None),
            )
            .order_by(col(Attendance.checked_in_at).desc(), col(Attendance.id).desc())
            .limit(limit)
        )
    )


@dataclass(slots=True)
class GroupTally:
    """RSVP and attendance counts of one group (or of the whole event)."""

    group: str
    rsvp: Counter[str] = field(default_factory=Counter)
    attendance: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        """Participants counted."""
        return sum(self.rsvp.values())


def tally(session: Session, event: Event) -> tuple[list[GroupTally], GroupTally]:
    """Counts per group (plenary first) and for the whole event."""
    lines = participants(session, event)
    present = attendance_by_participant(session, event.id)
    groups: list[GroupTally] = []
    overall = GroupTally(group="")
    for name, members in by_group(lines).items():
        bucket = GroupTally(group=name or PLENARY)
        for line in members:
            pid = line.participant.id
            rsvp = line.participant.rsvp.value
            status = present[pid].status.value if pid in present else UNKNOWN
            for target in (bucket, overall):
                target.rsvp[rsvp] += 1
                target.attendance[status] += 1
        groups.append(bucket)
    return groups, overall
