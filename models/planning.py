"""Creating or updating an event from its plan, with the agenda rules checked."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import Field, ValidationError
from sqlmodel import Session, col, delete, func, select

from models.audit import record
from models.clock import resolve_timezone, utcnow
from models.errors import N_, InvalidInput, Problem
from models.event import AgendaSession, BreakoutGroup, Event, EventStatus, Room, Venue
from models.lifecycle import Action, apply
from models.organisations import Organisation, host_of
from models.plan import (
    EventSpec,
    OptionalText,
    SessionSpec,
    Spec,
    Text,
    problems_from,
    translations,
)
from models.reminders import parse_offsets
from models.rooms import check_room_conflicts
from models.roster import RosterReport, Row, add_participants


@dataclass(slots=True)
class ImportResult:
    """What importing an event file did."""

    event_id: int
    created: bool
    rescheduled: bool
    roster: RosterReport


def _local(day: date, clock: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, clock, tzinfo=zone)


def _aware(value: datetime, zone: ZoneInfo) -> datetime:
    return value.replace(tzinfo=zone) if value.tzinfo is None else value


def _get_or_create_org(session: Session, name: str | None) -> int | None:
    if not name:
        return None
    org = session.exec(select(Organisation).where(Organisation.name == name)).first()
    if org is None:
        org = Organisation(name=name)
        session.add(org)
        session.flush()
    return org.id


def same_volume(
    session: Session, code: str, series: str | None, number: str | None
) -> list[Problem]:
    """A problem when another event already is this volume of the series (case aside)."""
    if not series or not number:
        return []
    other = session.exec(
        select(Event.code).where(
            func.lower(Event.series) == series.lower(),
            func.lower(Event.number) == number.lower(),
            Event.code != code,
        )
    ).first()
    if other is None:
        return []
    return [
        Problem(
            "number",
            N_("{series} Volume-{number} already exists: event {other!r}"),
            {"series": series, "number": number, "other": other},
        )
    ]


def volumes(session: Session, event: Event) -> list[Event]:
    """Every event of the event's series (itself included), in the order they happen."""
    if not event.series:
        return []
    return list(
        session.exec(
            select(Event)
            .where(func.lower(Event.series) == event.series.lower())
            .order_by(col(Event.starts_at))
        )
    )


def _upsert_venues(session: Session, spec: EventSpec) -> None:
    for venue_spec in spec.venues:
        venue = session.exec(select(Venue).where(Venue.name == venue_spec.name)).first()
        if venue is None:
            venue = Venue(name=venue_spec.name)
        venue.address = venue_spec.address or venue.address
        session.add(venue)
        session.flush()
        for room_spec in venue_spec.rooms:
            room = session.exec(
                select(Room).where(Room.venue_id == venue.id, Room.name == room_spec.name)
            ).first()
            room = room or Room(venue_id=venue.id, name=room_spec.name)
            # Rooms are shared by every event's file: one that omits the capacity keeps it.
            room.capacity = room_spec.capacity or room.capacity
            session.add(room)
    session.flush()


class _Places:
    """Looks up venues and rooms by name, for the agenda rules."""

    def __init__(self, session: Session, spec: EventSpec) -> None:
        self.session = session
        self.declared = [v.name for v in spec.venues]

    def venue(self, name: str) -> Venue | None:
        return self.session.exec(select(Venue).where(Venue.name == name)).first()

    def room(self, venue: Venue, name: str) -> Room | None:
        return self.session.exec(
            select(Room).where(Room.venue_id == venue.id, Room.name == name)
        ).first()


def _resolve_session(
    where: str,
    item: SessionSpec,
    places: _Places,
    groups: dict[str, BreakoutGroup],
    problems: list[Problem],
) -> tuple[int | None, int | None, int | None]:
    """(venue_id, room_id, group_id) of an agenda item, or problems appended."""
    group = None
    if item.group:
        group = groups.get(item.group)
        if group is None:
            problems.append(
                Problem(f"{where}.group", N_("no group named {group!r}"), {"group": item.group})
            )
    venue_name = item.venue
    if venue_name is None and group is not None and group.venue_id is not None:
        venue_id: int | None = group.venue_id
    elif venue_name is None and len(places.declared) == 1:
        venue_name = places.declared[0]
        venue_id = None
    else:
        venue_id = None
    venue = None
    if venue_name is not None:
        venue = places.venue(venue_name)
        if venue is None:
            problems.append(
                Problem(f"{where}.venue", N_("no venue named {venue!r}"), {"venue": venue_name})
            )
            return None, None, group.id if group else None
        venue_id = venue.id
    if group is not None and group.venue_id is not None and venue_id != group.venue_id:
        problems.append(
            Problem(
                where,
                N_("group {group!r} meets at its own venue, not at {venue!r}"),
                {"group": group.name, "venue": venue_name},
            )
        )
    room_id = None
    if item.room:
        venue = venue or (places.session.get(Venue, venue_id) if venue_id else None)
        room = places.room(venue, item.room) if venue else None
        if room is None:
            problems.append(
                Problem(f"{where}.room", f"no room {item.room!r} at {venue_name or 'the venue'}")
            )
        else:
            room_id = room.id
    return venue_id, room_id, group.id if group else None


