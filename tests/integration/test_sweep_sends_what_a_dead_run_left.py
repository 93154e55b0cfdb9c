"""The reminder sweep sends what a run that died left, of every kind, not only reminders."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlmodel import Session, col, select

from acara.eventfile import read_event_file
from acara.settings import get_settings
from acara.stages import invitations
from acara.stages.reminders import sweep
from models import lifecycle
from models.event import Event
from models.outbox import Message, MessageStatus
from models.planning import import_event
from tests.conftest import EXAMPLES
from tests.smtp_server import SmtpSink

DEAD = f"{socket.gethostname()[:40]}:999999:deadbeef"  # a process on this machine that is gone


def test_the_sweep_sends_invitations_and_updates_a_dead_run_left_queued_or_in_flight(
    session: Session, acara_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec, rows = read_event_file(EXAMPLES / "penandatanganan-mou-ombudsman.yaml")
    event_id = import_event(session, spec, rows, actor="test").event_id
    session.commit()
    # The run owed 8 invitations, claimed 3 and died before sending any of them.
    assert invitations.owe_invitations(event_id, actor="test").messages == 8
    three = list(session.exec(select(Message.id).order_by(col(Message.id)).limit(3)))
    session.exec(  # type: ignore[call-overload]
        update(Message)
        .where(col(Message.id).in_(three))
        .values(status=MessageStatus.SENDING, claimed_by=DEAD)
    )
    session.commit()

    with SmtpSink() as sink:
        monkeypatch.setenv("ACARA_SMTP_URL", sink.url)
        get_settings.cache_clear()
        report = sweep()
        assert report.sent == 8 and sink.count == 8
        assert "left in flight by a stopped run were queued again" in report.delivery_note

        # An update that a run owed and never sent goes out with the next sweep too.
        event = session.get(Event, event_id)
        assert event is not None
        lifecycle.reschedule(session, event, event.starts_at.replace(hour=2), actor="test")
        session.commit()
        invitations.owe_changes(event_id)
        assert sweep().sent == 8 and sink.count == 16
        assert sweep().sent == 0  # nothing twice

    session.expire_all()
    statuses = {m.status for m in session.exec(select(Message))}
    assert statuses == {MessageStatus.SENT}
