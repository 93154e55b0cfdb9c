"""The e-mail channel over SMTP: a few reused aiosmtplib connections, transient failures retried.

The only place that talks SMTP. See acara.messages.channels.transport for what a batch
promises (one result per message as soon as it is known).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import aiosmtplib
from pydantic import SecretStr

from acara.messages.channels.mime import message_id, render, to_email
from acara.messages.channels.transport import (
    DeliveryResult,
    DeliveryStatus,
    ResultCallback,
    TransportAuthError,
    TransportUnavailable,
    report,
)
from acara.messages.message import ComposedMessage

log = logging.getLogger(__name__)

Security = Literal["starttls", "tls", "none"]

_DETAIL_MAX = 500  # the outbox keeps last_error; a server's essay is not needed


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
        allow_plaintext_auth: bool = False,
    ) -> None:
        """Configure the server and the retry policy.

        security: "starttls" upgrades when the server offers it, "tls" is implicit TLS
        (port 465), "none" never encrypts. backoff[i] is the wait before attempt i + 2;
        the last value repeats. max_per_connection reconnects after that many messages
        (for servers that cap a session). allow_plaintext_auth lets the password go over a
        connection without TLS (ACARA_SMTP_ALLOW_PLAINTEXT_AUTH); otherwise such a login is
        refused before the password leaves this machine.
        """
        if security not in ("starttls", "tls", "none"):
            raise ValueError(f"security must be starttls, tls or none, not {security!r}")
        if workers < 1 or max_attempts < 1:
            raise ValueError("workers and max_attempts must be at least 1")
        self.host = host
        self.port = port
        self.security: Security = security
        self.username = username
        self._password = SecretStr(password) if password is not None else None
        self.workers = workers
        self.max_attempts = max_attempts
        self.backoff = tuple(float(b) for b in backoff) or (0.0,)
        self.timeout = timeout
        self.domain = domain
        self.tls_context = tls_context
        self.max_per_connection = max_per_connection
        self.allow_plaintext_auth = allow_plaintext_auth
        self._warned_plain = False

    @property
    def password(self) -> str | None:
        """The SMTP password (kept as a SecretStr, so no repr or traceback shows it)."""
        return self._password.get_secret_value() if self._password is not None else None

    def describe(self) -> str:
        """E.g. "smtp://mailer@mail.tangerangkota.go.id:587"."""
        scheme = "smtps" if self.security == "tls" else "smtp"
        user = f"{self.username}@" if self.username else ""
        plain = " (no TLS)" if self.security == "none" else ""
        return f"{scheme}://{user}{self.host}:{self.port}{plain}"

    async def send_batch(
        self,
        messages: Sequence[ComposedMessage],
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
                if conn.get_transport_info("sslcontext") is None:
                    if not self.allow_plaintext_auth:
                        raise TransportAuthError(
                            f"{self.describe()}: the connection has no TLS (the server offers "
                            "no STARTTLS), so acara will not send the SMTP password over it. "
                            "Use smtps:// or a server that offers STARTTLS; for a relay on "
                            "this machine set ACARA_SMTP_ALLOW_PLAINTEXT_AUTH=true."
                        )
                    if not self._warned_plain:
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
    message: ComposedMessage
    attempts: int = 0
    data: bytes | None = None  # rendered once, resent as is
    envelope: tuple[str, str] = ("", "")  # SMTP MAIL FROM and RCPT TO, set with data
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
    messages: Sequence[ComposedMessage]
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
                email = to_email(msg)
                job.data = render(email, domain=t.domain)
            except ValueError as exc:
                log.warning("message %s cannot be built: %s", msg.key, exc)
                await self._finish(job, DeliveryStatus.FAILED, f"invalid message: {exc}")
                return
            job.envelope = (email.sender.addr_spec, email.recipient.addr_spec)
        conn = worker.conn
        assert conn is not None
        job.attempts += 1
        try:
            _, reply = await conn.sendmail(job.envelope[0], [job.envelope[1]], job.data)
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
            await report(self.on_result, result)

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


def _describe(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {text}" if text != type(exc).__name__ else text
