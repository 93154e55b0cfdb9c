"""Sending what the outbox owes: claim rows, compose each message, send, mark each row.

`deliver()` is the one way messages leave acara (CLI, flows, web, sweeps). One run serves one
channel (e-mail unless told otherwise) through that channel's transport. It

1. queues again the rows a crashed worker left in SENDING (older than the lease, or held by
   a process on this machine that no longer exists),
2. claims pending rows in chunks (an atomic conditional UPDATE, see models.outbox.claim),
3. composes each row's message (acara.messages.composers) while the previous chunk is on the
   wire, and commits what the composers recorded (the official letters they issued),
4. hands the chunk to the channel's transport, which reports every message as soon as known,
5. marks each row before its SMTP worker sends the next message ("group commit": the results
   that arrive while one UPDATE commits are committed together by the next), so a crash
   leaves at most one message per SMTP worker sent but unmarked: the only possible duplicates.

A login refused by the server or a server that cannot be reached stops the run with a
clear message; rows not yet sent go back to the queue untouched, and a later run sends them.

With the relay's caps set (ACARA_SMTP_LIMIT_PER_MINUTE, _PER_HOUR, _PER_DAY), every chunk is
first reserved from the caps' windows in the database (models.sendbudget), shared by every
sender, and only that many rows are claimed. A spent window that renews within a minute is
waited for; a longer one (the hour, the day) ends the run with the rest still queued, and the
summary says until when ("650 sent, 350 wait for tomorrow 00.00 WIB").
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable, Collection, Coroutine, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, col, select

from acara.db import engine
from acara.messages.channels import (
    DeliveryResult,
    DeliveryStatus,
    Transport,
    TransportAuthError,
    TransportUnavailable,
    transport_for,
)
from acara.messages.composers import NotOwed, compose
from acara.messages.composers.common import AS_OF, load_recipients
from acara.messages.message import ComposedMessage
from models.clock import utcnow
from models.errors import AcaraError
from models.outbox import (
    DEFAULT_LEASE,
    Channel,
    Message,
    MessageStatus,
    Outcome,
    claim,
    count_by_status,
    finish,
    recover_stale,
    release,
    sending_workers,
)
from models.sendbudget import OFFICE_ZONE, Cap, caps_from, give_back, reserve

log = logging.getLogger(__name__)
T = TypeVar("T")

CHUNK = 500  # rows claimed and composed at a time
PACE_WAIT = timedelta(seconds=65)  # a spent window renewing sooner is waited for in the run
_STATUS = {
    DeliveryStatus.SENT: MessageStatus.SENT,
    DeliveryStatus.RETRY: MessageStatus.RETRY,
    DeliveryStatus.FAILED: MessageStatus.FAILED,
}


class DeliveryStopped(AcaraError):
    """The run stopped before the end; what was sent is marked, the rest stays queued."""

    exit_code = 5
    http_status = 503

    def __init__(self, message: str, summary: DeliverySummary) -> None:
        super().__init__(message)
        self.summary = summary


class SmtpLoginRefused(DeliveryStopped):
    """The mail server refused our user name or password."""


class SmtpUnreachable(DeliveryStopped):
    """The mail server could not be reached."""


@dataclass(frozen=True, slots=True)
class Failure:
    """A recipient whose message did not go out, and why."""

    recipient: str
    purpose: str
    reason: str


@dataclass(slots=True)
class DeliverySummary:
    """What one run did; `skipped` counts messages already sent by an earlier run."""

    destination: str = ""
    sent: int = 0
    skipped: int = 0
    retry: int = 0
    failed: int = 0
    superseded: int = 0
    recovered: int = 0  # rows a crashed worker left in SENDING, queued again
    failures: list[Failure] = field(default_factory=list)
    retries: list[Failure] = field(default_factory=list)
    seconds: float = 0.0
    waiting: int = 0  # still queued because the relay's cap for this window is spent
    resume_at: datetime | None = None  # when the spent window renews

    @property
    def resume_label(self) -> str:
        """'tomorrow 00.00 WIB', '11.00 WIB' or '8/12 00.00 WIB': when the rest can go."""
        if self.resume_at is None:
            return ""
        local = self.resume_at.astimezone(OFFICE_ZONE)
        today = utcnow().astimezone(OFFICE_ZONE).date()
        clock = f"{local:%H.%M} WIB"
        if local.date() == today:
            return clock
        if local.date() == today + timedelta(days=1):
            return f"tomorrow {clock}"
        return f"{local.day}/{local.month} {clock}"

    @property
    def attempted(self) -> int:
        """Messages this run tried to send."""
        return self.sent + self.retry + self.failed

    def __str__(self) -> str:
        text = (
            f"{self.sent} sent, {self.skipped} already sent before, {self.failed} failed, "
            f"{self.retry} to retry later ({self.destination})"
        )
        if self.recovered:
            text += f"; {self.recovered} left in flight by a stopped run were queued again"
        if self.waiting:
            text += (
                f"; {self.waiting} wait for {self.resume_label} (the mail server's sending "
                "limit for now is reached)"
            )
        return text


Progress = Callable[[int, int], None]  # (messages done in this run, messages to do)


def deliver(
    event_id: int | None = None,
    purposes: Collection[str] | None = None,
    transport: Transport | None = None,
    *,
    channel: Channel = Channel.EMAIL,
    progress: Progress | None = None,
    chunk: int = CHUNK,
    lease: timedelta = DEFAULT_LEASE,
    db: Engine | None = None,
    as_of: datetime | None = None,
    caps: Sequence[Cap] | None = None,
) -> DeliverySummary:
    """Send every queued message of a channel (of one event and/or purposes), mark each row.

    The transport is the channel's from the settings unless one is given. `as_of` is the
    moment the letters are written as of (a simulated --at): their date, "in 3 days", "8 days
    late" count from it. `caps` are the relay's sending limits (default: the settings' for
    e-mail), shared with every other sender through the database.
    """
    if caps is None:
        caps = _settings_caps() if channel is Channel.EMAIL else ()
    run = _Run(
        engine=db or engine(),
        event_id=event_id,
        purposes=list(purposes) if purposes else None,
        channel=channel,
        transport=transport or transport_for(channel),
        progress=progress,
        chunk=min([chunk, *(cap.limit for cap in caps)]),
        caps=tuple(caps),
    )
    if as_of is not None:
        run.cache[AS_OF] = as_of
    run.prepare(lease)
    return _run_sync(run.send())


def _settings_caps() -> tuple[Cap, ...]:
    from acara.settings import get_settings

    settings = get_settings()
    return caps_from(
        settings.smtp_limit_per_minute, settings.smtp_limit_per_hour, settings.smtp_limit_per_day
    )


def worker_name() -> str:
    """Who claims rows: host, process and a random part (two runs in a process differ)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(4)}"


