"""The invitation flows on the Prefect test server: invite, move, cancel, each message once."""

from __future__ import annotations

import asyncio
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
from sqlmodel import Session, select

from acara.eventfile import read_event_file
from acara.messages.channels.email import transport_from_settings
from acara.settings import get_settings
from flows.invitations import cancel_event, send_invitations, send_updates
from models import lifecycle
from models.errors import InvalidInput
from models.event import Event
from models.outbox import Message
from models.planning import import_event
from tests.conftest import EXAMPLES
from tests.smtp_server import SmtpSink


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the flows add no SQL of their own
def test_invite_reschedule_and_cancel_flows_send_each_message_once(
    prefect_harness: None,
    session: Session,
    acara_env: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    spec, rows = read_event_file(EXAMPLES / "penandatanganan-mou-ombudsman.yaml")
    event_id = import_event(session, spec, rows, actor="test").event_id
    session.commit()
    with SmtpSink() as sink:
        monkeypatch.setenv("ACARA_SMTP_URL", sink.url)
        get_settings.cache_clear()
        first = send_invitations(event_id)
        assert (first["owed"], first["sent"], first["failed"]) == (8, 8, [])
        again = send_invitations(event_id)  # a duplicate trigger is harmless
        assert (again["owed"], again["sent"], again["already_sent"]) == (0, 0, 8)

        event = session.get(Event, event_id)
        assert event is not None
        lifecycle.reschedule(session, event, event.starts_at.replace(hour=6), actor="test")
        session.commit()
        moved = send_updates(event_id)
        assert (moved["owed"], moved["sent"]) == (8, 8)

        cancelled = cancel_event(event_id, "Kepala Perwakilan berhalangan")
        assert (cancelled["owed"], cancelled["sent"]) == (8, 8)
        assert cancel_event(event_id)["sent"] == 0

        got = Counter(a for r in sink.messages for a in r.rcpt_tos)
        methods = [
            str(Calendar.from_ical(part.get_payload(decode=True))["METHOD"])
            for r in sink.received_by("banten@ombudsman.go.id")
            for part in r.message().walk()
            if part.get_content_type() == "text/calendar"
        ]
    assert set(got.values()) == {3} and len(got) == 8
    assert methods == ["REQUEST", "REQUEST", "CANCEL"]
    session.expire_all()
    assert len(session.exec(select(Message)).all()) == 24


def _run_and_artifacts(run_id: object) -> tuple[str, dict[str, Any]]:
    """The run's name and its artifacts by type."""
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    async def read() -> tuple[str, dict[str, Any]]:
        async with get_client() as client:
            runs = await client.read_flow_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[run_id]))
            )
            artifacts = await client.read_artifacts(
                artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[run_id]))
            )
            return runs[0].name, {a.type: a for a in artifacts}

    return asyncio.run(read())


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_flow_run_is_named_after_the_event_in_jakarta_time_and_shows_what_it_did(
    prefect_harness: None, session: Session, acara_env: Path
) -> None:
    spec, rows = read_event_file(EXAMPLES / "penandatanganan-mou-ombudsman.yaml")
    event_id = import_event(session, spec, rows, actor="test").event_id
    session.commit()
    state = send_invitations(event_id, return_state=True)
    assert state.is_completed()

    name, artifacts = _run_and_artifacts(state.state_details.flow_run_id)
    assert re.fullmatch(
        r"send-invitations · mou-ombudsman-banten-2027 · \d{4}-\d\d-\d\d \d\d\.\d\d WIB", name
    )
    (row,) = json.loads(artifacts["table"].data)
    assert row == {
        "channel": "e-mail",
        "owed": 8,
        "sent": 8,
        "failed": 0,
        "retrying": 0,
        "superseded": 0,
        "already sent before": 0,
    }
    summary = artifacts["markdown"].data
    assert "mou-ombudsman-banten-2027" in summary and "WIB" in summary and "8 sent" in summary


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_an_announcement_that_arrives_after_the_cancellation_ends_the_run_quietly(
    prefect_harness: None, session: Session, acara_env: Path
) -> None:
    spec, rows = read_event_file(EXAMPLES / "penandatanganan-mou-ombudsman.yaml")
    event_id = import_event(session, spec, rows, actor="test").event_id
    event = session.get(Event, event_id)
    assert event is not None
    lifecycle.apply(session, event, lifecycle.Action.ANNOUNCE, actor="test")
    lifecycle.cancel(session, event, actor="test", reason="Kepala Perwakilan berhalangan")
    session.commit()

    state = send_invitations(event_id, return_state=True)  # the late acara.event.announced
    assert state.is_completed()  # not FAILED: nobody has to act
    result = state.result()
    assert result["skipped"] == (
        "nothing to do: mou-ombudsman-banten-2027 is cancelled (its cancellation replaces this)"
    )
    _, artifacts = _run_and_artifacts(state.state_details.flow_run_id)
    assert "Nothing to do" in artifacts["markdown"].data
    assert session.exec(select(Message)).all() == []  # nothing owed, nothing sent

    # An update for a change that a later one replaced ends the same way.
    assert "cancelled" in send_updates(event_id, sequence=0)["skipped"]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_smtp_password_can_come_from_a_prefect_secret_block(
    prefect_harness: None, session: Session, acara_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prefect.blocks.system import Secret

    Secret(value="rahasia-protokol").save("acara-smtp-password", overwrite=True)
    spec, rows = read_event_file(EXAMPLES / "penandatanganan-mou-ombudsman.yaml")
    event_id = import_event(session, spec, rows, actor="test").event_id
    session.commit()
    with SmtpSink(require_auth=("protokol", "rahasia-protokol")) as sink:
        monkeypatch.setenv("ACARA_SMTP_URL", sink.url)
        monkeypatch.setenv("ACARA_SMTP_USERNAME", "protokol")
        monkeypatch.setenv("ACARA_SMTP_PASSWORD_BLOCK", "acara-smtp-password")
        monkeypatch.setenv("ACARA_SMTP_ALLOW_PLAINTEXT_AUTH", "true")  # the sink has no TLS
        get_settings.cache_clear()
        result = send_invitations(event_id)
        assert result["sent"] == 8 and sink.count == 8 and sink.auth_failures == 0
        monkeypatch.setenv("ACARA_SMTP_PASSWORD_BLOCK", "no-such-block")
        get_settings.cache_clear()
        with pytest.raises(InvalidInput, match="ACARA_SMTP_PASSWORD_BLOCK"):
            transport_from_settings()
