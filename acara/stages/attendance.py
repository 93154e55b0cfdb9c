"""The attendance stage: check-in at the desk (QR or typed code), bulk marks, the Daftar Hadir."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from acara.db import unit_of_work
from acara.documents.attendance import write_attendance
from acara.stages.unit import change
from models.attendance_list import AttendanceLine, ListedStatus, attendance_list
from models.checkin import CheckedIn, Marked, check_in, ensure_same_event, mark
from models.clock import Moment, moment, utcnow
from models.errors import N_, InvalidInput, Problem, invalid
from models.event import Event
from models.people import AttendanceStatus
from models.queries import get_event


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
    """Attendance from the desk's paper list, by e-mail; `rest`: everyone not yet recorded."""
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
        lines = {
            line.email: line
            for lines in attendance_list(session, target).values()
            for line in lines
        }
        wanted = [e.strip().lower() for e in emails]
        unknown = [e for e in wanted if e not in lines]
        if unknown:
            raise InvalidInput(
                [Problem(e, N_("not a participant of this event")) for e in unknown],
                heading=N_("Nothing recorded"),
            )
        ids = [lines[e].participant_id for e in wanted]
        if rest:
            ids += [
                line.participant_id
                for line in lines.values()
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
        return target, attendance_list(session, target)


def write_list(event: str | int, fmt: str, output: Path | None = None) -> Path:
    """Write the Daftar Hadir as CSV or PDF (default under the event's documents)."""
    with unit_of_work() as session:
        return write_attendance(
            session, get_event(session, event), fmt, now=utcnow(), output=output
        )
