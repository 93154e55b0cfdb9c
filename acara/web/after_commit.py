"""Work that follows a committed change: emitting its domain events, sending what it queued.

Runs as a background task after the response. A failure here loses nothing: stored domain
events stay pending for the bus's re-emit sweep, queued messages stay in the outbox.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import event as sa_event
from sqlmodel import Session

from acara.web.deps import UnitOfWork
from models.audit import DomainEvent

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Committed:
    """The domain events a unit of work stored (ids are known once it has committed)."""

    facts: list[DomainEvent] = field(default_factory=list)

    @property
    def fact_ids(self) -> list[int]:
        """Ids of the stored domain events."""
        return [f.id for f in self.facts if f.id is not None]


@contextmanager
def unit_with_facts(unit_of_work: UnitOfWork) -> Iterator[tuple[Session, Committed]]:
    """A unit of work that remembers the domain events it stores, for after the commit."""
    committed = Committed()
    with unit_of_work() as session:

        @sa_event.listens_for(session, "before_flush")
        def _collect(s: Session, _context: object, _instances: object) -> None:
            committed.facts.extend(o for o in s.new if isinstance(o, DomainEvent))

        yield session, committed


def publish(fact_ids: list[int], event_id: int, purposes: tuple[str, ...]) -> None:
    """Emit the committed facts, then send the messages of these purposes (best effort)."""
    if fact_ids:
        try:
            from acara.bus import after_commit

            for line in after_commit(fact_ids).lines():
                log.info("%s", line)
        except Exception:
            log.exception("emitting facts %s failed; the re-emit sweep will retry", fact_ids)
    if purposes:
        deliver_owed(event_id, purposes)


def deliver_owed(event_id: int, purposes: tuple[str, ...]) -> None:
    """Send the queued messages of these purposes for one event (best effort)."""
    try:
        from acara.messages.delivery import deliver
    except ImportError:
        log.warning("message delivery is not available; %s stays queued in the outbox", purposes)
        return
    try:
        summary = deliver(event_id=event_id, purposes=list(purposes))
        log.info("delivered after commit: %s", summary)
    except Exception:
        log.exception("delivery of %s for event %s failed; the outbox keeps it", purposes, event_id)
