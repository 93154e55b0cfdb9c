"""Delivery: the only place that talks SMTP. SMTP via aiosmtplib, or a local maildir.

Both transports take a batch of OutgoingMessage and report one DeliveryResult per
message through ``on_result`` as soon as its outcome is known, so the caller can mark
the outbox row at once: a crash then leaves at most the messages in flight unmarked.

``on_result`` runs on the event loop thread that awaits ``send_batch``, one call at a
time, never concurrently; it may be a plain function or return an awaitable (awaited
before that worker sends its next message). It should be quick: while a plain function
runs, no worker sends. If it raises, the batch stops and the exception propagates.

``send_batch`` returns the results in the order of the messages given. When it raises
(TransportAuthError, TransportUnavailable, an exception from on_result), the results
already passed to on_result stand and every other message is untouched: leave its row
as it was, it was not sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import mailbox
import os
import ssl
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Literal, Protocol
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib

from acara.mail import OutgoingMessage, message_id, render

__all__ = [
    "DeliveryResult",
    "DeliveryStatus",
    "MaildirTransport",
    "ResultCallback",
    "SmtpTransport",
    "Transport",
    "TransportAuthError",
    "TransportError",
    "TransportUnavailable",
    "transport_from_url",
]

log = logging.getLogger(__name__)

Security = Literal["starttls", "tls", "none"]
ResultCallback = Callable[["DeliveryResult"], Awaitable[None] | None]

_DETAIL_MAX = 500  # the outbox keeps last_error; a server's essay is not needed


class DeliveryStatus(StrEnum):
    """Outcome of one message: sent, worth retrying later, or refused for good."""

    SENT = "sent"
    RETRY = "retry"  # 4xx, lost connection, timeout, or not attempted
    FAILED = "failed"  # 5xx for this recipient, or a message that cannot be built


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    """What happened to one message, keyed by its outbox key."""

    key: str
    status: DeliveryStatus
    detail: str = ""  # the server's reply (queue id when sent) or the error
    smtp_message_id: str | None = None  # the Message-ID header sent, e.g. "<acara...@host>"
    attempts: int = 0  # SMTP transactions tried for it in this batch


class TransportError(Exception):
    """Base of the errors that stop a whole batch."""


class TransportAuthError(TransportError):
    """The server refused our credentials: stop, nothing more can be sent."""


class TransportUnavailable(TransportError):
    """The server could not be reached at the start of a batch: nothing was sent."""


class Transport(Protocol):
    """Something that delivers a batch of messages."""

    async def send_batch(
        self,
        messages: Sequence[OutgoingMessage],
        on_result: ResultCallback | None = None,
    ) -> list[DeliveryResult]:
        """Deliver the messages; one result per message, in order."""
        ...

    def describe(self) -> str:
        """Where the messages go, for logs and the CLI (never a password)."""
        ...


# ---------------------------------------------------------------------------------------
# Maildir


class MaildirTransport:
    """Writes each message as an .eml file into a maildir: the demo's mail server."""

    def __init__(self, root: Path, *, domain: str = "acara.local") -> None:
        """Deliver into the maildir at root (created with tmp/, new/, cur/ if missing)."""
        self.root = Path(root)
        self.domain = domain

    def describe(self) -> str:
        """E.g. "maildir /srv/acara/data/outbox"."""
        return f"maildir {self.root}"

    async def send_batch(
        self,
        messages: Sequence[OutgoingMessage],
        on_result: ResultCallback | None = None,
    ) -> list[DeliveryResult]:
        """Write every message to new/ (through tmp/, atomically)."""
        if not messages:
            return []
        try:
            # Maildir(create=True) makes only the last folder; the data folder may not exist.
            await asyncio.to_thread(self.root.parent.mkdir, parents=True, exist_ok=True)
            await asyncio.to_thread(mailbox.Maildir, self.root, create=True)
        except OSError as exc:
            raise TransportUnavailable(f"cannot create maildir {self.root}: {exc}") from exc
        results = []
        for msg in messages:
            result = await asyncio.to_thread(self._deliver, msg)
            results.append(result)
            if on_result is not None:
                await _call(on_result, result)
        return results

    def path_for(self, key: str) -> Path:
        """Where the message for an outbox key lands in new/."""
        return self.root / "new" / _file_name(key, self.domain)

    def _deliver(self, msg: OutgoingMessage) -> DeliveryResult:
        mid = message_id(msg.key, self.domain)
        try:
            data = render(msg, domain=self.domain)
        except ValueError as exc:
            log.warning("message %s cannot be built: %s", msg.key, exc)
            return DeliveryResult(msg.key, DeliveryStatus.FAILED, f"invalid message: {exc}")
        # Named after the key, so sending the same outbox row again replaces the file
        # instead of adding a duplicate; LF line ends, as files are on this system.
        name = _file_name(msg.key, self.domain)
        tmp = self.root / "tmp" / name
        try:
            with open(tmp, "wb") as handle:
                handle.write(data.replace(b"\r\n", b"\n"))
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.root / "new" / name)
        except OSError as exc:
            with contextlib.suppress(OSError):
                tmp.unlink()
            return DeliveryResult(msg.key, DeliveryStatus.RETRY, f"cannot write: {exc}", attempts=1)
        return DeliveryResult(msg.key, DeliveryStatus.SENT, f"new/{name}", mid, attempts=1)


