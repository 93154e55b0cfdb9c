"""What a participant was told: their own programme, to know when an update is owed and what
it must say ("semula Kamis, 14 Januari pukul 09.00 WIB di Aula Setu, menjadi ...").

A programme is plain JSON-ready data: the event's status and times, the participant's group
and the sessions they attend (plenary and their group's) with times and places. Each calendar
message owed to someone stores the programme it tells (models/invitations.py); a later change
owes an update only to those whose programme differs from what they were last told.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, col, select

from models.event import AgendaSession, BreakoutGroup, Event, Room, Venue

Programme = dict[str, Any]


def programmes(session: Session, event: Event) -> dict[int | None, Programme]:
    """Every group's programme (None: plenary only), in one query."""
    rows = session.exec(
        select(AgendaSession, Venue, Room)
        .outerjoin(Venue, col(Venue.id) == AgendaSession.venue_id)
        .outerjoin(Room, col(Room.id) == AgendaSession.room_id)
        .where(AgendaSession.event_id == event.id)
        .order_by(col(AgendaSession.starts_at), col(AgendaSession.id))
    ).all()
    groups = {
        g.id: g.name
        for g in session.exec(select(BreakoutGroup).where(BreakoutGroup.event_id == event.id))
    }
    result: dict[int | None, Programme] = {}
    for group_id in (None, *groups):
        sessions = [
            [
                _utc(item.starts_at),
                _utc(item.ends_at),
                item.title,
                ", ".join(
                    part
                    for part in (room.name if room else "", venue.name if venue else "")
                    if part
                ),
            ]
            for item, venue, room in rows
            if item.group_id is None or item.group_id == group_id
        ]
        result[group_id] = {
            "status": event.status.value,
            "start": _utc(event.starts_at),
            "end": _utc(event.ends_at),
            "group": groups.get(group_id, "") if group_id is not None else "",
            "sessions": sessions,
        }
    return result


def _utc(value: datetime) -> str:
    # Rows just written hold the zone they were typed in; rows read back hold UTC.
    return value.astimezone(UTC).isoformat()


def places(programme: Programme) -> list[str]:
    """The places of a programme, in the order they come."""
    return list(dict.fromkeys(s[3] for s in programme.get("sessions", []) if s[3]))


def differences(before: Programme, after: Programme) -> list[dict[str, Any]]:
    """What changed between two programmes, as an update letter names it."""
    if not before:
        return []
    changes: list[dict[str, Any]] = []
    if (before["start"], before["end"]) != (after["start"], after["end"]):
        changes.append(
            {
                "what": "time",
                "before": [before["start"], before["end"]],
                "after": [after["start"], after["end"]],
            }
        )
    if before.get("group", "") != after.get("group", ""):
        changes.append({"what": "group", "before": before["group"], "after": after["group"]})
    if places(before) != places(after):
        changes.append({"what": "place", "before": places(before), "after": places(after)})
    if not changes and before.get("sessions") != after.get("sessions"):
        changes.append({"what": "agenda", "before": "", "after": ""})
    return changes
