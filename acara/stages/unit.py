"""The unit of work a stage command opens: commit, then publish the facts it recorded."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlmodel import Session

from acara import bus
from models.events import DomainFact


def _react(fact: DomainFact) -> object | None:
    # Imported when a fact needs it: the reaction table imports every stage module.
    from acara.stages.reactions import react

    return react(fact)


@contextmanager
def change(
    *, react: bool = True, defer: bool = False, dry_run: bool = False
) -> Iterator[tuple[Session, bus.Publishing]]:
    """Commit the block, then publish its facts; with no Prefect server, react to them here.

    react=False: the caller does the fact's work itself right after (`acara invite` sends
    with a progress bar); the facts still reach a running server. defer=True: the caller
    publishes later (`Publishing.publish()`, a web route's background task). dry_run=True:
    the block runs and is rolled back, to show its plan.
    """
    with bus.publishing(_react if react else None, defer=defer, dry_run=dry_run) as pair:
        yield pair
