"""Fixtures for the fault tests: a real event with invitations owed, and the SMTP sink."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session, col, select

from acara import db as acara_db
from acara.eventfile import read_event_file
from acara.messages.channels import Transport
from acara.messages.channels.email import transport_from_url
from models.event import Event
from models.invitations import invite
from models.people import Participant, Person
from models.planning import import_event
from tests.conftest import EXAMPLES
from tests.smtp_server import SmtpSink

# For the long variants: PostgreSQL is where several workers share one outbox in production.
ONLY_POSTGRES = pytest.mark.parametrize("db_url", ["postgres"], indirect=True)


@dataclass(frozen=True, slots=True)
class Invited:
    """An announced event whose invitations are owed (queued in the outbox)."""

    db_url: str
    event_id: int
    emails: tuple[str, ...]


def invite_example(session: Session, db_url: str, name: str = "fkp-volume-3.yaml") -> Invited:
    """Import an example event file, announce it and owe everyone an invitation."""
    spec, rows = read_event_file(EXAMPLES / name)
    result = import_event(session, spec, rows, actor="test")
    event = session.get(Event, result.event_id)
    assert event is not None
    invite(session, event, actor="test")
    session.commit()
    emails = session.exec(
        select(Person.email)
        .join(Participant, col(Participant.person_id) == Person.id)
        .where(Participant.event_id == result.event_id)
    ).all()
    return Invited(db_url, result.event_id, tuple(sorted(emails)))


@pytest.fixture
def forum(session: Session, db_url: str) -> Invited:
    """FKP Volume-3: 150 Ketua RW plus civil servants and media, invitations owed."""
    return invite_example(session, db_url)


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    """A healthy SMTP server on 127.0.0.1 (tests turn on its faults)."""
    with SmtpSink() as server:
        yield server


def smtp(url: str, tmp_path: Path, **options: object) -> Transport:
    """acara's SMTP transport with short back-off, so retries fit in a test."""
    # The test sink offers no TLS: let a login go over it (production refuses that by default).
    options = {
        "backoff": (0.05, 0.2),
        "max_attempts": 4,
        "workers": 4,
        "allow_plaintext_auth": True,
        **options,
    }
    return transport_from_url(url, maildir=tmp_path / "unused", **options)  # type: ignore[arg-type]


def statuses(db_url: str, event_id: int) -> Counter[str]:
    """How many outbox rows of the event are in each state."""
    with acara_db.engine_for(db_url).connect() as conn:
        rows = conn.execute(
            text("SELECT status, count(*) FROM message WHERE event_id = :e GROUP BY status"),
            {"e": event_id},
        ).all()
    return Counter({str(status): int(n) for status, n in rows})


def received_per_recipient(sink: SmtpSink) -> Counter[str]:
    """How many messages each address got."""
    return Counter(address.lower() for r in sink.messages for address in r.rcpt_tos)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Write what the fault tests measured into BENCHMARKS.md, beside the speed figures."""
    from bench import faults
    from tests.faults.figures import RECORDED

    if RECORDED:
        faults.write_into()