def _schedule_fingerprint(session: Session, event: Event) -> tuple[object, ...]:
    items = session.exec(select(AgendaSession).where(AgendaSession.event_id == event.id)).all()
    return (
        event.starts_at,
        event.ends_at,
        sorted((s.starts_at, s.ends_at, s.venue_id or 0, s.room_id or 0) for s in items),
    )


def import_event(
    session: Session, spec: EventSpec, rows: Sequence[Row], *, actor: str
) -> ImportResult:
    """Create the event in the plan, or bring the existing one with that code up to date."""
    problems: list[Problem] = []
    try:
        tz_name = resolve_timezone(spec.timezone)
    except InvalidInput as exc:
        raise InvalidInput(exc.problems, heading=N_("The event file is not valid")) from None
    zone = ZoneInfo(tz_name)
    starts_at, ends_at = _aware(spec.start, zone), _aware(spec.end, zone)
    if ends_at <= starts_at:
        problems.append(Problem("end", N_("the event must end after it starts")))
    try:
        parse_offsets(spec.reminders)
    except InvalidInput as exc:
        problems.extend(exc.problems)
    problems.extend(same_volume(session, spec.code, spec.series, spec.number))
    if problems:
        raise InvalidInput(problems, heading=N_("The event file is not valid"))
    host_id, signatory = host_of(session, spec.host, spec.signatory)

    event = session.exec(select(Event).where(Event.code == spec.code)).first()
    created = event is None
    if event is None:
        event = Event(
            code=spec.code,
            kind=spec.kind,
            title=spec.title.id,
            starts_at=starts_at,
            ends_at=ends_at,
            calendar_uid=f"{uuid.uuid4()}@acara",
        )
    else:
        _ensure_changeable(event)
    before = None if created else _schedule_fingerprint(session, event)
    event.kind, event.title = spec.kind, spec.title.id
    event.series, event.number = spec.series, spec.number
    event.timezone, event.starts_at, event.ends_at = tz_name, starts_at, ends_at
    event.host_id, event.signatory = host_id, signatory
    event.guest_id = _get_or_create_org(session, spec.guest)
    event.letter_number = spec.letter_number
    event.subject = spec.subject.id if spec.subject else None
    event.letter_nature, event.letter_enclosures = spec.sifat, spec.lampiran
    event.letter_copies = list(spec.tembusan)
    event.description, event.capacity = spec.description.id, spec.capacity
    event.translations = translations(
        title=spec.title, subject=spec.subject, description=spec.description
    )
    event.reminder_offsets = spec.reminders
    event.updated_at = utcnow()
    session.add(event)
    session.flush()

    _upsert_venues(session, spec)
    places = _Places(session, spec)
    groups = _upsert_groups(session, event, spec, places, problems)
    sessions = _build_agenda(event, spec, zone, places, groups, problems)
    if problems:
        raise InvalidInput(problems, heading=N_("The event file is not valid"))
    session.exec(delete(AgendaSession).where(col(AgendaSession.event_id) == event.id))
    session.add_all(sessions)
    session.flush()
    check_room_conflicts(session, event, sessions)

    roster = add_participants(session, event, rows)
    rescheduled = False
    if created:
        record(
            session, actor=actor, action="import", event_id=event.id, detail={"code": event.code}
        )
    elif before != _schedule_fingerprint(session, event):
        if event.status is not EventStatus.DRAFT:
            apply(session, event, Action.RESCHEDULE, actor=actor, detail={"via": "import"})
            rescheduled = True
        else:
            record(session, actor=actor, action="update", event_id=event.id)
    assert event.id is not None
    return ImportResult(event.id, created, rescheduled, roster)


