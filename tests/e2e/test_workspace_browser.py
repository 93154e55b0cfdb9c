"""The officers' workspace in headless Chromium: a new event from its files, a bad list, an
answer given by phone, a reschedule planned then confirmed, protocol order, a phone's width."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader
from sqlmodel import Session, col, func, select

from acara.links import make_rsvp_token
from acara.stages import invitations, planning
from models.event import Event
from models.officers import Role
from models.outbox import Message, MessageStatus
from models.people import Attendance, AttendanceStatus, RsvpStatus
from tests.conftest import EXAMPLES
from tests.web_helpers import (
    add_officer,
    browser_log_in,
    jambi_in_2099,
    on_the_day,
    participant,
    seed_event,
    upload,
)

pytestmark = pytest.mark.timeout(180)
JAMBI = "kunker-camat-jambi-2026"
KUMPEH = "camat.kumpeh@jambiprov.go.id"
PHONE = 375  # a small phone's width in CSS pixels


@contextmanager
def window(browser: Browser, width: int, height: int) -> Iterator[Page]:
    """A page in a browser window of this size, speaking Indonesian."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale="id-ID")
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def desk_page(browser: Browser) -> Iterator[Page]:
    """An officer's laptop."""
    with window(browser, 1280, 900) as page:
        yield page


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    """A 375 px wide phone."""
    with window(browser, PHONE, 740) as page:
        yield page


def events_named(session: Session, code: str) -> int:
    return session.exec(select(func.count()).select_from(Event).where(Event.code == code)).one()


def no_sideways_scroll(page: Page) -> bool:
    return bool(page.evaluate(f"document.documentElement.scrollWidth <= {PHONE}"))


def officer_on(session: Session, page: Page, server: str, path: str) -> Event:
    """The Jambi visit announced, and an officer logged in on `path` ({id}: the event's)."""
    event = seed_event(session, "kunjungan-camat-jambi.yaml")
    add_officer()
    browser_log_in(page, server, path.format(id=event.id))
    return event


def test_an_officer_uploads_the_jambi_event_and_its_list_and_sees_its_participants(
    session: Session,
    server: str,
    desk_page: Page,
    tmp_path: Path,
) -> None:
    add_officer()
    browser_log_in(desk_page, server, "/events/new")
    upload(desk_page, EXAMPLES / "kunjungan-camat-jambi.yaml", EXAMPLES / "camat_jambi.csv")
    plan = desk_page.locator("#plan")
    expect(plan).to_contain_text("peserta ditambahkan")
    expect(plan.locator("tr", has_text="peserta ditambahkan")).to_contain_text("34")
    assert events_named(session, JAMBI) == 0  # the plan is a dry run
    desk_page.get_by_role("button", name="Konfirmasi dan lanjutkan").click()
    expect(desk_page.locator("#imported")).to_contain_text("34 peserta ditambahkan")
    table = desk_page.locator("#participants tbody tr")
    expect(table).to_have_count(34)
    expect(table.first).to_contain_text("Sekretaris Daerah Kota Tangerang Selatan")
    expect(desk_page.get_by_text("Ahmad Hidayat, S.Sos., M.Si.")).to_be_visible()
    assert events_named(session, JAMBI) == 1
    # The filters: everyone is yet to answer, everyone has an e-mail address.
    expect(desk_page.locator("#filters")).to_contain_text("Belum menjawab (34)")
    expect(desk_page.locator("#filters")).to_contain_text("Tanpa e-mail (0)")
    desk_page.get_by_role("searchbox").fill("kumpeh")
    desk_page.get_by_role("button", name="Cari").click()
    expect(table).to_have_count(1)
    expect(table).to_contain_text("Camat Kumpeh")


def test_a_bad_row_in_the_list_is_shown_and_nothing_is_imported(
    session: Session,
    server: str,
    desk_page: Page,
    tmp_path: Path,
) -> None:
    roster = (EXAMPLES / "camat_jambi.csv").read_text(encoding="utf-8")
    bad = roster.replace(KUMPEH, "camat.kumpeh@", 1)  # data row 1 is row 2 of the file
    event_file, listing = jambi_in_2099(tmp_path, bad)
    add_officer()
    browser_log_in(desk_page, server, "/events/new")
    upload(desk_page, event_file, listing)
    errors = desk_page.locator("#form-errors")
    expect(errors).to_contain_text("camat_jambi.csv")
    expect(errors).to_contain_text("baris 2, kolom E-mail")
    expect(errors).to_contain_text("Tidak ada yang diubah.")
    expect(desk_page.locator("#plan")).to_have_count(0)
    assert events_named(session, JAMBI) == 0


