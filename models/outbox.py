"""The outbox: one row per message to send, the single record of what was sent."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    Index,
    UniqueConstraint,
    bindparam,
    case,
    or_,
    text,
    type_coerce,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Field, Session, SQLModel, col, func, select

from models.clock import UTCDateTime, enum_type, utcnow


class MessageStatus(StrEnum):
    """Where a message stands; only QUEUED and RETRY rows are ever picked up."""

    QUEUED = "queued"
    SENDING = "sending"  # claimed by a worker; a crash leaves it here
    SENT = "sent"
    RETRY = "failed_retryable"
    FAILED = "failed_permanent"
    SUPERSEDED = "superseded"  # no longer owed (an invitation to an event since cancelled)


class Channel(StrEnum):
    """How a message reaches its recipient. E-mail has a transport (acara.messages.channels)
    that delivery runs send through; a printed letter is never sent by a run: it stays owed
    until an officer hands it over (`acara letters --delivered`, models.letters.hand_over)."""

    EMAIL = "email"
    LETTER = "letter"


# The typed key's "nothing" values: a message most purposes owe once has none of them. Not
# NULL, because NULLs never collide in a unique key and the once-only rule would not hold.
NO_ITEM = 0
NO_OFFSET = 0
NO_DAY = date(1970, 1, 1)
# What makes a message once-only: the unique key of the outbox.
_KEY = (
    "event_id",
    "recipient",
    "purpose",
    "sequence",
    "channel",
    "reminder_offset",
    "action_item_id",
    "action_step_on",
)


class Message(SQLModel, table=True):
    """A message owed to someone: unique per (event, recipient, purpose, sequence, channel,
    and what the purpose is about: reminder offset, action item, reminder step)."""

    __table_args__ = (
        UniqueConstraint(*_KEY, name="uq_message_once"),
        # Sweeps only look at what is not yet sent; sent rows pile up and must not slow them.
        Index(
            "ix_message_pending",
            "status",
            "event_id",
            postgresql_where=text("status <> 'sent'"),
            sqlite_where=text("status <> 'sent'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True, ondelete="CASCADE")
    participant_id: int | None = Field(default=None, foreign_key="participant.id", index=True)
    channel: Channel = Field(default=Channel.EMAIL, sa_type=enum_type(Channel))
    recipient: str = Field(max_length=320)  # lower-case address, or "person:<id>" (a letter)
    purpose: str = Field(max_length=60)  # invitation, update, cancellation, reminder, ...
    sequence: int = 0  # the event's ICS SEQUENCE this message was made for
    reminder_offset: int = NO_OFFSET  # reminder: minutes before the start (4320 = H-3)
    action_item_id: int = NO_ITEM  # action-reminder, escalation: the action item
    action_step_on: date = NO_DAY  # action-reminder: the day of the reminder step
    # update: what changed for this recipient (models.programme.differences), for the letter
    changes: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False, server_default=text("'[]'"))
    )
    status: MessageStatus = Field(default=MessageStatus.QUEUED, sa_type=enum_type(MessageStatus))
    attempts: int = 0
    last_error: str | None = None
    smtp_message_id: str | None = Field(default=None, max_length=300)
    claimed_by: str | None = Field(default=None, max_length=80)  # worker that holds it
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


# --- the outbox's operations ------------------------------------------------------------
# Every function flushes or executes inside the caller's transaction and never commits: the
# caller decides when a claim or a mark becomes visible (the delivery commits each at once).

SUPERSEDED_NOTE = "superseded"  # last_error prefix of rows that no longer need sending
# Gave up on a recipient after this many 4xx/lost-connection attempts across runs.
MAX_ATTEMPTS = 6
# A SENDING row older than this was left by a worker that died: it is queued again. Sending
# one batch takes seconds, so a quarter of an hour is far beyond any live claim.
DEFAULT_LEASE = timedelta(minutes=15)
_PENDING = (MessageStatus.QUEUED, MessageStatus.RETRY)
_CHUNK = 500  # rows per INSERT/UPDATE statement; far below SQLite's bound-parameter limit


@dataclass(frozen=True, slots=True)
class Owed:
    """One message to enqueue (the event is given separately)."""

    recipient: str
    purpose: str
    sequence: int
    participant_id: int | None = None
    reminder_offset: int = NO_OFFSET
    action_item_id: int = NO_ITEM
    action_step_on: date = NO_DAY
    channel: Channel = Channel.EMAIL
    changes: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the transport said about one claimed row."""

    message_id: int
    status: MessageStatus  # SENT, RETRY, FAILED or SUPERSEDED (a composer found nothing to send)
    detail: str = ""
    smtp_message_id: str | None = None


