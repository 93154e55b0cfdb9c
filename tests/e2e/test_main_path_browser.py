"""Issue 12's main path in headless Chromium: an officer runs the Jambi visit from the browser.

Log in; a list with a bad row is refused by row; the event and its list are uploaded; a
letter is previewed (the e-mail and the PDF); the invitations go out after confirming while
the page shows the progress to the end (a real SMTP server); an answer given by phone is
recorded; on the day a camat is checked in at the desk; the minutes are uploaded and approved
after confirming; every document is downloaded and its text read back. The visit is moved to
2099, so the real clock never gets in the way; its day is reached with the clock moved.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader
from sqlmodel import Session, select

from acara.links import checkin_code
from models.event import Event
from models.people import RsvpStatus
from tests.conftest import EXAMPLES
from tests.smtp_server import SmtpSink
from tests.web_helpers import (
    add_officer,
    browser_log_in,
    jambi_in_2099,
    on_the_day,
    participant,
    upload,
)

pytestmark = pytest.mark.timeout(300)
CODE = "kunker-camat-jambi-2026"
KUMPEH = "camat.kumpeh@jambiprov.go.id"
CAMAT = "Ahmad Hidayat, S.Sos., M.Si."
PEOPLE = 34


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())


def notulen_in_2099(folder: Path) -> Path:
    """The example notulen with its due dates moved along with the visit."""
    text = EXAMPLES.joinpath("notulen-kunker-camat-jambi.md").read_text(encoding="utf-8")
    path = folder / "notulen-kunker-camat-jambi.md"
    path.write_text(text.replace("2026-", "2099-").replace("2027-", "2100-"), encoding="utf-8")
    return path


def test_an_officer_runs_the_jambi_visit_from_the_browser(
    session: Session, server: str, browser: Browser, sink: SmtpSink, tmp_path: Path
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
    context.set_default_timeout(20_000)
    page: Page = context.new_page()
    add_officer("Rina")

    # 1. Log in, on the way to a new event.
    browser_log_in(page, server, "/events/new")

    # 3. A list with a bad row: the row is named, nothing is imported.
    roster = (EXAMPLES / "camat_jambi.csv").read_text(encoding="utf-8")
    bad_folder = tmp_path / "bad"
    bad_folder.mkdir()
    upload(page, *jambi_in_2099(bad_folder, roster.replace(KUMPEH, "camat.kumpeh@", 1)))
    expect(page.locator("#form-errors")).to_contain_text("baris 2, kolom E-mail")
    assert session.exec(select(Event).where(Event.code == CODE)).first() is None

    # 2. The Jambi event and its list.
    upload(page, *jambi_in_2099(tmp_path))
    page.get_by_role("button", name="Konfirmasi dan lanjutkan").click()
    expect(page.locator("#imported")).to_contain_text(f"{PEOPLE} peserta ditambahkan")
    event = session.exec(select(Event).where(Event.code == CODE)).one()
    camat = participant(session, event, KUMPEH)

    # 4. Preview a letter: the e-mail as it will be sent, and the PDF surat undangan.
    page.locator(".event-nav").get_by_role("link", name="Undangan").click()
    expect(page.locator("#plan .plan-messages")).to_contain_text(str(PEOPLE))
    page.locator(f'tr[data-participant="{camat.id}"]').get_by_role("link", name="Pratinjau").click()
    expect(page.locator("#email-to")).to_contain_text(KUMPEH)
    expect(page.locator("#email-subject")).to_contain_text("Kunjungan Kerja")
    expect(page.locator("#email-attachments")).to_contain_text("invite.ics")
    frame = page.frame_locator(".email-frame")
    expect(frame.locator("body")).to_contain_text("Kelompok 1 - Pamulang")
    letter = page.request.get(f"{server}{page.locator('#letter-pdf').get_attribute('href')}")
    text = pdf_text(letter.body())
    assert CAMAT in text and "Nomor" in text and "NIP" in text
    assert sink.count == 0  # looking sends nothing

    # 5. Send after confirming; the page follows the outbox to the end.
    page.get_by_role("link", name="Kembali ke undangan").click()
    page.locator("#send").get_by_label("Saya sudah memeriksa rencana").check()
    page.get_by_role("button", name=f"Kirim {PEOPLE} pesan").click()
    expect(page).to_have_url(f"{server}/events/{event.id}/invitations/progress?by=here")
    expect(page.locator("#finished")).to_be_visible(timeout=90_000)
    expect(page.locator('[data-status="sent"]')).to_have_text(str(PEOPLE))
    expect(page.locator('[data-status="failed_permanent"]')).to_have_text("0")
    assert sink.wait_for(PEOPLE, timeout=10) and sink.count == PEOPLE

    # 6. An answer given by phone.
    page.goto(f"{server}/events/{event.id}/participants")
    page.get_by_role("link", name=CAMAT).click()
    form = page.locator("#record-answer")
    form.get_by_label("Akan hadir").check()
    form.get_by_label("telepon").check()
    form.get_by_role("button", name="Catat jawaban").click()
    page.get_by_role("button", name="Konfirmasi dan lanjutkan").click()
    expect(page.locator(f'#participants tr[data-participant="{camat.id}"]')).to_contain_text(
        "telepon"
    )
    session.refresh(camat)
    assert camat.rsvp == RsvpStatus.ACCEPTED

    with on_the_day(event):
        # 7. On the day, the camat is checked in at the desk (a QR scanner types the code).
        browser_log_in(page, server, f"/events/{event.id}/desk")
        page.locator("#code").fill(checkin_code(camat.id, event.id))
        page.locator("form.desk-form button").click()
        expect(page.locator("#result")).to_contain_text(CAMAT)

        # 8. The minutes: uploaded, the visit recorded as held, approved after confirming.
        page.goto(f"{server}/events/{event.id}/minutes")
        page.locator('input[name="file"]').set_input_files(notulen_in_2099(tmp_path))
        page.get_by_role("button", name="Unggah").click()
        expect(page.locator("#done")).to_contain_text("draf")
        expect(page.locator("#decisions li").first).to_be_visible()
        expect(page.locator("#not-yet")).to_be_visible()
        page.locator("#approve").get_by_label("Acara sudah berlangsung").check()
        page.get_by_role("button", name="Catat sudah terlaksana").click()
        expect(page.locator("#plan")).to_contain_text("Notulen")
        page.locator("#approve").get_by_label("Saya sudah membaca notulen").check()
        page.get_by_role("button", name="Setujui dan kirim").click()
        expect(page.locator("#approved-by")).to_contain_text("Disetujui oleh Rina")

        # 9. Every document, downloaded and read back.
        page.locator(".event-nav").get_by_role("link", name="Dokumen").click()
        row = page.locator("#doc-attendance")
        with page.expect_download() as started:
            row.get_by_role("link", name="PDF").click()
        attendance = pdf_text(Path(started.value.path()).read_bytes())
        assert "DAFTAR HADIR" in attendance.upper() and CAMAT in attendance
        with page.expect_download() as started:
            row.get_by_role("link", name="CSV").click()
        assert CAMAT in Path(started.value.path()).read_text(encoding="utf-8-sig")
        row = page.locator("#doc-minutes")
        with page.expect_download() as started:
            row.get_by_role("link", name="PDF").click()
        minutes = pdf_text(Path(started.value.path()).read_bytes())
        assert "NOTULEN" in minutes.upper() and "oleh Rina" in minutes
        with page.expect_download() as started:
            row.get_by_role("link", name="HTML").click()
        assert "SPPT online" in Path(started.value.path()).read_text(encoding="utf-8")
        row = page.locator("#doc-press")
        with page.expect_download() as started:
            row.get_by_role("link", name="Markdown").click()
        press = Path(started.value.path()).read_text(encoding="utf-8")
        assert "Jambi" in press and "Kami punya tujuh kecamatan" in press
        with page.expect_download() as started:
            row.get_by_role("link", name="HTML").click()
        assert "Jambi" in Path(started.value.path()).read_text(encoding="utf-8")
        row = page.locator("#doc-letters")
        # 34 letters in one PDF: WeasyPrint takes its time on a busy machine.
        with page.expect_download(timeout=120_000) as started:
            row.get_by_role("link", name="Semua", exact=True).click(timeout=120_000)
        letters = pdf_text(Path(started.value.path()).read_bytes())
        assert CAMAT in letters and "Nomor" in letters
    context.close()
