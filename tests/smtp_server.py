"""A real SMTP server for tests and benchmarks: aiosmtpd on 127.0.0.1, with fault knobs.

Typical fixtures::

    @pytest.fixture
    def smtp() -> Iterator[SmtpSink]:
        with SmtpSink() as sink:
            yield sink

    sink = SmtpSink(fail_rcpt={"gone@example.org": 550, "busy@example.org": Refusal(451, times=2)})
    sink = SmtpSink(transient_rate=0.2, seed=7)      # 421/451 on 20% of DATA commands
    sink = SmtpSink(require_auth=("acara", "secret"))
    sink = SmtpSink(discard=True)                     # benchmarks: count, keep no bodies

The server runs in its own thread (aiosmtpd's Controller), so it works the same under
synchronous tests, asyncio.run() and Prefect. Every knob is a plain attribute that may be
changed between tests (a session-wide sink plus ``reset()`` is cheap); while mail is
flowing, change refusals with ``refuse()``/``accept()``. What was received is read
through one lock.
"""

from __future__ import annotations

import asyncio
import logging
import random
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default as default_policy
from types import TracebackType
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

__all__ = ["Received", "Refusal", "SmtpSink"]

log = logging.getLogger(__name__)

_SESSION_ATTR = "_acara_sink_session"  # set on aiosmtpd's per-connection SMTP object


@dataclass(frozen=True, slots=True)
class Received:
    """One message the sink accepted."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    data: bytes  # the message as received; b"" when the sink discards bodies
    session: int  # which SMTP session (connection) delivered it, from 1
    at: float = 0.0  # when it was accepted (time.time())

    def message(self) -> EmailMessage:
        """Parse the raw bytes with the stdlib's modern parser."""
        return BytesParser(policy=default_policy).parsebytes(self.data)  # type: ignore[return-value]


@dataclass(frozen=True, slots=True)
class Refusal:
    """How to answer RCPT TO for one address: always, or ``times`` times and then accept."""

    code: int  # e.g. 550 (permanent) or 451 (transient)
    times: int | None = None  # None: refuse forever
    text: str | None = None

    def reply(self) -> str:
        """The SMTP reply line."""
        default = "Mailbox unavailable" if self.code >= 500 else "Try again later"
        return f"{self.code} {self.text or default}"


