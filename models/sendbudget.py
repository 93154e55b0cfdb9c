"""The mail relay's caps, shared by every sender: a budget per window, kept in the database.

Government and hosted relays cap what one sender may send per minute, hour and day and answer
421/451/452 ("too many") beyond it. Every sending run takes messages from the same windows
with an atomic reservation, so two workers (or two machines) together stay under the cap; a
run that finds a window spent waits for the next one, or leaves the rest queued for it.

Windows are fixed: a minute from :00, an hour from :00, a day from 00.00 in the office's zone
(WIB). The relay counts the same way, or resets on a rolling basis that a fixed window never
exceeds by more than one window's worth.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlmodel import Field, SQLModel

from models.clock import UTCDateTime

OFFICE_ZONE = ZoneInfo("Asia/Jakarta")


class SendWindow(SQLModel, table=True):
    """How many messages all senders together took from one window of one cap."""

    __tablename__ = "send_window"

    key: str = Field(
        primary_key=True, max_length=60
    )  # "minute:60:1796210100" (name, length, start)
    used: int = 0  # messages reserved from this window by every sender together
    ends_at: datetime = Field(sa_type=UTCDateTime, index=True)  # old windows can be dropped


@dataclass(frozen=True, slots=True)
class Cap:
    """At most `limit` messages per window of `seconds` (days start at midnight WIB)."""

    name: str
    seconds: int
    limit: int

    def window(self, now: datetime) -> tuple[str, datetime, datetime]:
        """The key, start and end of the window `now` falls in."""
        # Days and hours are counted in the office's zone (WIB is UTC+7, so hours agree).
        offset = now.astimezone(OFFICE_ZONE).utcoffset() or timedelta()
        local = int(now.timestamp() + offset.total_seconds())
        start_local = local - local % self.seconds
        start = datetime.fromtimestamp(start_local - offset.total_seconds(), UTC)
        return (
            f"{self.name}:{self.seconds}:{int(start.timestamp())}",
            start,
            start + timedelta(seconds=self.seconds),
        )


def caps_from(per_minute: int, per_hour: int, per_day: int) -> tuple[Cap, ...]:
    """The caps the settings name (0: none)."""
    wanted = (("minute", 60, per_minute), ("hour", 3600, per_hour), ("day", 86400, per_day))
    return tuple(Cap(name, seconds, limit) for name, seconds, limit in wanted if limit > 0)


@dataclass(frozen=True, slots=True)
class Grant:
    """What a reservation got: how many messages may go now, or when to try again."""

    granted: int
    keys: tuple[str, ...]  # the windows it was taken from (to give back what is not used)
    retry_at: datetime | None = None  # when every spent window has renewed (granted == 0)
    spent: str = ""  # which cap is spent: "day" (for the summary)


def reserve(connection: Connection, caps: Sequence[Cap], want: int, now: datetime) -> Grant:
    """Take up to `want` messages from every cap's current window, atomically for all senders.

    Commits. The first UPDATE takes the write lock (SQLite) or the rows' locks (PostgreSQL),
    so two senders never both take the last messages of a window.
    """
    windows = [(cap, *cap.window(now)) for cap in caps]
    keys = tuple(key for _, key, _, _ in windows)
    try:
        for _, key, _, ends in windows:
            connection.execute(
                text(
                    "INSERT INTO send_window (key, used, ends_at) VALUES (:key, 0, :ends) "
                    "ON CONFLICT (key) DO NOTHING"
                ),
                {"key": key, "ends": _stored(connection, ends)},
            )
        used = {}
        for _, key, _, _ in windows:
            # A no-op UPDATE first: it locks the row before we read it.
            connection.execute(
                text("UPDATE send_window SET used = used WHERE key = :key"), {"key": key}
            )
            used[key] = connection.execute(
                text("SELECT used FROM send_window WHERE key = :key"), {"key": key}
            ).scalar_one()
        left = {key: cap.limit - used[key] for cap, key, _, _ in windows}
        granted = max(0, min([want, *left.values()]))
        _add(connection, keys, granted)
        connection.commit()
    except BaseException:
        connection.rollback()
        raise
    if granted:
        return Grant(granted, keys)
    spent = [(cap, ends) for cap, key, _, ends in windows if left[key] <= 0]
    retry_at = max(ends for _, ends in spent)
    return Grant(0, keys, retry_at, max(spent, key=lambda s: s[1])[0].name)


def give_back(connection: Connection, keys: Sequence[str], count: int) -> None:
    """Return `count` reserved messages that were not sent (fewer rows owed than reserved)."""
    if count <= 0:
        return
    try:
        _add(connection, keys, -count)
        connection.commit()
    except BaseException:
        connection.rollback()
        raise


def _add(connection: Connection, keys: Sequence[str], count: int) -> None:
    """Add `count` (negative: give back) to each window, never below zero."""
    for key in keys if count else ():
        connection.execute(
            text("UPDATE send_window SET used = used + :n WHERE key = :key AND used + :n >= 0"),
            {"n": count, "key": key},
        )


def forget_old(connection: Connection, now: datetime) -> None:
    """Drop windows that ended more than a day ago."""
    connection.execute(
        text("DELETE FROM send_window WHERE ends_at < :cutoff"),
        {"cutoff": _stored(connection, now - timedelta(days=1))},
    )
    connection.commit()


def _stored(connection: Connection, moment: datetime) -> object:
    # The column's own type converts the value (UTC, as every timestamp acara stores).
    column_type = SendWindow.__table__.c.ends_at.type.dialect_impl(connection.dialect)
    return column_type.process_bind_param(moment, connection.dialect)
