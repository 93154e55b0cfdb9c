"""The message bus: stored domain events go to Prefect after the commit that recorded them.

A transition stores its DomainEvent row in the same transaction as the change. After the
commit, `after_commit` emits the rows to the Prefect server, where deployment triggers start
the stage flows. When no server is reachable the rows stay pending (a later `reemit_pending`
sends them) and the handler of each fact runs here, inline, so the plain CLI still works.
Handlers are idempotent (the outbox is unique per message), so running both paths is harmless.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import logging
import os
import threading
import uuid
from collections.abc import Callable, Coroutine, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import event as sa_event
from sqlalchemy import update
from sqlmodel import Session, col, select

from acara.db import unit_of_work
from acara.settings import get_settings
from models.audit import DomainEvent
from models.clock import utcnow
from models.event import Event

log = logging.getLogger(__name__)

# Facts whose handler runs inline when no Prefect server will trigger it: "module:function",
# a plain function (event_id) -> one-line summary. No Prefect inside: a task outside a
# server starts a temporary one (about 17 s here). prefect.yaml declares the same reactions
# as deployment triggers for the served case.
INLINE_HANDLERS: dict[str, str] = {
    "acara.event.announced": "acara.handlers:send_invitations",
    "acara.event.rescheduled": "acara.handlers:send_changes",
    "acara.event.cancelled": "acara.handlers:send_changes",
    "acara.event.held": "acara.handlers:follow_up",
    "acara.minutes.approved": "acara.handlers:follow_up",  # the thank-you with the minutes
}
# Stable namespace for Prefect event ids: a re-emitted row gets the same id, and the server
# drops an event id it saw in the last few minutes.
_EVENT_ID_NAMESPACE = uuid.UUID("5f0d3c1e-8a6b-4c2e-9f47-3b1a2c4d5e6f")
_SERVE_FILE = "serve.json"
T = TypeVar("T")


def prefect_home() -> Path:
    """Where Prefect keeps its state for this data folder (never ~/.prefect)."""
    return (get_settings().data_dir / "prefect").resolve()


def prefect_environment() -> None:
    """Point Prefect at the data folder before it is imported; no telemetry (no network)."""
    os.environ.setdefault("PREFECT_HOME", str(prefect_home()))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


def advertise(api_url: str) -> Path:
    """Record that `acara serve` runs a server for this data folder, so the CLI finds it."""
    path = prefect_home() / _SERVE_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"api_url": api_url, "pid": os.getpid()}))
    return path


def withdraw() -> None:
    """Forget the advertised server (on shutdown)."""
    (prefect_home() / _SERVE_FILE).unlink(missing_ok=True)


def api_url() -> str | None:
    """The Prefect API to emit to: PREFECT_API_URL, else a running `acara serve`, else None."""
    if url := os.environ.get("PREFECT_API_URL"):
        return url.rstrip("/")
    try:
        advertised = json.loads((prefect_home() / _SERVE_FILE).read_text())
        os.kill(int(advertised["pid"]), 0)  # still alive?
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return str(advertised["api_url"]).rstrip("/")


def server_healthy(url: str, timeout: float = 2.0) -> bool:
    """True when a Prefect API answers its health check."""
    import httpx

    try:
        return httpx.get(f"{url}/health", timeout=timeout).status_code == 200
    except httpx.HTTPError:
        return False


@dataclass(slots=True)
class EmitReport:
    """What one emission pass did."""

    emitted: list[int] = field(default_factory=list)  # DomainEvent ids now marked emitted
    pending: list[int] = field(default_factory=list)  # ids left for the re-emit sweep
    reason: str | None = None  # why some stayed pending


@dataclass(frozen=True, slots=True)
class Handled:
    """A fact handled here because no Prefect server would: what its handler returned."""

    fact: str
    event_id: int
    result: Any  # e.g. a DeliverySummary; str() gives one line

    def __str__(self) -> str:
        lines = getattr(self.result, "lines", None)
        text = "; ".join(lines()) if callable(lines) else str(self.result)
        return f"{self.fact} handled here: {text}"


@dataclass(slots=True)
class AfterCommitReport:
    """What happened after a commit: emitted, left pending, handled here."""

    emit: EmitReport
    inline: list[Handled] = field(default_factory=list)  # handlers run in this process
    missing: list[str] = field(default_factory=list)  # facts whose handler is not installed

    def lines(self) -> list[str]:
        """Human-readable lines for the CLI."""
        out = []
        if self.emit.emitted:
            out.append(
                f"Sent {len(self.emit.emitted)} event(s) to Prefect: the service takes over."
            )
        if self.emit.pending:
            out.append(
                f"{len(self.emit.pending)} event(s) not sent to Prefect ({self.emit.reason}); "
                "kept for the next sweep."
            )
        out.extend(str(handled) for handled in self.inline)
        out.extend(self.missing)
        return out


def wire_event(row: DomainEvent, code: str | None = None) -> Any:
    """The Prefect event for a stored domain event (same id every time it is sent)."""
    from prefect.events import Event as PrefectEvent

    resource = {"prefect.resource.id": row.resource_id}
    if code:
        resource["prefect.resource.name"] = code
    return PrefectEvent(
        id=uuid.uuid5(_EVENT_ID_NAMESPACE, f"{row.id}:{row.occurred_at.isoformat()}"),
        event=row.name,
        resource=resource,
        payload=row.payload,
        occurred=row.occurred_at,
    )


def emit(ids: Sequence[int] | None = None, *, limit: int = 500) -> EmitReport:
    """Emit stored events not yet emitted (those in `ids`, or the oldest `limit`), mark them."""
    with unit_of_work() as session:
        query = (
            select(DomainEvent, Event.code)
            .outerjoin(Event, col(Event.id) == DomainEvent.event_id)
            .where(col(DomainEvent.emitted_at).is_(None))
            .order_by(col(DomainEvent.id))
        )
        if ids is not None:
            if not ids:
                return EmitReport()
            query = query.where(col(DomainEvent.id).in_(list(ids)))
        else:
            query = query.limit(limit)
        rows = list(session.exec(query))
    if not rows:
        return EmitReport()
    report = EmitReport(pending=[row.id for row, _ in rows if row.id is not None])
    url = api_url()
    if url is None:
        report.reason = "PREFECT_API_URL is not set and no `acara serve` is running"
        return report
    if not server_healthy(url):
        report.reason = f"the Prefect server at {url} does not answer"
        return report
    sent: list[int] = []
    prefect_environment()
    try:
        _run(_send(url, rows, sent))
    except Exception as exc:  # the server went away mid-way: keep the rest for the sweep
        log.warning("emitting to %s stopped after %d event(s): %s", url, len(sent), exc)
        report.reason = f"the Prefect server at {url} stopped answering"
    if sent:
        with unit_of_work() as session:
            session.exec(  # type: ignore[call-overload]
                update(DomainEvent)
                .where(col(DomainEvent.id).in_(sent), col(DomainEvent.emitted_at).is_(None))
                .values(emitted_at=utcnow())
            )
    report.emitted = sent
    report.pending = [i for i in report.pending if i not in set(sent)]
    return report


async def _send(url: str, rows: list[tuple[DomainEvent, str | None]], sent: list[int]) -> None:
    # Not prefect.events.emit_event: it hands events to a background thread and never says
    # whether the server got them. This client raises instead, and checkpoint_every=1 makes
    # it wait for the server's pong after each event, so "emitted" means "received".
    from prefect.events.clients import PrefectEventsClient

    async with PrefectEventsClient(url, reconnection_attempts=2, checkpoint_every=1) as client:
        for row, code in rows:
            await client.emit(wire_event(row, code))
            assert row.id is not None
            sent.append(row.id)


def reemit_pending(limit: int = 500) -> EmitReport:
    """The sweep: emit stored events that never reached Prefect (server was down), oldest first."""
    return emit(None, limit=limit)


def after_commit(ids: Iterable[int | None], *, inline: bool = True) -> AfterCommitReport:
    """Emit the just-committed events; with no server, handle them here unless inline=False.

    inline=False is for callers that do the fact's work themselves right after (the CLI's
    `acara invite`): the events are still emitted, for a server's other automations.
    """
    wanted = [i for i in ids if i is not None]
    report = AfterCommitReport(emit=emit(wanted))
    if not (inline and report.emit.pending):
        return report
    with unit_of_work() as session:
        facts = session.exec(
            select(DomainEvent)
            .where(col(DomainEvent.id).in_(report.emit.pending))
            .order_by(col(DomainEvent.id))
        ).all()
    for fact in facts:
        target = INLINE_HANDLERS.get(fact.name)
        if target is None or fact.event_id is None:
            continue
        handler = load_handler(target)
        if handler is None:
            report.missing.append(f"{fact.name}: its handler ({target}) is not installed yet.")
            continue
        log.info("no Prefect server: handling %s of event %s here", fact.name, fact.event_id)
        report.inline.append(Handled(fact.name, fact.event_id, handler(fact.event_id)))
    return report


def load_handler(target: str) -> Callable[[int], object] | None:
    """The function named "module:function", or None when that module does not exist yet."""
    module_name, _, attribute = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and module_name.startswith(exc.name):
            return None
        raise
    return getattr(module, attribute, None)


class Publishing:
    """The report of a `publishing()` block, filled in once it has committed."""

    report: AfterCommitReport | None = None

    def lines(self) -> list[str]:
        """What happened after the commit, for the CLI."""
        return self.report.lines() if self.report else []


@contextmanager
def publishing(
    url: str | None = None, *, inline: bool = True
) -> Iterator[tuple[Session, Publishing]]:
    """A unit of work that, once committed, emits the domain events it stored (after_commit)."""
    stored: list[DomainEvent] = []
    outcome = Publishing()
    with unit_of_work(url) as session:

        @sa_event.listens_for(session, "before_flush")
        def _collect(s: Session, _context: object, _instances: object) -> None:
            stored.extend(o for o in s.new if isinstance(o, DomainEvent))

        yield session, outcome
    outcome.report = after_commit((row.id for row in stored), inline=inline)


def _run(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to the end from sync code, even when this thread has a running loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    result: list[T] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            result.append(asyncio.run(coro))
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=target, name="acara-bus")
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return result[0]