class SmtpSink:
    """aiosmtpd on 127.0.0.1 that records what it receives and can fail on purpose."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        fail_rcpt: Mapping[str, int | Refusal] | None = None,
        transient_rate: float = 0.0,
        transient_codes: Iterable[int] = (421, 451),
        drop_rate: float = 0.0,
        drop_after_accept: bool = False,
        seed: int = 0,
        delay: float = 0.0,
        require_auth: tuple[str, str] | None = None,
        discard: bool = False,
        rate_limit: tuple[int, float] | None = None,
    ) -> None:
        """Configure the sink; ``port=0`` picks a free port when it starts.

        fail_rcpt: address -> SMTP code (refused forever) or Refusal (e.g. 451 twice).
        transient_rate: share of DATA commands answered with one of transient_codes;
            a 421 also closes the connection, as a real server does.
        drop_rate: share of DATA commands where the connection is cut before the reply;
            with drop_after_accept the message is kept first (the client cannot know it
            arrived: the case that makes duplicates).
        seed: seeds the random faults, so a run is repeatable.
        delay: seconds to wait before answering DATA (a slow server).
        require_auth: (user, password) that must AUTH before MAIL (no TLS needed).
        discard: keep envelopes but not bodies (benchmarks with many messages).
        rate_limit: (n, seconds): a relay's cap; beyond n messages in a window of that many
            seconds (from multiples of it since the epoch) DATA is answered 452 "too many".
        """
        self.host = host
        self._requested_port = port
        self.fail_rcpt: dict[str, int | Refusal] = dict(fail_rcpt or {})
        self.transient_rate = transient_rate
        self.transient_codes = tuple(transient_codes)
        self.drop_rate = drop_rate
        self.drop_after_accept = drop_after_accept
        self.delay = delay
        self.require_auth = require_auth
        self.discard = discard
        self.rate_limit = rate_limit
        self.rate_refusals = 0
        self._window_counts: dict[int, int] = {}
        self._seed = seed
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._received: list[Received] = []
        self._sessions = 0
        self._rcpt_attempts: dict[str, int] = {}
        self._refused: dict[str, int] = {}
        self._data_attempts = 0
        self._auth_failures = 0
        self._injected: dict[str, int] = {}
        self._controller: _Controller | None = None

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> SmtpSink:
        """Start listening; returns self so ``sink = SmtpSink().start()`` reads well."""
        if self._controller is not None:
            raise RuntimeError("SmtpSink already started")
        kwargs: dict[str, Any] = {
            "hostname": self.host,
            "port": self._requested_port,
            # A fixed name: the default calls socket.getfqdn(), which can hang on DNS.
            "server_hostname": "sink.acara.test",
            "ident": "acara SmtpSink",
        }
        if self.require_auth is not None:
            # AUTH without TLS; MAIL before AUTH is refused in handle_MAIL, since aiosmtpd's
            # own auth_required warns on every connection when TLS is not required.
            kwargs |= {"authenticator": self._authenticate, "auth_require_tls": False}
        controller = _Controller(_Handler(self), **kwargs)
        controller.start()
        self._controller = controller
        log.debug("SmtpSink listening on %s:%d", self.host, self.port)
        return self

    def stop(self) -> None:
        """Stop listening and close open sessions; idempotent."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> SmtpSink:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def refuse(self, address: str, code: int, *, times: int | None = None, text: str = "") -> None:
        """Refuse RCPT TO for an address (safe while a batch is being sent)."""
        with self._lock:
            self.fail_rcpt[address] = Refusal(code, times, text or None)

    def accept(self, address: str) -> None:
        """Stop refusing an address."""
        with self._lock:
            self.fail_rcpt.pop(address, None)

    def reset(self) -> None:
        """Forget everything received and counted, and reseed the faults; knobs stay."""
        with self._lock:
            self._received.clear()
            self._sessions = 0
            self._rcpt_attempts.clear()
            self._refused.clear()
            self._data_attempts = 0
            self._auth_failures = 0
            self._injected.clear()
            self._rng = random.Random(self._seed)

    # -- where to connect ----------------------------------------------------------------

    @property
    def port(self) -> int:
        """The port listened on (the one asked for, before a sink with a fixed port starts)."""
        if self._controller is None:
            if self._requested_port:
                return self._requested_port
            raise RuntimeError("SmtpSink not started: its free port is not chosen yet")
        return int(self._controller.port)

    @property
    def url(self) -> str:
        """``smtp://host:port``, for acara.messages.channels.email.transport_from_url."""
        return f"smtp://{self.host}:{self.port}"

    # -- what happened -------------------------------------------------------------------

    @property
    def messages(self) -> list[Received]:
        """Everything accepted so far, in order."""
        with self._lock:
            return list(self._received)

    @property
    def count(self) -> int:
        """How many messages were accepted."""
        with self._lock:
            return len(self._received)

    @property
    def sessions(self) -> int:
        """How many SMTP sessions (connections that said EHLO/HELO) were opened."""
        with self._lock:
            return self._sessions

    @property
    def data_attempts(self) -> int:
        """How many DATA transactions were started, refused ones included."""
        with self._lock:
            return self._data_attempts

    @property
    def auth_failures(self) -> int:
        """How many AUTH attempts were refused."""
        with self._lock:
            return self._auth_failures

    @property
    def injected(self) -> dict[str, int]:
        """Faults injected so far by kind: "rcpt-451", "data-421", "drop", ..."""
        with self._lock:
            return dict(self._injected)

    def rcpt_attempts(self, address: str) -> int:
        """How many times RCPT TO was tried for an address."""
        with self._lock:
            return self._rcpt_attempts.get(address.lower(), 0)

    def received_by(self, address: str) -> list[Received]:
        """Messages whose envelope included this recipient (case-insensitive)."""
        wanted = address.lower()
        with self._lock:
            return [r for r in self._received if wanted in (a.lower() for a in r.rcpt_tos)]

    def wait_for(self, count: int, timeout: float = 10.0) -> bool:
        """Wait until at least ``count`` messages arrived; False on timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.count >= count:
                return True
            time.sleep(0.01)
        return self.count >= count

    # -- called from the server thread ---------------------------------------------------

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        assert self.require_auth is not None
        user, password = self.require_auth
        ok = isinstance(auth_data, LoginPassword) and (
            auth_data.login == user.encode() and auth_data.password == password.encode()
        )
        if not ok:
            with self._lock:
                self._auth_failures += 1
        # handled=False: aiosmtpd then sends the 535 reply itself.
        return AuthResult(success=ok, handled=False)

    def _greeted(self, server: SMTP) -> None:
        if getattr(server, _SESSION_ATTR, None) is None:
            with self._lock:
                self._sessions += 1
                setattr(server, _SESSION_ATTR, self._sessions)

    def _rcpt(self, address: str) -> str | None:
        key = address.lower()
        with self._lock:
            self._rcpt_attempts[key] = self._rcpt_attempts.get(key, 0) + 1
            rule = next((r for a, r in self.fail_rcpt.items() if a.lower() == key), None)
            if rule is None:
                return None
            refusal = rule if isinstance(rule, Refusal) else Refusal(rule)
            if refusal.times is not None and self._refused.get(key, 0) >= refusal.times:
                return None
            self._refused[key] = self._refused.get(key, 0) + 1
            self._count_injected(f"rcpt-{refusal.code}")
            return refusal.reply()

    def _data_fault(self) -> str | None:
        """Decide this DATA's fate: None (accept), "drop", or a reply code."""
        with self._lock:
            self._data_attempts += 1
            if self.drop_rate and self._rng.random() < self.drop_rate:
                self._count_injected("drop")
                return "drop"
            if self.transient_rate and self._rng.random() < self.transient_rate:
                code = self._rng.choice(self.transient_codes)
                self._count_injected(f"data-{code}")
                return str(code)
        return None

    def _count_injected(self, kind: str) -> None:
        self._injected[kind] = self._injected.get(kind, 0) + 1

    def _within_rate(self) -> bool:
        if self.rate_limit is None:
            return True
        limit, seconds = self.rate_limit
        window = int(time.time() // seconds)
        with self._lock:
            if self._window_counts.get(window, 0) >= limit:
                self.rate_refusals += 1
                return False
            self._window_counts[window] = self._window_counts.get(window, 0) + 1
            return True

    def _keep(self, server: SMTP, envelope: Envelope) -> int:
        data = b"" if self.discard else bytes(envelope.original_content or b"")
        with self._lock:
            received = Received(
                mail_from=envelope.mail_from or "",
                rcpt_tos=tuple(envelope.rcpt_tos),
                data=data,
                session=getattr(server, _SESSION_ATTR, 0) or 0,
                at=time.time(),
            )
            self._received.append(received)
            return len(self._received)


class _Handler:
    """aiosmtpd hooks; they run on the server thread's event loop."""

    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_EHLO(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        hostname: str,
        responses: list[str],
    ) -> list[str]:
        session.host_name = hostname
        self.sink._greeted(server)
        return responses

    async def handle_HELO(
        self, server: SMTP, session: Session, envelope: Envelope, hostname: str
    ) -> str:
        session.host_name = hostname
        self.sink._greeted(server)
        return f"250 {server.hostname}"

    async def handle_MAIL(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        mail_options: list[str],
    ) -> str:
        if self.sink.require_auth is not None and not session.authenticated:
            return "530 5.7.0 Authentication required"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        refusal = self.sink._rcpt(address)
        if refusal is not None:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.sink.delay:
            await asyncio.sleep(self.sink.delay)
        fault = self.sink._data_fault()
        transport = server.transport
        if fault == "drop":
            if self.sink.drop_after_accept:
                self.sink._keep(server, envelope)
            # Cut the line before any reply: the client cannot tell what happened.
            if transport is not None:
                transport.abort()
            return "421 connection dropped"
        if fault == "421":
            # 421 means the server is closing the session; close after the reply is out.
            if transport is not None:
                server.loop.call_soon(transport.close)
            return "421 4.3.2 Service shutting down, try again later"
        if fault is not None:
            return f"{fault} 4.3.0 Temporary failure, try again later"
        if not self.sink._within_rate():
            return "452 4.5.3 Too many messages this period, try again later"
        number = self.sink._keep(server, envelope)
        return f"250 2.0.0 OK queued as sink-{number}"


class _Controller(Controller):
    """aiosmtpd Controller that can listen on port 0 (a free port chosen by the OS)."""

    def _trigger_server(self) -> None:
        # aiosmtpd connects to self.port once to check the server is up; learn the real
        # port first. The server socket exists by now (start() waits for it).
        if self.port == 0 and self.server is not None:
            self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()
