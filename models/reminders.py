"""Reminder rules: when, before an event, participants are reminded, and who is owed what.

The rules are pure functions of the event's start, its offsets and `now` (tests pass a
controlled clock):
- each offset (default 3d, 1d, 2h: the Indonesian H-3, H-1 and two hours before) opens a
  window that lasts until the next offset falls due or the event starts;
- only the latest due offset counts: a sweep that missed the H-3 window sends H-1, never
  both, and a reminder nobody sent before the event started is never sent after it;
- in the first window, invitees who have not answered get the RSVP nudge instead;
- a reminder is owed for the event's current SEQUENCE, so a reschedule moves every
  reminder with the event (the windows follow the new start; the old ones no longer count).

A sweep finds the open windows, records each as a ReminderRound (unique, so two sweeps at
once owe it once) and owes one outbox message per recipient in the same transaction. A
round already recorded costs one indexed lookup, so a sweep with nothing due reads no
participants and no messages: its cost follows the due work, not the size of the database.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Index, UniqueConstraint, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Field, Session, SQLModel, col, exists, select

from models.clock import UTCDateTime, require_aware, utcnow
from models.errors import N_, InvalidInput, Problem
from models.event import Event, EventStatus
from models.outbox import NO_OFFSET, Message, MessageStatus, Owed, enqueue_many, supersede
from models.people import Participant, Person, RsvpStatus

REMINDER = "reminder"  # outbox purpose of a reminder; its offset has a column of its own
NUDGE = "nudge"  # outbox purpose of the RSVP nudge
PURPOSES = (REMINDER, NUDGE)
# Someone is an invitee once one of these reached them; nobody is reminded of an
# invitation they never received.
_INVITED_BY = ("invitation", "representative")
# Reminders go to those coming; the undecided get them too after the nudge window.
_COMING = (RsvpStatus.ACCEPTED,)
_UNDECIDED = (RsvpStatus.PENDING, RsvpStatus.TENTATIVE)

_OFFSET = re.compile(r"^(\d+)\s*([dhm])$")
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}


def parse_offsets(text: str) -> list[timedelta]:
    """'3d,1d,2h' as durations before the start, largest first."""
    offsets = []
    for part in (p.strip().lower() for p in text.split(",") if p.strip()):
        match = _OFFSET.match(part)
        if not match or int(match[1]) == 0:
            raise InvalidInput(
                [
                    Problem(
                        "reminders",
                        N_("{offset!r} is not an offset like 3d, 1d or 2h"),
                        {"offset": part},
                    )
                ]
            )
        offsets.append(timedelta(**{_UNITS[match[2]]: int(match[1])}))
    return sorted(set(offsets), reverse=True)


def offset_minutes(offset: timedelta) -> int:
    """An offset as the outbox and the rounds store it: whole minutes (1d is 1440)."""
    return int(offset.total_seconds()) // 60


def offset_label(minutes: int) -> str:
    """The short form of an offset in minutes, as officers write it: 3d, 2h, 90m."""
    if minutes % (24 * 60) == 0:
        return f"{minutes // (24 * 60)}d"
    if minutes % 60 == 0:
        return f"{minutes // 60}h"
    return f"{minutes}m"


# --- pure rules ---------------------------------------------------------------------------


def latest_due_offset(
    starts_at: datetime, offsets: Sequence[timedelta], now: datetime
) -> timedelta | None:
    """The offset whose window `now` is in: the smallest one already due, None after the start."""
    require_aware(now, "now")
    if now >= starts_at:
        return None
    due = [offset for offset in offsets if starts_at - offset <= now]
    return min(due) if due else None


@dataclass(frozen=True, slots=True)
class Round:
    """One batch of messages owed for an event: a reminder or the nudge, at one SEQUENCE."""

    event_id: int
    purpose: str  # reminder or nudge
    reminder_offset: int  # minutes before the start; 0 for the nudge
    sequence: int
    due_at: datetime  # when its window opened
    audience: tuple[RsvpStatus, ...]  # answers of the participants it goes to
    last: bool  # the last reminder before the event (it carries the check-in QR code)

    @property
    def label(self) -> str:
        """How officers see the round: 'reminder:1d' (its offset), or 'nudge'."""
        if self.purpose == REMINDER:
            return f"{REMINDER}:{offset_label(self.reminder_offset)}"
        return self.purpose


def rounds_due(event: Event, now: datetime) -> list[Round]:
    """The rounds open for an event at `now` (at most a reminder and a nudge)."""
    if event.status is not EventStatus.ANNOUNCED or event.id is None:
        return []
    offsets = parse_offsets(event.reminder_offsets)
    offset = latest_due_offset(event.starts_at, offsets, now)
    if offset is None:
        return []
    due_at = event.starts_at - offset
    last = offset == offsets[-1]
    first = offset == offsets[0]
    reminder = Round(
        event.id,
        REMINDER,
        offset_minutes(offset),
        event.sequence,
        due_at,
        _COMING if first else _COMING + _UNDECIDED,
        last,
    )
    if not first:
        return [reminder]
    return [reminder, Round(event.id, NUDGE, NO_OFFSET, event.sequence, due_at, _UNDECIDED, False)]


# --- the record of what was owed ----------------------------------------------------------


class ReminderRound(SQLModel, table=True):
    """A reminder or nudge batch owed for one event at one SEQUENCE: recorded once, ever."""

    __table_args__ = (
        UniqueConstraint(
            "event_id", "purpose", "reminder_offset", "sequence", name="uq_reminderround_once"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", ondelete="CASCADE")  # see the unique key
    purpose: str = Field(max_length=60)  # reminder or nudge
    reminder_offset: int = NO_OFFSET  # minutes before the start; 0 for the nudge
    sequence: int  # the event's SEQUENCE it was owed for
    due_at: datetime = Field(sa_type=UTCDateTime)  # when its window opened
    owed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)  # the sweep's `now`
    recipients: int = 0  # messages owed by this round


# Upcoming announced events are the only candidates; this keeps finding them cheap however
# many past events the database holds.
Index("ix_event_status_start", col(Event.status), col(Event.starts_at))


# --- the sweep's steps --------------------------------------------------------------------


def open_rounds(session: Session, now: datetime) -> list[Round]:
    """Rounds due at `now` and not yet owed, over every upcoming announced event."""
    events = session.exec(
        select(Event).where(Event.status == EventStatus.ANNOUNCED, col(Event.starts_at) > now)
    ).all()
    candidates = [r for event in events for r in rounds_due(event, now)]
    if not candidates:
        return []
    owed = set(
        session.exec(
            select(
                ReminderRound.event_id,
                ReminderRound.purpose,
                ReminderRound.reminder_offset,
                ReminderRound.sequence,
            ).where(col(ReminderRound.event_id).in_({r.event_id for r in candidates}))
        ).all()
    )
    return [
        r for r in candidates if (r.event_id, r.purpose, r.reminder_offset, r.sequence) not in owed
    ]


def owe_round(session: Session, round_: Round, now: datetime) -> int | None:
    """Record a round and owe its messages; None when another sweep recorded it already.

    Runs in the caller's transaction: the round and its messages commit together, so a round
    is either fully owed or not at all. The insert skips a round that exists (on PostgreSQL
    it waits for a concurrent sweep's transaction to end first), so only one sweep owes it.
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(ReminderRound.__table__)  # type: ignore[arg-type]
        .values(
            event_id=round_.event_id,
            purpose=round_.purpose,
            reminder_offset=round_.reminder_offset,
            sequence=round_.sequence,
            due_at=round_.due_at,
            owed_at=now,
            recipients=0,
        )
        .on_conflict_do_nothing(
            index_elements=["event_id", "purpose", "reminder_offset", "sequence"]
        )
        .returning(ReminderRound.__table__.c.id)  # type: ignore[attr-defined]
    )
    round_id = session.execute(statement).scalar()
    if round_id is None:
        return None
    owed = [
        Owed(
            email,
            round_.purpose,
            round_.sequence,
            participant_id,
            reminder_offset=round_.reminder_offset,
        )
        for participant_id, email in recipients(session, round_.event_id, round_.audience)
        if email is not None  # reminders go by e-mail; see `without_email`
    ]
    # The round is new, so none of its messages can exist yet: all of `owed` is new. (Not
    # enqueue_many's count: PostgreSQL through psycopg reports rowcount -1 for these inserts.)
    enqueue_many(session, round_.event_id, owed)
    session.execute(
        update(ReminderRound).where(col(ReminderRound.id) == round_id).values(recipients=len(owed))
    )
    return len(owed)


