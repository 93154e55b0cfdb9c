"""Rooms: one booking at a time, inside an event and across events."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from models.errors import N_, InvalidInput, Problem
from models.event import AgendaSession, Event, EventStatus

# A room is only free again once an event is cancelled.
_BLOCKING = [s for s in EventStatus if s is not EventStatus.CANCELLED]


def check_room_conflicts(session: Session, event: Event, sessions: Sequence[AgendaSession]) -> None:
    """Refuse a room booked twice at once, inside this event or against another event."""
    problems: list[Problem] = []
    booked = [s for s in sessions if s.room_id is not None]
    for i, first in enumerate(booked):
        for second in booked[i + 1 :]:
            if (
                first.room_id == second.room_id
                and first.starts_at < second.ends_at
                and second.starts_at < first.ends_at
            ):
                problems.append(
                    Problem(
                        f"agenda: {second.title!r}",
                        N_("room already booked for {other!r} at that time"),
                        {"other": first.title},
                    )
                )
    for item in booked:
        clash = session.exec(
            select(AgendaSession, Event)
            .join(Event, col(Event.id) == AgendaSession.event_id)
            .where(
                AgendaSession.room_id == item.room_id,
                AgendaSession.event_id != event.id,
                col(Event.status).in_(_BLOCKING),
                col(AgendaSession.starts_at) < item.ends_at,
                col(AgendaSession.ends_at) > item.starts_at,
            )
        ).first()
        if clash is not None:
            other, other_event = clash
            problems.append(
                Problem(
                    f"agenda: {item.title!r}",
                    N_("room already booked by event {event!r} ({other!r})"),
                    {"event": other_event.code, "other": other.title},
                )
            )
    if problems:
        raise InvalidInput(problems, heading=N_("The agenda cannot be saved"))
