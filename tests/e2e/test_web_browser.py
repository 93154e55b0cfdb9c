"""Headless Chromium against a real uvicorn server: RSVP, representative, dashboard, check-in."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session, select

from acara.links import checkin_code, make_rsvp_token
from models.lifecycle import cancel
from models.outbox import Message
from models.people import Attendance, AttendanceStatus, Participant, RsvpStatus
from tests.web_helpers import (
    add_officer,
    browser_log_in,
    on_the_day,
    participant,
    participants_in_order,
    seed_event,
)

KUMPEH = "camat.kumpeh@jambiprov.go.id"
pytestmark = pytest.mark.timeout(180)


def fresh(session: Session, row: Participant) -> Participant:
    session.refresh(row)
    return row


def test_a_camat_accepts_from_the_link_in_the_invitation_on_a_phone(
    session: Session, server: str, page: Page
) -> None:
    event = seed_event(session, "kunjungan-camat-jambi.yaml")
    camat = participant(session, event, KUMPEH)
    page.goto(f"{server}/rsvp/{make_rsvp_token(camat.id, event.id)}")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Kunjungan Kerja Camat se-Provinsi Jambi"
    )
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_role("button", name="Ya, saya hadir").click()
    expect(page.locator("#done")).to_contain_text("Kehadiran Anda telah kami catat.")
    expect(page.locator("#status")).to_have_text("Hadir")
    assert fresh(session, camat).rsvp == RsvpStatus.ACCEPTED
    # Accepted: the page now offers the check-in card with its QR code.
    page.get_by_role("link", name="Kartu registrasi (QR)").click()
    expect(page.locator("#code")).to_have_text(checkin_code(camat.id, event.id))
    expect(page.locator(".qr svg")).to_be_visible()


def test_a_camat_declines_then_sends_a_representative_who_is_invited(
    session: Session, server: str, page: Page
) -> None:
    event = seed_event(session, "kunjungan-camat-jambi.yaml")
    camat = participant(session, event, KUMPEH)
    page.goto(f"{server}/rsvp/{make_rsvp_token(camat.id, event.id)}")
    page.get_by_role("button", name="Tidak dapat hadir", exact=True).click()
    expect(page.locator("#status")).to_have_text("Tidak hadir")
    assert fresh(session, camat).rsvp == RsvpStatus.DECLINED
    # After a decline the representative form is already open.
    page.get_by_label("Nama wakil (dengan gelar)").fill("Rahmat Hidayat, S.STP.")
    page.get_by_label("Jabatan wakil").fill("Sekretaris Kecamatan Kumpeh")
    page.get_by_label("E-mail wakil").fill("sekcam.kumpeh@jambiprov.go.id")
    page.get_by_role("button", name="Kirim nama wakil").click()
    expect(page.locator("#status")).to_have_text("Diwakilkan")
    expect(page.get_by_text("Rahmat Hidayat, S.STP.")).to_be_visible()
    expect(page.get_by_role("button", name="Ya, saya hadir")).to_have_count(0)
    assert fresh(session, camat).rsvp == RsvpStatus.REPRESENTED
    message = session.exec(
        select(Message).where(Message.recipient == "sekcam.kumpeh@jambiprov.go.id")
    ).one()
    stand_in = session.get(Participant, message.participant_id)
    assert message.purpose == "representative" and stand_in is not None
    assert stand_in.represents_id == camat.id and stand_in.group_id == camat.group_id


def test_a_cancelled_events_page_says_dibatalkan_and_why_on_a_phone(
    session: Session, server: str, page: Page
) -> None:
    event = seed_event(session, "kunjungan-camat-jambi.yaml")
    cancel(session, event, actor="test", reason="Bertepatan dengan agenda Gubernur Jambi")
    session.commit()
    camat = participant(session, event, KUMPEH)
    page.goto(f"{server}/rsvp/{make_rsvp_token(camat.id, event.id)}?answer=accept")
    notice = page.locator("#cancelled")
    expect(notice).to_contain_text("dibatalkan")
    expect(notice).to_contain_text("Alasan: Bertepatan dengan agenda Gubernur Jambi")
    expect(page.get_by_role("button", name="Ya, saya hadir")).to_have_count(0)
    expect(page.get_by_text("Observasi layanan Kecamatan Pamulang")).to_have_count(0)


def test_an_officer_logs_in_and_reads_the_dashboard(
    session: Session, server: str, browser: Browser
) -> None:
    event = seed_event(session, "kunjungan-camat-jambi.yaml")
    people = participants_in_order(session, event)
    for person in people[:5]:
        person.rsvp = RsvpStatus.ACCEPTED
        session.add(person)
    people[5].rsvp = RsvpStatus.DECLINED
    session.add(people[5])
    session.commit()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    add_officer("Rina")
    browser_log_in(page, server, f"/events/{event.id}")
    expect(page.get_by_role("heading", level=1)).to_have_text(event.title)
    rsvp = page.locator("#rsvp-chart")
    expect(rsvp.locator('[data-count="accepted"]')).to_have_text("5")
    expect(rsvp.locator('[data-count="declined"]')).to_have_text("1")
    expect(rsvp.locator(".row")).to_have_count(5)  # Pleno, three groups, all
    page.get_by_role("link", name="per kelompok").click()
    grid = page.locator(".timetable")
    expect(grid.locator(".head")).to_have_text(
        ["", "Kelompok 1 - Pamulang", "Kelompok 2 - Setu", "Kelompok 3 - Serpong Utara"]
    )
    welcome = grid.locator(".slot", has_text="Penyambutan dan paparan Sekretaris Daerah")
    box, column = welcome.bounding_box(), grid.locator(".head").nth(1).bounding_box()
    assert box and column and box["width"] > 2.5 * column["width"]  # plenary spans all groups
    page.get_by_role("link", name="Daftar acara").first.click()
    expect(page.locator("#events")).to_contain_text("kunker-camat-jambi-2026")
    context.close()


def test_the_desk_checks_a_participant_in_once_and_marks_others_in_bulk(
    session: Session, server: str, page: Page
) -> None:
    event = seed_event(session, "kunjungan-camat-jambi.yaml")
    add_officer("Rina")
    with on_the_day(event):  # the desk opens on the event's day
        camat = participant(session, event, KUMPEH)
        browser_log_in(page, server, f"/events/{event.id}/desk")
        scan = page.get_by_placeholder("Pindai QR atau ketik kode")
        scan.fill(f"{server}/checkin/{checkin_code(camat.id, event.id)}")
        scan.press("Enter")
        expect(page.locator("#result")).to_contain_text("Selamat datang, Ahmad Hidayat")
        attendance = session.exec(
            select(Attendance).where(Attendance.participant_id == camat.id)
        ).one()
        assert attendance.status == AttendanceStatus.PRESENT and attendance.method == "qr"
        first_time = attendance.checked_in_at
        page.get_by_placeholder("Pindai QR atau ketik kode").fill(checkin_code(camat.id, event.id))
        page.get_by_role("button", name="Catat").click()
        expect(page.locator("#result")).to_contain_text("sudah registrasi")
        expect(page.locator("#result")).to_contain_text("WIB")
        session.refresh(attendance)
        assert attendance.checked_in_at == first_time

        page.get_by_role("link", name="Daftar hadir").click()
        absent = [p for p in participants_in_order(session, event) if p.id != camat.id][:2]
        for person in absent:
            page.locator(f"#p{person.id}").check()
        page.locator("#bulk-status").select_option("excused")
        page.get_by_role("button", name="Simpan").click()
        expect(page.locator("#marked")).to_have_text("2 peserta ditandai: Izin.")
        marked = session.exec(
            select(Attendance).where(Attendance.status == AttendanceStatus.EXCUSED)
        ).all()
        assert sorted(a.participant_id for a in marked) == sorted(p.id for p in absent)