def _insert(session: Session) -> Any:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql_insert(Message.__table__)
    if dialect == "sqlite":
        return sqlite_insert(Message.__table__)
    raise NotImplementedError(f"the outbox supports SQLite and PostgreSQL, not {dialect}")


def enqueue(
    session: Session,
    *,
    event_id: int,
    recipient: str,
    purpose: str,
    sequence: int,
    participant_id: int | None = None,
    action_item_id: int = NO_ITEM,
    action_step_on: date = NO_DAY,
) -> bool:
    """Owe one message; False when one with the same key (see Message) is there."""
    owed = Owed(
        recipient,
        purpose,
        sequence,
        participant_id,
        action_item_id=action_item_id,
        action_step_on=action_step_on,
    )
    return enqueue_many(session, event_id, [owed]) == 1


def enqueue_many(session: Session, event_id: int, owed: Iterable[Owed]) -> int:
    """Owe many messages in a few statements; returns how many were new."""
    now = utcnow()
    rows = [
        {
            "event_id": event_id,
            "recipient": item.recipient.strip().lower(),
            "purpose": item.purpose,
            "sequence": item.sequence,
            "channel": item.channel,
            "reminder_offset": item.reminder_offset,
            "action_item_id": item.action_item_id,
            "action_step_on": item.action_step_on,
            "participant_id": item.participant_id,
            "changes": list(item.changes),
            "status": MessageStatus.QUEUED,
            "attempts": 0,
            "created_at": now,
        }
        for item in owed
    ]
    session.flush()  # pending ORM rows (the participants themselves) must exist first
    added = 0
    for start in range(0, len(rows), _CHUNK):
        statement = (
            _insert(session)
            .values(rows[start : start + _CHUNK])
            .on_conflict_do_nothing(index_elements=list(_KEY))
            # Count what RETURNING gives back: psycopg reports rowcount -1 for this insert.
            .returning(Message.__table__.c.id)
        )
        added += len(session.execute(statement).all())
    return added


def _scope(
    event_id: int | None, purposes: Collection[str] | None, channel: Channel | None = None
) -> list[Any]:
    """WHERE terms for one event, purposes and/or channel."""
    terms: list[Any] = []
    if event_id is not None:
        terms.append(col(Message.event_id) == event_id)
    if purposes:
        terms.append(col(Message.purpose).in_(list(purposes)))
    if channel is not None:
        terms.append(col(Message.channel) == channel)
    return terms


def claim(
    session: Session,
    *,
    worker: str,
    limit: int,
    event_id: int | None = None,
    purposes: Collection[str] | None = None,
    channel: Channel | None = None,
    untouched_since: datetime | None = None,
) -> list[int]:
    """Atomically take up to `limit` pending rows for `worker`; returns their ids, oldest first.

    One conditional UPDATE: a row is only taken while it is still pending, so two workers
    never hold the same row. PostgreSQL skips rows another claim has locked instead of
    waiting for them; SQLite serialises writers, so the statement is atomic there as is.
    `untouched_since` leaves out rows last claimed after that instant (this run's retries).
    """
    pending = [col(Message.status).in_(_PENDING), *_scope(event_id, purposes, channel)]
    if untouched_since is not None:
        pending.append(
            or_(col(Message.claimed_at).is_(None), col(Message.claimed_at) < untouched_since)
        )
    candidates = select(Message.id).where(*pending).order_by(col(Message.id)).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    # A CTE, evaluated once: as a plain IN (subquery) PostgreSQL may rescan the locking
    # subquery for every row it updates, skip the rows this very statement just took, and
    # so claim far more than `limit` (measured: all 50 rows for a limit of 30).
    claimable = candidates.cte("claimable")
    statement = (
        update(Message)
        .where(col(Message.id).in_(select(claimable.c.id)), *pending)
        .values(
            status=MessageStatus.SENDING,
            claimed_by=worker,
            claimed_at=utcnow(),
            attempts=col(Message.attempts) + 1,
        )
        .returning(col(Message.id))
        .execution_options(synchronize_session=False)
    )
    return sorted(session.execute(statement).scalars())