def _file_name(key: str, domain: str) -> str:
    # The Message-ID's left part is unique per key and safe in a file name (no "/", ":").
    return message_id(key, domain)[1:].split("@", 1)[0] + ".eml"


# ---------------------------------------------------------------------------------------
# SMTP

# Failures to open a session: the server is down, refuses us, or TLS fails.
_CONNECT_ERRORS = (aiosmtplib.SMTPException, OSError, TimeoutError)
# Failures that lose the session mid-transaction: retry on a fresh connection.
_LINK_ERRORS = (
    aiosmtplib.SMTPServerDisconnected,
    aiosmtplib.SMTPTimeoutError,
    ConnectionError,
    OSError,
    TimeoutError,
)


class SmtpTransport:
    """Sends over a few reused aiosmtplib connections, retrying transient failures."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        security: Security = "starttls",
        username: str | None = None,
        password: str | None = None,
        workers: int = 4,
        max_attempts: int = 4,
        backoff: Sequence[float] = (0.5, 2, 5),
        timeout: float = 30,
        domain: str = "acara.local",
        tls_context: ssl.SSLContext | None = None,
        max_per_connection: int | None = None,
    ) -> None:
        """Configure the server and the retry policy.

        security: "starttls" upgrades when the server offers it, "tls" is implicit TLS
        (port 465), "none" never encrypts. backoff[i] is the wait before attempt i + 2;
        the last value repeats. max_per_connection reconnects after that many messages
        (for servers that cap a session).
        """
        if security not in ("starttls", "tls", "none"):
            raise ValueError(f"security must be starttls, tls or none, not {security!r}")
        if workers < 1 or max_attempts < 1:
            raise ValueError("workers and max_attempts must be at least 1")
        self.host = host
        self.port = port
        self.security: Security = security
        self.username = username
        self.password = password
        self.workers = workers
        self.max_attempts = max_attempts
        self.backoff = tuple(float(b) for b in backoff) or (0.0,)
        self.timeout = timeout
        self.domain = domain
        self.tls_context = tls_context
        self.max_per_connection = max_per_connection
        self._warned_plain = False

    def describe(self) -> str:
        """E.g. "smtp://mailer@mail.tangerangkota.go.id:587"."""
        scheme = "smtps" if self.security == "tls" else "smtp"
        user = f"{self.username}@" if self.username else ""
        plain = " (no TLS)" if self.security == "none" else ""
        return f"{scheme}://{user}{self.host}:{self.port}{plain}"

    async def send_batch(
        self,
        messages: Sequence[OutgoingMessage],
        on_result: ResultCallback | None = None,
    ) -> list[DeliveryResult]:
        """Send every message; see the module docstring for what a raise means."""
        if not messages:
            return []
        return await _Batch(self, messages, on_result).run()

    async def _login(self, conn: aiosmtplib.SMTP) -> None:
        assert self.username is not None
        try:
            await conn.login(self.username, self.password or "")
        except aiosmtplib.SMTPAuthenticationError as exc:
            raise TransportAuthError(f"{self.describe()}: {exc.code} {exc.message}") from exc
        except _LINK_ERRORS:
            raise
        except aiosmtplib.SMTPException as exc:
            # No AUTH offered, no common mechanism: a configuration error, not a glitch.
            raise TransportAuthError(f"{self.describe()}: cannot log in: {exc}") from exc

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (from 1)."""
        return self.backoff[min(attempt - 1, len(self.backoff) - 1)]

    async def connect(self) -> aiosmtplib.SMTP:
        """Open one authenticated session; TransportAuthError when credentials fail."""
        conn = aiosmtplib.SMTP(
            hostname=self.host,
            port=self.port,
            # EHLO with our own name: the default asks socket.getfqdn(), which can hang.
            local_hostname=self.domain,
            timeout=self.timeout,
            use_tls=self.security == "tls",
            start_tls={"starttls": None, "tls": False, "none": False}[self.security],
            tls_context=self.tls_context,
        )
        await conn.connect()
        try:
            if conn.is_ehlo_or_helo_needed:
                await conn.ehlo()
            if self.username is not None:
                if conn.get_transport_info("sslcontext") is None and not self._warned_plain:
                    log.warning("%s: sending credentials without TLS", self.describe())
                    self._warned_plain = True
                await self._login(conn)
        except BaseException:
            conn.close()
            raise
        return conn


