"""Within the mail server's limits: two senders together keep a relay's cap, the rest waits for
the next window, nothing is lost or sent twice (issue 14, item 8).

The fast tests use windows of a few seconds; the slow one the real 60 per minute.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session

from acara.messages import delivery
from acara.messages.delivery import DeliverySummary, deliver
from models.sendbudget import Cap, caps_from, reserve
from tests.faults.conftest import (
    ONLY_POSTGRES,
    Invited,
    invite_example,
    received_per_recipient,
    smtp,
    statuses,
)
from tests.faults.figures import record
from tests.smtp_server import SmtpSink

JAMBI = "kunjungan-camat-jambi.yaml"  # 34 participants


def _two_senders(invited: Invited, url: str, tmp_path: Path, caps: list[Cap]) -> None:
    """Two runs at once, as two workers would, each with its own connections."""
    from acara import db as acara_db

    errors: list[BaseException] = []

    def run() -> None:
        try:
            deliver(
                event_id=invited.event_id,
                transport=smtp(url, tmp_path, workers=2),
                db=acara_db.engine_for(invited.db_url),
                caps=caps,
            )
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not errors, errors


def _per_window(sink: SmtpSink, seconds: float) -> list[int]:
    counts = Counter(int(m.at // seconds) for m in sink.messages)
    return [counts[w] for w in sorted(counts)]


def _held(sink: SmtpSink, limit: int, seconds: float) -> None:
    """Never above the cap in any window, and within 5% of it in every full one."""
    windows = _per_window(sink, seconds)
    assert max(windows) <= limit, windows
    assert all(n >= 0.95 * limit for n in windows[:-1]), windows
    assert sink.rate_refusals == 0


def test_two_senders_together_keep_a_relays_cap_and_lose_nothing(
    session: Session, db_url: str, tmp_path: Path
) -> None:
    invited = invite_example(session, db_url, JAMBI)
    with SmtpSink(rate_limit=(10, 2)) as sink:
        _two_senders(invited, sink.url, tmp_path, [Cap("test", 2, 10)])
        got = received_per_recipient(sink)
        _held(sink, 10, 2)
    assert sorted(got) == list(invited.emails) and max(got.values()) == 1
    assert statuses(invited.db_url, invited.event_id) == {"sent": len(invited.emails)}


def test_what_a_spent_window_leaves_waits_for_the_next_run_without_loss_or_duplicates(
    session: Session, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from acara import db as acara_db

    invited = invite_example(session, db_url, JAMBI)
    monkeypatch.setattr(delivery, "PACE_WAIT", delivery.timedelta(0))  # never wait in the run
    cap = Cap("test", 4, 20)
    with SmtpSink(rate_limit=(20, 4)) as sink:
        # Start at the beginning of a window, so the run cannot straddle two.
        time.sleep(4 - time.time() % 4 + 0.05)
        first = deliver(
            event_id=invited.event_id,
            transport=smtp(sink.url, tmp_path),
            db=acara_db.engine_for(invited.db_url),
            caps=[cap],
        )
        assert (first.sent, first.waiting) == (20, 14)
        assert "20 sent" in str(first) and "14 wait for" in str(first)
        time.sleep(4 - time.time() % 4 + 0.05)  # the next window
        second = deliver(
            event_id=invited.event_id,
            transport=smtp(sink.url, tmp_path),
            db=acara_db.engine_for(invited.db_url),
            caps=[cap],
        )
        assert (second.sent, second.skipped, second.waiting) == (14, 20, 0)
        got = received_per_recipient(sink)
        assert sink.rate_refusals == 0
    assert sorted(got) == list(invited.emails) and max(got.values()) == 1


def test_a_daily_cap_says_the_rest_waits_for_tomorrow_midnight_wib() -> None:
    summary = DeliverySummary(destination="smtp://relay", sent=650, waiting=350)
    now = datetime.now(UTC)
    _, _, end = Cap("day", 86400, 650).window(now)
    summary.resume_at = end
    assert summary.resume_label == "tomorrow 00.00 WIB"
    assert "650 sent" in str(summary) and "350 wait for tomorrow 00.00 WIB" in str(summary)


def test_caps_come_from_the_settings_and_zero_means_none() -> None:
    assert caps_from(60, 0, 1000) == (Cap("minute", 60, 60), Cap("day", 86400, 1000))


def test_a_reservation_never_grants_more_than_is_left(session: Session, db_url: str) -> None:
    from acara import db as acara_db

    caps = [Cap("minute", 60, 60), Cap("hour", 3600, 100)]
    now = datetime(2026, 12, 8, 2, 30, 10, tzinfo=UTC)
    with acara_db.engine_for(db_url).connect() as connection:
        assert reserve(connection, caps, 50, now).granted == 50
        assert reserve(connection, caps, 50, now).granted == 10  # the minute has 10 left
        spent = reserve(connection, caps, 50, now)
        assert spent.granted == 0 and spent.retry_at == datetime(2026, 12, 8, 2, 31, tzinfo=UTC)
        later = now.replace(minute=31)
        assert reserve(connection, caps, 60, later).granted == 40  # the hour has 40 left


@pytest.mark.slow
@ONLY_POSTGRES
def test_a_relay_limit_of_60_per_minute_is_held_by_two_workers_together(
    session: Session, db_url: str, tmp_path: Path
) -> None:
    invited = invite_example(session, db_url, "fkp-volume-3.yaml")  # about 170 invitations
    with SmtpSink(rate_limit=(60, 60)) as sink:
        _two_senders(invited, sink.url, tmp_path, [Cap("minute", 60, 60)])
        got = received_per_recipient(sink)
        _held(sink, 60, 60)
        windows = _per_window(sink, 60)
    assert sorted(got) == list(invited.emails) and max(got.values()) == 1
    record(
        "relay cap 60/min, two workers",
        db_url,
        emails=invited.emails,
        got=got,
        detail=f"per minute: {', '.join(map(str, windows))}; 0 refused by the relay",
    )