def _dead_local_workers(workers: list[str]) -> list[str]:
    """Claimants on this machine whose process is gone: their rows need no lease to expire."""
    host = socket.gethostname()[:40]
    dead = []
    for worker in workers:
        claimed_host, _, rest = worker.partition(":")
        pid_text = rest.partition(":")[0]
        if claimed_host != host or not pid_text.isdigit():
            continue
        pid = int(pid_text)
        if pid == os.getpid():
            continue
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            dead.append(worker)
        except PermissionError:  # alive, owned by someone else
            pass
    return dead


@dataclass
class _Chunk:
    """Rows claimed together, and the messages composed for them."""

    ids: list[int]
    messages: list[ComposedMessage] = field(default_factory=list)


@dataclass
class _Run:
    engine: Engine
    event_id: int | None
    purposes: list[str] | None
    channel: Channel
    transport: Transport
    progress: Progress | None
    chunk: int
    caps: tuple[Cap, ...] = ()
    worker: str = field(default_factory=worker_name)
    started: datetime = field(default_factory=utcnow)
    summary: DeliverySummary = field(default_factory=DeliverySummary)
    total: int = 0
    done: int = 0
    pending: list[Outcome] = field(default_factory=list)  # results not yet committed
    waiters: list[asyncio.Future[None]] = field(default_factory=list)  # their SMTP workers
    flusher: asyncio.Task[None] | None = None
    marker: Connection | None = None  # marks rows; opened on first use, closed at the end
    held: set[int] = field(default_factory=set)  # claimed ids not yet marked
    keys: dict[str, tuple[int, str, str]] = field(default_factory=dict)  # key: id, to, purpose
    cache: dict[object, Any] = field(default_factory=dict)  # composers' per-run cache

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False, info={"acara.run": self.cache})

    def prepare(self, lease: timedelta) -> None:
        """Recover stale claims and count what there is to do."""
        self.summary.destination = self.transport.describe()
        with self.session() as session:
            dead = _dead_local_workers(sending_workers(session))
            self.summary.recovered = recover_stale(session, lease=lease, dead_workers=dead)
            session.commit()
            counts = count_by_status(
                session, event_id=self.event_id, purposes=self.purposes, channel=self.channel
            )
        if self.summary.recovered:
            log.warning("queued again %d message(s) left by a stopped run", self.summary.recovered)
        self.summary.skipped = counts.get(MessageStatus.SENT, 0)
        self.total = counts.get(MessageStatus.QUEUED, 0) + counts.get(MessageStatus.RETRY, 0)
        self._report()

    async def send(self) -> DeliverySummary:
        """Claim, compose and send chunk after chunk, composing the next while one is sent."""
        began = time.monotonic()
        upcoming: asyncio.Task[_Chunk] | None = asyncio.create_task(self._next_chunk())
        try:
            while upcoming is not None:
                current = await upcoming
                upcoming = None
                if not current.ids:
                    break
                if not self.caps:  # compose the next chunk while this one is on the wire
                    upcoming = asyncio.create_task(self._next_chunk())
                if current.messages:
                    await self.transport.send_batch(current.messages, self._on_result)
                self._flush()
                if self.caps:  # paced: reserve the next chunk only once this one is sent
                    upcoming = asyncio.create_task(self._next_chunk())
        except TransportAuthError as exc:
            await self._stop(upcoming, f"login refused: {exc}")
            raise SmtpLoginRefused(
                f"The mail server refused the login ({exc}). Nothing more was sent; check "
                "ACARA_SMTP_USERNAME and ACARA_SMTP_PASSWORD (or ACARA_SMTP_PASSWORD_BLOCK) "
                "and run the command again: it sends only what is still owed.",
                self._finish_summary(began),
            ) from None
        except TransportUnavailable as exc:
            kept = await self._stop(upcoming, f"server unreachable: {exc}")
            raise SmtpUnreachable(
                f"Cannot reach the mail server: {exc}. {self.summary.sent} message(s) sent in "
                f"this run; {kept} not sent stay queued. Run the command again once the server "
                "is up: it sends only what is still owed.",
                self._finish_summary(began),
            ) from None
        except BaseException:
            await self._stop(upcoming, "run interrupted")
            raise
        finally:
            if self.marker is not None:
                self.marker.close()
        return self._finish_summary(began)

    async def _allowance(self) -> tuple[int, tuple[str, ...]]:
        """How many rows this chunk may claim under the relay's caps (waiting for a window
        that renews within PACE_WAIT); 0 when the rest must wait for a later run."""
        if not self.caps:
            return self.chunk, ()
        while True:
            with self.engine.connect() as connection:
                grant = reserve(connection, self.caps, self.chunk, utcnow())
            if grant.granted:
                return grant.granted, grant.keys
            assert grant.retry_at is not None
            pause = grant.retry_at - utcnow()
            if pause > PACE_WAIT:
                self.summary.resume_at = grant.retry_at
                return 0, ()
            log.info("the %s's sending limit is reached; waiting %s", grant.spent, pause)
            await asyncio.sleep(max(pause.total_seconds(), 0) + 0.05)

    async def _next_chunk(self) -> _Chunk:
        allowed, keys = await self._allowance()
        if not allowed:
            self._count_waiting()
            return _Chunk([])
        with self.session() as session:
            ids = claim(
                session,
                worker=self.worker,
                limit=allowed,
                event_id=self.event_id,
                purposes=self.purposes,
                channel=self.channel,
                untouched_since=self.started,
            )
            session.commit()
            self.held.update(ids)
            if keys and len(ids) < allowed:
                with self.engine.connect() as connection:
                    give_back(connection, keys, allowed - len(ids))
            current = _Chunk(ids)
            if not ids:
                return current
            rows = list(session.exec(select(Message).where(col(Message.id).in_(ids))))
            rows.sort(key=lambda m: m.id or 0)
            load_recipients(session, rows)
            unsendable: list[Outcome] = []
            for n, row in enumerate(rows):
                assert row.id is not None
                try:
                    message = compose(session, row)
                except NotOwed as exc:
                    unsendable.append(Outcome(row.id, MessageStatus.SUPERSEDED, str(exc)))
                    continue
                except Exception as exc:
                    log.exception("cannot compose message %s (%s)", row.id, row.purpose)
                    reason = f"cannot compose: {type(exc).__name__}: {exc}"
                    unsendable.append(Outcome(row.id, MessageStatus.FAILED, reason))
                    self._count(row.recipient, row.purpose, MessageStatus.FAILED, reason)
                    continue
                current.messages.append(message)
                self.keys[message.key] = (row.id, row.recipient, row.purpose)
                if n % 2:
                    # Commit what composers recorded (the letter register) before letting the
                    # chunk on the wire make progress: its marks must never wait for a write
                    # transaction held open across the await (SQLite has one writer).
                    session.commit()
                    await asyncio.sleep(0)
            session.commit()
            if unsendable:
                self._mark(unsendable)
            return current

    async def _on_result(self, result: DeliveryResult) -> None:
        """Record one result; the SMTP worker waits until it is committed, then goes on."""
        row_id, recipient, purpose = self.keys.pop(result.key)
        status = _STATUS[result.status]
        self.pending.append(Outcome(row_id, status, result.detail, result.smtp_message_id))
        self._count(recipient, purpose, status, result.detail)
        committed = asyncio.get_running_loop().create_future()
        self.waiters.append(committed)
        if self.flusher is None or self.flusher.done():
            self.flusher = asyncio.create_task(self._commit_pending())
        await committed

    async def _commit_pending(self) -> None:
        """Commit what is pending, again and again, until nothing is (group commit).

        The UPDATE runs on the event loop's own thread: a commit takes a fraction of a
        millisecond, while a thread would make every SMTP worker wait for the GIL.
        """
        await asyncio.sleep(0)  # gather the results of this turn of the loop first
        while self.pending:
            outcomes, self.pending = self.pending, []
            waiters, self.waiters = self.waiters, []
            try:
                self._mark(outcomes)
            except BaseException as exc:
                for waiter in waiters:
                    if not waiter.done():
                        waiter.set_exception(exc)
                raise
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_result(None)
            await asyncio.sleep(0)

    def _count_waiting(self) -> None:
        with self.session() as session:
            counts = count_by_status(
                session, event_id=self.event_id, purposes=self.purposes, channel=self.channel
            )
        self.summary.waiting = counts.get(MessageStatus.QUEUED, 0) + counts.get(
            MessageStatus.RETRY, 0
        )

    def _count(self, recipient: str, purpose: str, status: MessageStatus, detail: str) -> None:
        if status is MessageStatus.SENT:
            self.summary.sent += 1
        elif status is MessageStatus.RETRY:
            self.summary.retry += 1
            self.summary.retries.append(Failure(recipient, purpose, detail))
        elif status is MessageStatus.FAILED:
            self.summary.failed += 1
            self.summary.failures.append(Failure(recipient, purpose, detail))
        self.done += 1
        self._report()

    def _report(self) -> None:
        if self.progress is not None:
            self.progress(self.done, self.total)

    def _flush(self) -> None:
        """Commit any result still pending (after a batch, or when the run stops)."""
        if self.pending:
            outcomes, self.pending = self.pending, []
            self._mark(outcomes)
        for waiter in self.waiters:
            if not waiter.done():
                waiter.cancel()
        self.waiters = []

    def _mark(self, outcomes: list[Outcome]) -> None:
        # One connection for every mark of the run: a Session per commit costs more than
        # the UPDATE itself.
        if self.marker is None:
            self.marker = self.engine.connect()
        try:
            finish(self.marker, self.worker, outcomes)
            self.marker.commit()
        except BaseException:
            self.marker.rollback()
            raise
        self.summary.superseded += sum(o.status is MessageStatus.SUPERSEDED for o in outcomes)
        self.held.difference_update(o.message_id for o in outcomes)

    async def _stop(self, upcoming: asyncio.Task[_Chunk] | None, reason: str) -> int:
        """Mark what is known, then hand every other claimed row back; returns how many."""
        if upcoming is not None:
            upcoming.cancel()
            with contextlib.suppress(BaseException):
                await upcoming
        if self.flusher is not None:
            with contextlib.suppress(BaseException):
                await self.flusher
        handed_back = 0
        try:
            self._flush()
        finally:
            if self.held:
                with self.session() as session:
                    handed_back = release(session, self.worker, self.held, reason)
                    session.commit()
                log.warning("handed %d claimed message(s) back: %s", handed_back, reason)
                self.held.clear()
        return handed_back

    def _finish_summary(self, began: float) -> DeliverySummary:
        self.summary.seconds = time.monotonic() - began
        return self.summary


def _run_sync(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to the end, also from a thread that already runs an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = asyncio.run(coroutine)
        except BaseException as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=target, name="acara-delivery")
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]  # type: ignore[no-any-return]


__all__ = [
    "DeliveryStopped",
    "DeliverySummary",
    "Failure",
    "NotOwed",
    "SmtpLoginRefused",
    "SmtpUnreachable",
    "deliver",
    "worker_name",
]