@dataclass(slots=True, eq=False)
class _Job:
    index: int
    message: OutgoingMessage
    attempts: int = 0
    data: bytes | None = None  # rendered once, resent as is
    timer: asyncio.TimerHandle | None = None  # waiting to be retried


@dataclass(slots=True)
class _Worker:
    number: int
    conn: aiosmtplib.SMTP | None = None
    sent_on_conn: int = 0


@dataclass(slots=True)
class _Batch:
    """One send_batch call: a queue, a few workers, and the results as they come."""

    transport: SmtpTransport
    messages: Sequence[OutgoingMessage]
    on_result: ResultCallback | None
    queue: asyncio.Queue[_Job | None] = field(default_factory=asyncio.Queue)
    results: list[DeliveryResult | None] = field(default_factory=list)
    outstanding: int = 0
    waiting: set[_Job] = field(default_factory=set)  # backing off before a retry
    fatal: BaseException | None = None
    stopping: bool = False
    live: int = 0  # workers holding an open connection
    reconnecting: bool = False  # one worker is already retrying to connect
    circuit_open: bool = False
    sessions: int = 0
    worker_count: int = 0

    async def run(self) -> list[DeliveryResult]:
        t = self.transport
        started = time.monotonic()
        first = await self._preflight()
        self.results = [None] * len(self.messages)
        self.outstanding = len(self.messages)
        for index, msg in enumerate(self.messages):
            self.queue.put_nowait(_Job(index, msg))
        self.worker_count = min(t.workers, len(self.messages))
        workers = [_Worker(n, first if n == 0 else None) for n in range(self.worker_count)]
        self.live = 1
        tasks = [asyncio.create_task(self._work(w), name=f"smtp-{w.number}") for w in workers]
        try:
            await asyncio.gather(*tasks)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            self._cancel_timers()
        if self.fatal is not None:
            raise self.fatal
        # Whatever no worker could take (all lost their connection) goes back for later.
        for job in [*self.waiting, *self._drain()]:
            await self._finish(job, DeliveryStatus.RETRY, "not attempted: no connection")
        self.waiting.clear()
        results = [r for r in self.results if r is not None]
        counts = {s: sum(r.status is s for r in results) for s in DeliveryStatus}
        log.info(
            "%s: %d sent, %d failed, %d to retry, over %d connection(s) in %.2f s",
            t.describe(),
            counts[DeliveryStatus.SENT],
            counts[DeliveryStatus.FAILED],
            counts[DeliveryStatus.RETRY],
            self.sessions,
            time.monotonic() - started,
        )
        return results

    async def _preflight(self) -> aiosmtplib.SMTP:
        # One connection before anything is queued: if the server is unreachable the
        # caller learns it without a single message marked.
        t = self.transport
        for attempt in range(1, t.max_attempts + 1):
            try:
                conn = await t.connect()
            except _CONNECT_ERRORS as exc:
                log.warning("%s: cannot connect (%s), attempt %d", t.describe(), exc, attempt)
                if attempt == t.max_attempts:
                    raise TransportUnavailable(f"{t.describe()}: {_describe(exc)}") from exc
                await asyncio.sleep(t.delay(attempt))
            else:
                self.sessions += 1
                return conn
        raise AssertionError("unreachable")

    async def _work(self, worker: _Worker) -> None:
        try:
            while not self.stopping:
                job = await self.queue.get()
                if job is None or self.stopping:
                    return
                if self.circuit_open:
                    await self._finish(job, DeliveryStatus.RETRY, "not attempted: server down")
                    continue
                if not await self._ensure_connection(worker, job):
                    return
                await self._attempt(worker, job)
        except Exception as exc:
            # TransportAuthError, an exception from on_result, or a bug: stop the batch;
            # the other workers finish the message they are sending and quit.
            if self.fatal is None:
                self.fatal = exc
            self._stop()
        finally:
            await self._hang_up(worker)

    async def _ensure_connection(self, worker: _Worker, job: _Job) -> bool:
        """Make sure the worker holds a session; False when the worker should quit."""
        t = self.transport
        limit = t.max_per_connection
        if worker.conn is not None and limit and worker.sent_on_conn >= limit:
            await self._hang_up(worker)
        if worker.conn is not None and worker.conn.is_connected:
            return True
        if worker.conn is not None:
            await self._hang_up(worker)
        failures = 0
        while not self.stopping:
            try:
                worker.conn = await t.connect()
            except _CONNECT_ERRORS as exc:
                failures += 1
                if self.live > 0 or self.reconnecting:
                    # Others still get through (the server may cap connections):
                    # hand the message back and retire this worker.
                    log.info("smtp worker %d retiring: %s", worker.number, _describe(exc))
                    self.queue.put_nowait(job)
                    return False
                if failures >= t.max_attempts:
                    log.warning("%s: unreachable: %s", t.describe(), _describe(exc))
                    self.queue.put_nowait(job)
                    self._open_circuit()
                    return False
                self.reconnecting = True
                try:
                    await asyncio.sleep(t.delay(failures))
                finally:
                    self.reconnecting = False
            else:
                self.live += 1
                self.sessions += 1
                worker.sent_on_conn = 0
                return True
        self.queue.put_nowait(job)
        return False

    async def _attempt(self, worker: _Worker, job: _Job) -> None:
        t = self.transport
        msg = job.message
        if job.data is None:
            try:
                job.data = render(msg, domain=t.domain)
            except ValueError as exc:
                log.warning("message %s cannot be built: %s", msg.key, exc)
                await self._finish(job, DeliveryStatus.FAILED, f"invalid message: {exc}")
                return
        conn = worker.conn
        assert conn is not None
        job.attempts += 1
        try:
            _, reply = await conn.sendmail(
                msg.sender.addr_spec, [msg.recipient.addr_spec], job.data
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            refused = exc.recipients[0]
            if refused.code == 530:  # "authentication required": no recipient's fault
                raise TransportAuthError(
                    f"{t.describe()}: {refused.code} {refused.message}"
                ) from exc
            await self._refused(worker, job, refused.code, refused.message)
        except aiosmtplib.SMTPSenderRefused as exc:
            # Refusing our sender on policy grounds (530, 5.7.x: not logged in, may not
            # send as this address) would refuse every message: stop, mark none failed.
            if exc.code == 530 or exc.message.startswith("5.7."):
                raise TransportAuthError(f"{t.describe()}: {exc.code} {exc.message}") from exc
            await self._refused(worker, job, exc.code, exc.message)
        except aiosmtplib.SMTPResponseException as exc:
            # DATA refused (SMTPDataError), or a 421 anywhere.
            await self._refused(worker, job, exc.code, exc.message)
        except _LINK_ERRORS as exc:
            await self._hang_up(worker)
            await self._transient(job, f"connection lost: {_describe(exc)}")
        except (aiosmtplib.SMTPNotSupported, ValueError) as exc:
            # An address aiosmtplib will not put on the wire, or one that needs SMTPUTF8.
            await self._finish(job, DeliveryStatus.FAILED, f"cannot send: {exc}")
        except aiosmtplib.SMTPException as exc:
            await self._hang_up(worker)
            await self._transient(job, _describe(exc))
        else:
            worker.sent_on_conn += 1
            await self._finish(job, DeliveryStatus.SENT, reply)

    async def _refused(self, worker: _Worker, job: _Job, code: int, text: str) -> None:
        detail = f"{code} {text}".strip()
        # aiosmtplib has sent RSET already; a session that cannot even do that, or that
        # the server is closing (421), is replaced before the next message.
        conn = worker.conn
        if code == 421 or conn is None or not conn.is_connected:
            await self._hang_up(worker)
        else:
            try:
                await conn.rset()
            except aiosmtplib.SMTPException:
                await self._hang_up(worker)
        if 500 <= code < 600:
            await self._finish(job, DeliveryStatus.FAILED, detail)
        else:
            await self._transient(job, detail)

    async def _transient(self, job: _Job, detail: str) -> None:
        t = self.transport
        if job.attempts >= t.max_attempts or self.stopping or self.circuit_open:
            await self._finish(job, DeliveryStatus.RETRY, detail)
            return
        delay = t.delay(job.attempts)
        log.info("message %s: %s; retry in %.1f s", job.message.key, detail, delay)
        # The worker moves on to other messages meanwhile.
        job.timer = asyncio.get_running_loop().call_later(delay, self._requeue, job)
        self.waiting.add(job)

    def _requeue(self, job: _Job) -> None:
        self.waiting.discard(job)
        job.timer = None
        if not self.stopping:
            self.queue.put_nowait(job)

    def _cancel_timers(self) -> None:
        for job in self.waiting:
            if job.timer is not None:
                job.timer.cancel()
                job.timer = None

    async def _finish(self, job: _Job, status: DeliveryStatus, detail: str) -> None:
        sent = status is DeliveryStatus.SENT
        result = DeliveryResult(
            job.message.key,
            status,
            detail[:_DETAIL_MAX],
            message_id(job.message.key, self.transport.domain) if sent else None,
            job.attempts,
        )
        self.results[job.index] = result
        self.outstanding -= 1
        log.debug("message %s: %s %s", result.key, status, result.detail)
        if self.outstanding == 0:
            self._release_workers()
        if self.on_result is not None:
            await _call(self.on_result, result)

    def _open_circuit(self) -> None:
        self.circuit_open = True
        # Workers drain the queue, reporting each message as not attempted.
        self._cancel_timers()
        for job in self.waiting:
            self.queue.put_nowait(job)
        self.waiting.clear()
        self._release_workers()

    def _release_workers(self) -> None:
        for _ in range(self.worker_count):
            self.queue.put_nowait(None)

    def _stop(self) -> None:
        self.stopping = True
        self._cancel_timers()
        self._release_workers()

    def _drain(self) -> list[_Job]:
        jobs = []
        while not self.queue.empty():
            job = self.queue.get_nowait()
            if job is not None and self.results[job.index] is None:
                jobs.append(job)
        return jobs

    async def _hang_up(self, worker: _Worker) -> None:
        conn, worker.conn = worker.conn, None
        if conn is None:
            return
        self.live -= 1
        try:
            if conn.is_connected:
                # A polite QUIT, but a dead server must not hold up the batch.
                with contextlib.suppress(aiosmtplib.SMTPException, OSError, TimeoutError):
                    await asyncio.wait_for(conn.quit(), timeout=5)
        finally:
            conn.close()


async def _call(callback: ResultCallback, result: DeliveryResult) -> None:
    outcome = callback(result)
    if inspect.isawaitable(outcome):
        await outcome


def _describe(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {text}" if text != type(exc).__name__ else text


# ---------------------------------------------------------------------------------------
# Configuration


def transport_from_url(
    url: str | None,
    *,
    maildir: Path,
    username: str | None = None,
    password: str | None = None,
    workers: int = 4,
    domain: str = "acara.local",
    timeout: float = 30,
    max_attempts: int = 4,
    backoff: Sequence[float] = (0.5, 2, 5),
) -> Transport:
    """Pick the transport from a URL: none means the local maildir.

    smtp://[user[:password]@]host[:port]   STARTTLS when offered (port 25 by default)
    smtps://[user[:password]@]host[:port]  implicit TLS (port 465 by default)
    ?security=none|starttls|tls            overrides either; user and password are
    percent-decoded, and the username/password arguments win over the URL's.
    """
    if not url:
        return MaildirTransport(maildir, domain=domain)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "maildir":
        return MaildirTransport(Path(unquote(parts.path)) if parts.path else maildir, domain=domain)
    if scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError(f"mail URL must be smtp://host:port or smtps://host:port, not {url!r}")
    security: str = "tls" if scheme == "smtps" else "starttls"
    query = parse_qs(parts.query)
    if "security" in query:
        security = query["security"][-1].lower()
    try:
        port = parts.port or (465 if security == "tls" else 25)
    except ValueError as exc:
        raise ValueError(f"bad port in mail URL {url!r}") from exc
    return SmtpTransport(
        parts.hostname,
        port,
        security=security,  # type: ignore[arg-type]  # SmtpTransport validates it
        username=username if username is not None else _unquoted(parts.username),
        password=password if password is not None else _unquoted(parts.password),
        workers=workers,
        max_attempts=max_attempts,
        backoff=backoff,
        timeout=timeout,
        domain=domain,
    )


def _unquoted(value: str | None) -> str | None:
    return unquote(value) if value else None