def test_an_answer_given_by_phone_is_recorded_and_counted(
    session: Session,
    server: str,
    desk_page: Page,
) -> None:
    event = officer_on(session, desk_page, server, "/events/{id}/participants")
    camat = participant(session, event, KUMPEH)
    desk_page.get_by_role("link", name="Ahmad Hidayat, S.Sos., M.Si.").click()
    form = desk_page.locator("#record-answer")
    form.get_by_label("Akan hadir").check()
    form.get_by_label("telepon").check()
    form.get_by_role("button", name="Catat jawaban").click()
    expect(desk_page.locator("#plan")).to_contain_text("Ahmad Hidayat")
    session.refresh(camat)
    assert camat.rsvp == RsvpStatus.PENDING  # shown, not yet recorded
    desk_page.get_by_role("button", name="Konfirmasi dan lanjutkan").click()
    expect(desk_page.locator('#answers [data-answer="accepted"]')).to_have_text("Hadir: 1")
    expect(desk_page.locator("#filters")).to_contain_text("Belum menjawab (33)")
    row = desk_page.locator(f'#participants tr[data-participant="{camat.id}"]')
    expect(row).to_contain_text("Hadir")
    expect(row).to_contain_text("telepon")
    session.refresh(camat)
    assert camat.rsvp == RsvpStatus.ACCEPTED


def test_a_reschedule_shows_its_plan_and_sends_only_after_confirming(
    session: Session,
    server: str,
    desk_page: Page,
    tmp_path: Path,
) -> None:
    event_file, _ = jambi_in_2099(tmp_path)
    event_id = planning.import_event_file(event_file, actor="Rina").result.event_id
    invitations.owe_invitations(JAMBI, actor="Rina")
    assert invitations.send_owed(event_id).sent == 34

    def updates() -> int:
        return session.exec(
            select(func.count())
            .select_from(Message)
            .where(Message.purpose == "update", col(Message.status) == MessageStatus.SENT)
        ).one()

    add_officer()
    browser_log_in(desk_page, server, f"/events/{event_id}/edit")
    desk_page.get_by_label("Mulai yang baru (WIB)").fill("2099-12-09T08:30")
    desk_page.locator("#reschedule").get_by_role("button", name="Tampilkan rencana").click()
    plan = desk_page.locator("#plan")
    expect(plan).to_contain_text("Selasa, 8 Desember 2099 pukul 08.30 WIB")
    expect(plan).to_contain_text("Rabu, 9 Desember 2099 pukul 08.30 WIB")
    expect(plan.locator(".plan-messages tr", has_text="Pemberitahuan perubahan")).to_contain_text(
        "34"
    )
    assert updates() == 0
    desk_page.get_by_role("button", name="Konfirmasi dan lanjutkan").click()
    expect(desk_page.locator("#saved")).to_be_visible()
    expect(desk_page.locator("#when")).to_contain_text("Rabu, 9 Desember 2099")
    assert updates() == 34


def test_a_start_in_the_past_is_a_form_error(
    session: Session,
    server: str,
    desk_page: Page,
) -> None:
    officer_on(session, desk_page, server, "/events/{id}/edit")
    desk_page.get_by_label("Mulai yang baru (WIB)").fill("2020-12-09T08:30")
    desk_page.locator("#reschedule").get_by_role("button", name="Tampilkan rencana").click()
    expect(desk_page.locator("#reschedule #form-errors")).to_contain_text(
        "2020-12-09 08:30 WIB sudah lewat"
    )


def test_the_wali_kota_added_last_is_listed_first(
    session: Session,
    server: str,
    desk_page: Page,
) -> None:
    event = officer_on(session, desk_page, server, "/events/{id}/participants/new")
    form = desk_page.locator("#participant-form")
    form.get_by_label("Nama beserta gelar").fill("Drs. H. Benyamin Davnie")
    form.get_by_label("Jabatan").fill("Wali Kota Tangerang Selatan")
    form.get_by_label("E-mail", exact=True).fill("walikota@tangerangselatankota.go.id")
    form.get_by_label("Peran").select_option("host_official")
    form.get_by_role("button", name="Simpan").click()
    # Announced: adding someone is planned first (the invitation goes with `acara invite`).
    desk_page.get_by_role("button", name="Konfirmasi dan lanjutkan").click()
    rows = desk_page.locator("#participants tbody tr")
    expect(rows).to_have_count(35)
    expect(rows.first).to_contain_text("Drs. H. Benyamin Davnie")
    expect(rows.nth(1)).to_contain_text("Sekretaris Daerah")
    desk_page.goto(f"{server}/events/{event.id}/attendance")
    expect(desk_page.locator("tbody tr").first).to_contain_text("Drs. H. Benyamin Davnie")
    daftar_hadir = desk_page.request.get(f"{server}/events/{event.id}/documents/daftar-hadir.pdf")
    assert daftar_hadir.ok
    pdf = PdfReader(io.BytesIO(daftar_hadir.body()))
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert text.index("Benyamin Davnie") < text.index("Muhamad") < text.index("Iskandar")


