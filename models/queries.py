"""Read-side queries shared by the CLI, the web app and the flows."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from sqlmodel import Session, col, select

from models.audit import AuditEntry
from models.errors import N_, NotFound
from models.event import AgendaSession, BreakoutGroup, Event, Room, Venue
from models.organisations import Organisation
from models.people import Participant, Person
from models.precedence import DEFAULT, Precedence

PLENARY = "Pleno"  # label of sessions and people not in a breakout group


def get_event(session: Session, ref: str | int) -> Event:
    """An event by numeric id or by code, or NotFound naming what was asked for."""
    text = str(ref).strip()
    # Ids are 32-bit integers; a longer number can only be a code.
    event = session.get(Event, int(text)) if text.isdigit() and len(text) < 10 else None
    event = event or session.exec(select(Event).where(Event.code == text)).first()
    if event is None:
        raise NotFound(
            N_("No event with id or code {ref!r}. `acara event list` shows them."), ref=text
        )
    return event


def organisation_name(session: Session, org_id: int | None) -> str:
    """The organisation's name, or an empty string."""
    org = session.get(Organisation, org_id) if org_id else None
    return org.name if org else ""


@dataclass(frozen=True, slots=True)
class AgendaLine:
    """An agenda item with its place and group resolved to names."""

    session: AgendaSession
    day: date
    group: str
    venue: str
    room: str

    @property
    def place(self) -> str:
        """Room and venue as one line: 'Ruang Blandongan, Balai Kota Tangsel'."""
        return ", ".join(part for part in (self.room, self.venue) if part)


def agenda(session: Session, event: Event, group_id: int | None = None) -> list[AgendaLine]:
    """The event's agenda in time order; with group_id, only plenary and that group's items."""
    query = (
        select(AgendaSession, BreakoutGroup, Venue, Room)
        .outerjoin(BreakoutGroup, col(BreakoutGroup.id) == AgendaSession.group_id)
        .outerjoin(Venue, col(Venue.id) == AgendaSession.venue_id)
        .outerjoin(Room, col(Room.id) == AgendaSession.room_id)
        .where(AgendaSession.event_id == event.id)
        .order_by(col(AgendaSession.starts_at), col(BreakoutGroup.name))
    )
    if group_id is not None:
        query = query.where(
            (col(AgendaSession.group_id) == group_id) | col(AgendaSession.group_id).is_(None)
        )
    return [
        AgendaLine(
            session=item,
            day=event.local(item.starts_at).date(),
            group=group.name if group else PLENARY,
            venue=venue.name if venue else "",
            room=room.name if room else "",
        )
        for item, group, venue, room in session.exec(query)
    ]


@dataclass(frozen=True, slots=True)
class ParticipantLine:
    """A participant with the person and group they belong to."""

    participant: Participant
    person: Person
    group: str


def participants(
    session: Session, event: Event, order: Precedence = DEFAULT
) -> list[ParticipantLine]:
    """Everyone in the event in protocol order (office, role, name; models.precedence)."""
    rows = session.exec(
        select(Participant, Person, BreakoutGroup)
        .join(Person, col(Person.id) == Participant.person_id)
        .outerjoin(BreakoutGroup, col(BreakoutGroup.id) == Participant.group_id)
        .where(Participant.event_id == event.id)
    ).all()
    lines = [ParticipantLine(p, person, g.name if g else PLENARY) for p, person, g in rows]
    return sorted(
        lines,
        key=lambda x: (
            order.key(x.person.position, x.participant.role, x.person.name),
            x.group,
        ),
    )


L = TypeVar("L", AgendaLine, ParticipantLine)


def by_group(lines: list[L]) -> dict[str, list[L]]:
    """Lines bucketed by group name, plenary first."""
    buckets: dict[str, list[L]] = defaultdict(list)
    for line in lines:
        buckets[line.group].append(line)
    return dict(sorted(buckets.items(), key=lambda kv: (kv[0] != PLENARY, kv[0])))


def history(session: Session, event: Event) -> list[AuditEntry]:
    """The event's audit trail, oldest first."""
    return list(
        session.exec(
            select(AuditEntry)
            .where(AuditEntry.event_id == event.id)
            .order_by(col(AuditEntry.at), col(AuditEntry.id))
        )
    )
