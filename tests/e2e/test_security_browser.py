"""Officer accounts in Chromium: forms from other origins refused, the desk role, the one-time
link, logout. The attacker's pages are served by a second server on another origin."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session, select

from acara.links import checkin_code, make_rsvp_token
from acara.stages import officers
from models.audit import AuditEntry
from models.officers import Role
from models.people import Attendance, RsvpStatus
from tests.web_helpers import (
    add_officer,
    browser_log_in,
    on_the_day,
    participant,
    seed_event,
)

KUMPEH = "camat.kumpeh@jambiprov.go.id"
pytestmark = pytest.mark.timeout(180)


class _Attacker(http.server.BaseHTTPRequestHandler):
    page = b""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(self.page)

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture
def attacker() -> Iterator[tuple[str, type[_Attacker]]]:
    """Another web server on 127.0.0.1 (same site, another origin); its page is set per test."""
    handler = type("Handler", (_Attacker,), {})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_address[1]}", handler
    server.shutdown()
    server.server_close()


def _form(action: str, fields: dict[str, str]) -> bytes:
    inputs = "".join(f'<input type="hidden" name="{k}" value="{v}">' for k, v in fields.items())
    return (
        f'<html><body><form method="post" action="{action}">{inputs}'
        '<button id="go">Klik untuk hadiah</button></form></body></html>'
    ).encode()


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_a_form_posted_from_another_origin_is_refused(
    session: Session,
    server: str,
    page: Page,
    attacker: tuple[str, type[_Attacker]],
    host: str,
) -> None:
    """127.0.0.1:other-port is the same site as the app (the cookie goes along); localhost is
    another site. Either way the check-in is refused with 403 and nothing is recorded."""
    event = seed_event(session, "kunjungan-camat-jambi.yaml")
    camat = participant(session, event, KUMPEH)
    add_officer("Rina")
    address, handler = attacker
    with on_the_day(event):
        browser_log_in(page, server, f"/events/{event.id}/desk")
        handler.page = _form(
            f"{server}/events/{event.id}/desk", {"code": checkin_code(camat.id, event.id)}
        )
        port = urlsplit(f"http://{address}").port
        page.goto(f"http://{host}:{port}/")
        with page.expect_response(f"{server}/events/{event.id}/desk") as answer:
            page.locator("#go").click()
        assert answer.value.status == 403
        if host == "127.0.0.1":
            expect(page.locator("#error")).to_contain_text("dikirim dari situs lain")
    assert session.exec(select(Attendance)).all() == []
    # A participant's own page is refused the same way: an answer from another origin.
    rsvp = f"{server}/rsvp/{make_rsvp_token(camat.id, event.id)}"
    handler.page = _form(rsvp, {"answer": "decline"})
    page.goto(f"http://{address}/")
    with page.expect_response(lambda r: "/rsvp/" in r.url) as answer:
        page.locator("#go").click()
    assert answer.value.status == 403
    session.refresh(camat)
    assert camat.rsvp == RsvpStatus.PENDING


def test_a_desk_account_checks_in_and_the_audit_names_it_but_reaches_nothing_else(
    session: Session, server: str, page: Page
) -> None:
    event = seed_event(session, "kunjungan-camat-jambi.yaml")
    camat = participant(session, event, KUMPEH)
    add_officer("Dedi Kurniawan", Role.DESK)
    with on_the_day(event):
        browser_log_in(page, server, f"/events/{event.id}/desk", name="Dedi Kurniawan")
        expect(page.get_by_role("link", name="Daftar hadir")).to_have_count(0)
        scan = page.get_by_placeholder("Pindai QR atau ketik kode")
        scan.fill(checkin_code(camat.id, event.id))
        scan.press("Enter")
        expect(page.locator("#result")).to_contain_text("Selamat datang, Ahmad Hidayat")
        # The dashboard and the attendance list (bulk marks) are not the desk's.
        for path in (f"/events/{event.id}", f"/events/{event.id}/attendance"):
            page.goto(f"{server}{path}")
            expect(page.locator("#error")).to_contain_text("Akun Anda (desk) tidak boleh")
    entry = session.exec(
        select(AuditEntry).where(AuditEntry.action == "attendance.checked_in")
    ).one()
    assert entry.actor == "Dedi Kurniawan"
    assert session.exec(select(Attendance)).one().recorded_by == "Dedi Kurniawan"


def test_the_one_time_link_sets_the_password_once(
    session: Session, server: str, page: Page
) -> None:
    link = officers.add("Sari", Role.OFFICER, None, actor="test").link
    assert link is not None and link.startswith(server)
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Tetapkan kata sandi Anda")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # a phone
    page.get_by_label("Kata sandi baru").fill("sari-punya-sandi")
    page.get_by_label("Kata sandi yang sama sekali lagi").fill("sari-punya-sandi")
    page.get_by_role("button", name="Tetapkan kata sandi").click()
    expect(page.locator("#password-set")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_label("Nama petugas").fill("Sari")
    page.get_by_label("Kata sandi").fill("sari-punya-sandi")
    page.get_by_role("button", name="Masuk").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Daftar acara")
    # Used: the same link now says so, and sets nothing.
    answer = page.goto(link)
    assert answer is not None and answer.status == 410
    expect(page.locator("#error")).to_contain_text("sudah dipakai")


def test_logging_out_ends_the_session_for_the_old_cookie_too(
    session: Session, server: str, browser: Browser
) -> None:
    event = seed_event(session, "kunjungan-camat-jambi.yaml")
    add_officer("Rina")
    context = browser.new_context()
    page = context.new_page()
    browser_log_in(page, server, f"/events/{event.id}")
    kept = [c for c in context.cookies() if c["name"] == "acara_session"]
    assert kept and kept[0]["httpOnly"] and kept[0]["sameSite"] == "Lax"
    page.get_by_role("button", name="Keluar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Masuk petugas")
    context.add_cookies(kept)  # the cookie copied before logging out, put back
    answer = page.goto(f"{server}/events/{event.id}")
    assert answer is not None
    expect(page).to_have_url(f"{server}/login?next=%2Fevents%2F{event.id}")
    context.close()
