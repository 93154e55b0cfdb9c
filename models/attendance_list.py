"""The attendance list (Daftar Hadir): everyone in the event, per group, with what happened."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session, col, select

from models.event import Event
from models.people import Attendance, Participant, Person, Role
from models.precedence import DEFAULT, Precedence
from models.queries import by_group, participants


class ListedStatus(StrEnum):
    """Attendance as the list shows it; UNKNOWN when nothing was recorded."""

    PRESENT = "present"
    ABSENT = "absent"
    EXCUSED = "excused"
    REPRESENTED = "represented"
    UNKNOWN = "unknown"


# Labels on the printed list (Indonesian, as the office files it) and in English.
STATUS_LABELS: dict[str, dict[ListedStatus, str]] = {
    "id": {
        ListedStatus.PRESENT: "Hadir",
        ListedStatus.ABSENT: "Tidak hadir",
        ListedStatus.EXCUSED: "Izin",
        ListedStatus.REPRESENTED: "Diwakilkan",
        ListedStatus.UNKNOWN: "Belum tercatat",
    },
    "en": {
        ListedStatus.PRESENT: "Present",
        ListedStatus.ABSENT: "Absent",
        ListedStatus.EXCUSED: "Excused",
        ListedStatus.REPRESENTED: "Represented",
        ListedStatus.UNKNOWN: "Unknown",
    },
}


@dataclass(frozen=True, slots=True)
class AttendanceLine:
    """One row of the list."""

    number: int  # "No." counts from 1 in each group
    participant_id: int
    group: str
    name: str  # with titles: "Drs. H. Muhamad, M.Si."
    position: str
    organisation: str
    email: str  # "" for someone reached by letter or chat
    phone: str  # E.164, or ""
    address: str  # postal address, or ""
    role: Role
    status: ListedStatus
    checked_in_at: datetime | None  # UTC; shown in the event's zone
    represents: str | None  # the name this stand-in came for

    def label(self, language: str = "id") -> str:
        """The status as printed."""
        return STATUS_LABELS.get(language, STATUS_LABELS["id"])[self.status]


def attendance_list(
    session: Session, event: Event, order: Precedence = DEFAULT
) -> dict[str, list[AttendanceLine]]:
    """The Daftar Hadir of an event: lines per group (plenary first) in protocol order,
    numbered per group."""
    lines = participants(session, event, order)
    marks = {
        a.participant_id: a
        for a in session.exec(
            select(Attendance)
            .join(Participant, col(Participant.id) == Attendance.participant_id)
            .where(Participant.event_id == event.id)
        )
    }
    names = {line.participant.id: line.person for line in lines}
    out: dict[str, list[AttendanceLine]] = {}
    for group, members in by_group(lines).items():
        out[group] = [
            _line(i, member.participant, member.person, group, marks, names)
            for i, member in enumerate(members, start=1)
        ]
    return out


def _line(
    number: int,
    participant: Participant,
    person: Person,
    group: str,
    marks: dict[int, Attendance],
    names: dict[int | None, Person],
) -> AttendanceLine:
    mark = marks.get(participant.id or 0)
    principal = names.get(participant.represents_id) if participant.represents_id else None
    assert participant.id is not None
    return AttendanceLine(
        number=number,
        participant_id=participant.id,
        group=group,
        name=person.full_name.with_titles,
        position=person.position,
        organisation=person.organisation,
        email=person.email or "",
        phone=person.phone,
        address=person.address,
        role=participant.role,
        status=ListedStatus(mark.status.value) if mark else ListedStatus.UNKNOWN,
        checked_in_at=mark.checked_in_at if mark else None,
        represents=principal.full_name.with_titles if principal else None,
    )


def status_counts(groups: dict[str, list[AttendanceLine]]) -> Counter[ListedStatus]:
    """How many of each status across all groups."""
    return Counter(line.status for lines in groups.values() for line in lines)
