"""Minutes and follow-up mail through the outbox to a real SMTP server (aiosmtpd), once each."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session

from acara import followup
from acara.settings import get_settings
from tests.followup_helpers import (
    ABSENT,
    ENDS,
    EXCUSED,
    HUMAS,
    KABAN,
    held_visit,
    pdf_text,
)
from tests.smtp_server import SmtpSink


@pytest.fixture
def sink(acara_env: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpSink]:
    """An SMTP server the settings point at (acara's transport reuses its connections)."""
    with SmtpSink() as server:
        monkeypatch.setenv("ACARA_SMTP_URL", server.url)
        get_settings.cache_clear()
        yield server


def test_approving_mails_the_minutes_once_to_everyone_present_with_the_pdf(
    session: Session, sink: SmtpSink
) -> None:
    event = held_visit(session)
    followup.approve(event.code, actor="cli", now=ENDS + timedelta(hours=2))
    first = followup.send(event.id, ["minutes"])
    assert (first.sent, first.failed, first.retry) == (31, 0, 0)
    # Approving again and sending again: nothing is owed, nothing is sent.
    again = followup.approve(event.code, actor="cli", now=ENDS + timedelta(days=1))
    second = followup.send(event.id, ["minutes"])
    assert again.queued == 0 and second.sent == 0
    assert sink.count == 31
    addressed = {address for received in sink.messages for address in received.rcpt_tos}
    assert len(addressed) == 31 and HUMAS in addressed
    assert not addressed & {ABSENT, *EXCUSED}
    mail = sink.received_by(HUMAS)[0].message()
    assert mail["Subject"] == "Notulen: Kunjungan Kerja Camat se-Provinsi Jambi"
    assert (
        "Tindak lanjut yang menjadi tanggung jawab Ibu" in mail.get_body(("plain",)).get_content()
    )
    (pdf,) = [part for part in mail.iter_attachments() if part.get_filename()]
    assert pdf.get_filename() == "notulen-kunker-camat-jambi-2026.pdf"
    text = pdf_text(pdf.get_content())
    assert "Kedua pihak menjajaki kunjungan balasan" in text and "DAFTAR HADIR" in text


def test_the_follow_up_thanks_the_delegation_once_however_often_it_runs(
    session: Session, sink: SmtpSink
) -> None:
    event = held_visit(session)
    followup.approve(event.code, actor="cli", now=ENDS + timedelta(hours=2))
    for hours in (3, 4):
        followup.run(event.code, ENDS + timedelta(hours=hours))
    thanks = [r for r in sink.messages if r.message()["Subject"].startswith("Terima kasih")]
    assert len(thanks) == 28 == len({r.rcpt_tos for r in thanks})
    letter = sink.received_by(KABAN)
    subjects = sorted(r.message()["Subject"].split(":")[0] for r in letter)
    assert subjects == ["Notulen", "Survei kepuasan", "Terima kasih"]
