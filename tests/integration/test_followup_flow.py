"""The follow-up flows on the Prefect test server, with a controlled clock."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session

from flows.followup import follow_up, follow_up_sweep
from models.event import Event, EventStatus
from models.minutes_rules import approve_minutes
from tests.followup_helpers import ENDS, HUMAS, held_visit, owed


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the flow adds no SQL of its own
def test_the_follow_up_flow_thanks_asks_drafts_and_reports_then_the_sweep_chases(
    prefect_harness: None, session: Session, acara_env: Path
) -> None:
    event = held_visit(session)
    approve_minutes(session, event, actor="test", now=ENDS + timedelta(hours=2))
    session.commit()
    result = follow_up(event.id, ENDS + timedelta(hours=3))
    assert result["owed"]["thank_you"] == 28 and result["owed"]["survey"] == 30
    assert result["sent"]["sent"] == 31 + 28 + 30  # minutes, thanks and surveys to the maildir
    assert result["press_release"].endswith(f"siaran-pers-{event.code}.md")
    assert result["reported"] is True
    session.expire_all()
    assert session.get(Event, event.id).status is EventStatus.REPORTED  # type: ignore[union-attr]
    # A week before the first due date (15 December) nothing is chased; three days before, it is.
    quiet = follow_up_sweep(ENDS + timedelta(days=3))
    assert [r["owed"]["reminders"] for r in quiet] == [0]
    chased = follow_up_sweep(ENDS + timedelta(days=4))
    assert [r["owed"]["reminders"] for r in chased] == [1]
    assert [m.recipient for m in owed(session, event, "action-reminder")] == [HUMAS]