def without_email(session: Session, round_: Round) -> int:
    """How many of a round's audience have no e-mail address: reminders skip them (their
    invitation went by letter; the officer reaches them by phone or `acara chat`)."""
    return sum(
        1 for _, email in recipients(session, round_.event_id, round_.audience) if email is None
    )


def recipients(
    session: Session, event_id: int, audience: Sequence[RsvpStatus]
) -> list[tuple[int, str | None]]:
    """(participant id, e-mail or None) of the event's invitees whose answer is in `audience`."""
    invited = exists().where(
        col(Message.participant_id) == Participant.id,
        col(Message.event_id) == event_id,
        col(Message.purpose).in_(_INVITED_BY),
        col(Message.status) == MessageStatus.SENT,
    )
    rows = session.exec(
        select(Participant.id, Person.email)
        .join(Person, col(Person.id) == Participant.person_id)
        .where(
            col(Participant.event_id) == event_id,
            col(Participant.rsvp).in_(list(audience)),
            invited,
        )
        .order_by(col(Participant.id))
    ).all()
    return [(pid, email) for pid, email in rows if pid is not None]


def drop_stale(session: Session, now: datetime) -> int:
    """Supersede reminders still waiting that make no sense any more.

    A reminder for an event that has started, is no longer announced (cancelled, held) or has
    been rescheduled since (older SEQUENCE) must not go out late: a retrying send stops here.
    """
    waiting = session.exec(
        select(Message.event_id, Event.status, Event.starts_at, Event.sequence)
        .join(Event, col(Event.id) == Message.event_id)
        .where(
            col(Message.status).in_((MessageStatus.QUEUED, MessageStatus.RETRY)),
            # Redundant, but it lets SQLite use the partial index of unsent rows instead of
            # scanning every message ever sent (it cannot infer it from the IN list).
            col(Message.status) != MessageStatus.SENT,
            col(Message.purpose).in_(PURPOSES),
        )
        .distinct()
        # Every sweep locks events' rows in the same order: two sweeps at once on PostgreSQL
        # otherwise deadlocked, each holding one event's rows and waiting for the other's.
        .order_by(col(Message.event_id))
    ).all()
    dropped = 0
    for event_id, status, starts_at, sequence in waiting:
        if status is not EventStatus.ANNOUNCED or starts_at <= now:
            dropped += supersede(
                session, event_id=event_id, purposes=PURPOSES, reason="the event has started"
            )
        else:
            dropped += supersede(
                session,
                event_id=event_id,
                purposes=PURPOSES,
                reason="the event was rescheduled",
                below_sequence=sequence,
            )
    return dropped