def finish(session: Session | Connection, worker: str, outcomes: Sequence[Outcome]) -> None:
    """Record what the transport said, in a few statements for the whole list.

    A row another worker re-claimed meanwhile (its lease ran out) is only ever moved to SENT,
    which is the truth whoever sent it; a retry or failure never overwrites its state.
    """
    table = Message.__table__
    sent = [o for o in outcomes if o.status is MessageStatus.SENT]
    if sent:
        _mark_sent(session, sent)
    for status in (MessageStatus.RETRY, MessageStatus.FAILED, MessageStatus.SUPERSEDED):
        rows = [o for o in outcomes if o.status is status]
        if not rows:
            continue
        final = (
            case(
                (table.c.attempts >= MAX_ATTEMPTS, MessageStatus.FAILED.value),
                else_=MessageStatus.RETRY.value,
            )
            if status is MessageStatus.RETRY
            else status.value
        )
        statement = (
            update(table)
            .where(
                table.c.id == bindparam("row_id"),
                table.c.status == MessageStatus.SENDING,
                table.c.claimed_by == worker,
            )
            .values(status=type_coerce(final, table.c.status.type), last_error=bindparam("err"))
        )
        session.execute(statement, [{"row_id": o.message_id, "err": o.detail[:1000]} for o in rows])


def _mark_sent(session: Session | Connection, sent: Sequence[Outcome]) -> None:
    """The hot path of a fan-out (one call per few results): one prepared UPDATE through the
    driver, skipping SQLAlchemy's per-statement work, which costs more than the UPDATE."""
    connection = session.connection() if isinstance(session, Session) else session
    sql, stamp = _sent_statement(connection.dialect)
    now = stamp(utcnow())
    connection.exec_driver_sql(
        sql, [(now, (o.smtp_message_id or "")[:300], o.message_id) for o in sent]
    )


@lru_cache(maxsize=4)
def _sent_statement(dialect: Any) -> tuple[str, Any]:
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    sql = (
        f"UPDATE message SET status = '{MessageStatus.SENT.value}', sent_at = {mark}, "
        f"smtp_message_id = {mark}, last_error = NULL WHERE id = {mark}"
    )
    if dialect.paramstyle not in ("qmark", "format", "pyformat"):  # pragma: no cover
        raise NotImplementedError(f"paramstyle {dialect.paramstyle}")
    # The column type's own conversion, so the value is stored exactly as the ORM stores it.
    column_type = Message.__table__.c.sent_at.type.dialect_impl(dialect)
    convert = column_type.bind_processor(dialect) or (lambda value: value)
    return sql, convert


def release(session: Session, worker: str, ids: Collection[int], reason: str) -> int:
    """Hand claimed rows back to the queue untouched (the run stopped before sending them)."""
    if not ids:
        return 0
    total = 0
    id_list = sorted(ids)
    for start in range(0, len(id_list), _CHUNK):
        statement = (
            update(Message)
            .where(
                col(Message.id).in_(id_list[start : start + _CHUNK]),
                col(Message.status) == MessageStatus.SENDING,
                col(Message.claimed_by) == worker,
            )
            .values(
                status=MessageStatus.QUEUED,
                # Not the recipient's fault: the attempt does not count against them.
                attempts=col(Message.attempts) - 1,
                last_error=reason[:1000],
            )
            .execution_options(synchronize_session=False)
        )
        total += session.execute(statement).rowcount
    return total


