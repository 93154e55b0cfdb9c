"""Minutes and follow-up mail through the outbox to a real SMTP server (aiosmtpd), once each."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from acara.stages import followup
from acara.stages import minutes as minutes_stage
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


def test_approving_mails_the_minutes_once_to_everyone_present_with_the_pdf(
    session: Session, sink: SmtpSink
) -> None:
    event = held_visit(session)
    first = minutes_stage.approve(
        event.code, actor="cli", now=ENDS + timedelta(hours=2), follow_up=False
    )
    assert first.delivery is not None
    assert (first.delivery.sent, first.delivery.failed, first.delivery.retry) == (31, 0, 0)
    # Approving again and sending again: nothing is owed, nothing is sent.
    again = minutes_stage.approve(
        event.code, actor="cli", now=ENDS + timedelta(days=1), follow_up=False
    )
    assert again.queued == 0 and again.delivery is not None and again.delivery.sent == 0
    assert followup.send(event.id, ["minutes"]).sent == 0
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


def test_approval_thanks_the_delegation_at_once_and_never_twice(
    session: Session, sink: SmtpSink
) -> None:
    event = held_visit(session)
    approved = minutes_stage.approve(event.code, actor="cli", now=ENDS + timedelta(hours=2))
    # No Prefect server: acara.minutes.approved's follow-up ran here, after the minutes went out.
    assert any(
        "acara.minutes.approved handled here" in line and "owed 28 thank-you" in line
        for line in approved.bus_lines
    ), approved.bus_lines

    def thanks() -> list[str]:
        return [
            to
            for r in sink.messages
            if r.message()["Subject"].startswith("Terima kasih")
            for to in r.rcpt_tos
        ]

    assert len(thanks()) == 28 == len(set(thanks()))
    for hours in (3, 4):
        followup.run(event.code, ENDS + timedelta(hours=hours))
    assert len(thanks()) == 28
    letter = sink.received_by(KABAN)
    subjects = sorted(r.message()["Subject"].split(":")[0] for r in letter)
    assert subjects == ["Notulen", "Survei kepuasan", "Terima kasih"]
    # Every one of them comes from the host, Kota Tangerang Selatan, under its kop.
    for received in letter:
        mail = received.message()
        assert mail["From"].addresses[0].addr_spec == "protokol@tangerangselatankota.go.id"
        text = mail.get_body(("plain",)).get_content()
        assert text.startswith("PEMERINTAH KOTA TANGERANG SELATAN")