def test_the_participants_list_the_desk_and_the_rsvp_page_fit_a_phone(
    session: Session,
    server: str,
    phone: Page,
) -> None:
    event = officer_on(session, phone, server, "/events/{id}/participants")
    camat = participant(session, event, KUMPEH)
    expect(phone.locator("#participants tbody tr")).to_have_count(34)
    assert no_sideways_scroll(phone)
    for target in (f"/events/{event.id}/desk", f"/events/{event.id}/participants/{camat.id}"):
        phone.goto(f"{server}{target}")
        expect(phone.get_by_role("heading", level=1)).to_be_visible()
        assert no_sideways_scroll(phone), target
    phone.goto(f"{server}/rsvp/{make_rsvp_token(camat.id, event.id)}")
    expect(phone.get_by_role("button", name="Ya, saya hadir")).to_be_visible()
    assert no_sideways_scroll(phone)


def test_the_attendance_list_is_searched_and_the_one_found_marked(
    session: Session,
    server: str,
    desk_page: Page,
) -> None:
    event = seed_event(session, "kunjungan-camat-jambi.yaml")
    camat = participant(session, event, KUMPEH)
    add_officer()
    with on_the_day(event):
        browser_log_in(desk_page, server, f"/events/{event.id}/attendance")
        desk_page.get_by_role("searchbox").fill("kumpeh")
        desk_page.get_by_role("button", name="Cari").click()
        rows = desk_page.locator("tbody tr")
        expect(rows).to_have_count(1)
        desk_page.get_by_label("Ahmad Hidayat, S.Sos., M.Si.").check()
        desk_page.locator("#bulk-status").select_option("excused")
        desk_page.get_by_role("button", name="Simpan").click()
        expect(desk_page.locator("#marked")).to_contain_text("1 peserta")
        expect(rows).to_have_count(1)  # the search stays
        expect(rows.first).to_contain_text("Izin")
    marked = session.exec(select(Attendance).where(Attendance.participant_id == camat.id)).one()
    assert marked.status == AttendanceStatus.EXCUSED


def test_a_guest_without_a_code_is_found_by_name_at_the_desk_and_checked_in(
    session: Session,
    server: str,
    phone: Page,
) -> None:
    event = seed_event(session, "kunjungan-camat-jambi.yaml")
    camat = participant(session, event, KUMPEH)
    add_officer("Dedi", Role.DESK)
    with on_the_day(event):
        browser_log_in(phone, server, f"/events/{event.id}/desk", name="Dedi")
        phone.get_by_role("searchbox").fill("ahmad hidayat")
        phone.get_by_role("button", name="Cari").click()
        found = phone.locator("#found li")
        expect(found).to_have_count(1)
        expect(found).to_contain_text("Camat Kumpeh")
        assert no_sideways_scroll(phone)
        found.get_by_role("button", name="Catat hadir").click()
        expect(phone.locator("#result")).to_contain_text("Ahmad Hidayat, S.Sos., M.Si.")
        expect(phone.get_by_text("1 dari 34 peserta hadir")).to_be_visible()
    marked = session.exec(select(Attendance).where(Attendance.participant_id == camat.id)).one()
    assert marked.status == AttendanceStatus.PRESENT and marked.method == "manual"


def test_a_ketua_rw_without_e_mail_is_added_by_phone_and_shown_as_reached_by_letter_and_chat(
    session: Session,
    server: str,
    desk_page: Page,
) -> None:
    officer_on(session, desk_page, server, "/events/{id}/participants/new")
    form = desk_page.locator("#participant-form")
    form.get_by_label("Nama beserta gelar").fill("Haji Mursid")
    form.get_by_label("Jabatan").fill("Ketua RW 05 Kelurahan Serua")
    form.get_by_label("Telepon").fill("0812-1111-2222")
    form.get_by_label("Alamat surat").fill("Jl. Raya Serua No. 5, Ciputat")
    form.get_by_label("Peran").select_option("community")
    form.get_by_role("button", name="Simpan").click()
    desk_page.get_by_role("button", name="Konfirmasi dan lanjutkan").click()
    expect(desk_page.locator("#filters")).to_contain_text("Tanpa e-mail (1)")
    desk_page.get_by_role("link", name="Tanpa e-mail (1)").click()
    rows = desk_page.locator("#participants tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Haji Mursid")
    expect(rows.first).to_contain_text("+6281211112222")
    expect(rows.first).to_contain_text("Surat dan WhatsApp")