def _ensure_changeable(event: Event) -> None:
    if event.status in (EventStatus.CANCELLED, EventStatus.CLOSED):
        raise InvalidInput(
            [
                Problem(
                    "code",
                    N_("event {event!r} is {status} and cannot change"),
                    {"event": event.code, "status": event.status.value},
                )
            ]
        )


def _upsert_groups(
    session: Session, event: Event, spec: EventSpec, places: _Places, problems: list[Problem]
) -> dict[str, BreakoutGroup]:
    groups: dict[str, BreakoutGroup] = {
        g.name: g
        for g in session.exec(select(BreakoutGroup).where(BreakoutGroup.event_id == event.id))
    }
    for i, group_spec in enumerate(spec.groups):
        venue = places.venue(group_spec.venue) if group_spec.venue else None
        if group_spec.venue and venue is None:
            problems.append(
                Problem(
                    f"groups[{i}].venue",
                    N_("no venue named {venue!r}"),
                    {"venue": group_spec.venue},
                )
            )
        group = groups.get(group_spec.name) or BreakoutGroup(
            event_id=event.id, name=group_spec.name
        )
        group.venue_id = venue.id if venue else None
        session.add(group)
        groups[group.name] = group
    session.flush()
    return groups


def _build_agenda(
    event: Event,
    spec: EventSpec,
    zone: ZoneInfo,
    places: _Places,
    groups: dict[str, BreakoutGroup],
    problems: list[Problem],
) -> list[AgendaSession]:
    sessions = []
    # The event's days as people there see them, even when start/end carry another offset.
    first_day, last_day = event.local(event.starts_at).date(), event.local(event.ends_at).date()
    for d, day in enumerate(spec.agenda):
        if not first_day <= day.date <= last_day:
            problems.append(
                Problem(
                    f"agenda[{d}].date",
                    N_("{date} is outside the event's days"),
                    {"date": day.date},
                )
            )
            continue
        for s, item in enumerate(day.sessions):
            where = f"agenda[{d}].sessions[{s}]"
            start, end = _local(day.date, item.start, zone), _local(day.date, item.end, zone)
            if end <= start:
                problems.append(Problem(f"{where}.end", N_("the session must end after it starts")))
            elif start < event.starts_at or end > event.ends_at:
                problems.append(Problem(where, N_("the session lies outside the event's times")))
            venue_id, room_id, group_id = _resolve_session(where, item, places, groups, problems)
            sessions.append(
                AgendaSession(
                    event_id=event.id,
                    title=item.title.id,
                    starts_at=start,
                    ends_at=end,
                    venue_id=venue_id,
                    room_id=room_id,
                    group_id=group_id,
                    speakers=list(item.speakers),
                    moderator=item.moderator,
                    description=item.description.id,
                    translations=translations(title=item.title, description=item.description),
                )
            )
    return sessions


class EventDetails(Spec):
    """An event's basic fields as an officer edits them (its times move by a reschedule)."""

    title: Text = Field(min_length=1, max_length=500)
    subject: OptionalText = Field(default=None, max_length=500)
    description: Text = ""
    letter_number: OptionalText = Field(default=None, max_length=120)
    capacity: int | None = Field(default=None, ge=1)


# What each field is called in a plan's list of changes.
_DETAILS = {
    "title": N_("title"),
    "subject": N_("subject"),
    "description": N_("description"),
    "letter_number": N_("letter number"),
    "capacity": N_("capacity"),
}


def edit_details(
    session: Session, event: Event, values: dict[str, Any], *, actor: str
) -> list[tuple[str, str, str]]:
    """Change an event's basic fields; (what, before, after) for each that changed.

    The same fields an event file sets, with the same limits; a cancelled or closed event
    cannot change, as on import.
    """
    try:
        details = EventDetails.model_validate(values)
    except ValidationError as exc:
        raise InvalidInput(problems_from(exc, model=EventDetails)) from None
    _ensure_changeable(event)
    changed = []
    for name, what in _DETAILS.items():
        before, after = getattr(event, name), getattr(details, name)
        if before != after:
            changed.append(
                (what, "" if before is None else str(before), "" if after is None else str(after))
            )
            setattr(event, name, after)
    if changed:
        event.updated_at = utcnow()
        session.add(event)
        record(
            session,
            actor=actor,
            action="edit",
            event_id=event.id,
            detail={what: after for what, _, after in changed},
        )
        session.flush()
    return changed