def queue_again(
    session: Session,
    *,
    event_id: int,
    purposes: Collection[str] | None = None,
    channel: Channel | None = None,
) -> int:
    """Queue the rows waiting to be tried again at once (an officer asked to send them now)."""
    statement = (
        update(Message)
        .where(col(Message.status) == MessageStatus.RETRY, *_scope(event_id, purposes, channel))
        .values(status=MessageStatus.QUEUED)
        .execution_options(synchronize_session=False)
    )
    return int(session.execute(statement).rowcount)


def recover_stale(
    session: Session,
    *,
    now: datetime | None = None,
    lease: timedelta = DEFAULT_LEASE,
    dead_workers: Collection[str] = (),
) -> int:
    """Queue again SENDING rows whose worker died: claimed before the lease, or by a dead worker.

    Such a row may or may not have reached its recipient; sending it again is the one place a
    duplicate can come from, so at most the messages in flight at the crash arrive twice.
    """
    cutoff = (now or utcnow()) - lease
    stale = [col(Message.claimed_at) < cutoff]
    if dead_workers:
        stale.append(col(Message.claimed_by).in_(list(dead_workers)))
    statement = (
        update(Message)
        .where(col(Message.status) == MessageStatus.SENDING, or_(*stale))
        .values(status=MessageStatus.QUEUED, last_error="re-queued: its worker stopped")
        .execution_options(synchronize_session=False)
    )
    return session.execute(statement).rowcount


def events_with_work(session: Session, channel: Channel = Channel.EMAIL) -> list[int]:
    """Events whose outbox holds messages of a channel waiting, to retry, or in flight
    (perhaps left by a run that died), of any purpose."""
    statement = (
        select(Message.event_id)
        .where(
            col(Message.status).in_((*_PENDING, MessageStatus.SENDING)),
            col(Message.channel) == channel,
        )
        .distinct()
        .order_by(col(Message.event_id))
    )
    return list(session.exec(statement))


def sending_workers(session: Session) -> list[str]:
    """Workers that currently hold SENDING rows."""
    statement = (
        select(Message.claimed_by)
        .where(col(Message.status) == MessageStatus.SENDING, col(Message.claimed_by).is_not(None))
        .distinct()
    )
    return [w for w in session.exec(statement) if w]


def supersede(
    session: Session,
    *,
    event_id: int,
    purposes: Collection[str],
    reason: str,
    recipients: Collection[str] | None = None,
    below_sequence: int | None = None,
    action_item_id: int | None = None,
) -> int:
    """Drop pending rows that no longer need sending (e.g. invitations to a cancelled event)."""
    terms = [col(Message.status).in_(_PENDING), *_scope(event_id, purposes)]
    if action_item_id is not None:
        terms.append(col(Message.action_item_id) == action_item_id)
    if below_sequence is not None:
        terms.append(col(Message.sequence) < below_sequence)
    if recipients is not None:
        terms.append(col(Message.recipient).in_(list(recipients)))
    # The rows are locked in id order before they change: two sweeps superseding the same
    # rows at once on PostgreSQL otherwise lock them in scan order and can deadlock.
    locked = select(Message.id).where(*terms).order_by(col(Message.id)).with_for_update()
    statement = (
        update(Message)
        .where(col(Message.id).in_(locked.scalar_subquery()))
        .values(status=MessageStatus.SUPERSEDED, last_error=f"{SUPERSEDED_NOTE}: {reason}"[:1000])
        .execution_options(synchronize_session=False)
    )
    return session.execute(statement).rowcount


def count_by_status(
    session: Session,
    *,
    event_id: int | None = None,
    purposes: Collection[str] | None = None,
    channel: Channel | None = None,
) -> dict[MessageStatus, int]:
    """How many rows are in each state, for one event, purposes and/or channel."""
    statement = (
        select(Message.status, func.count())
        .where(*_scope(event_id, purposes, channel))
        .group_by(col(Message.status))
    )
    return {MessageStatus(status): n for status, n in session.exec(statement)}
