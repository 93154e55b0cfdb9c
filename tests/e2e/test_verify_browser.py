"""The check page of a letter in Chromium: the code printed on a real letter (read back from the
PDF in the maildir) opens it; an altered code is refused; after a reschedule it is superseded."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from email import message_from_bytes
from email.policy import default
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader
from sqlmodel import Session

from acara.stages import invitations
from models import lifecycle
from tests.web_helpers import seed_event

PAMULANG = "camat.pamulang@tangerangselatankota.go.id"
pytestmark = pytest.mark.timeout(300)


def code_on_the_letter(maildir: Path, address: str, kind: str = "surat-undangan") -> str:
    """The check code printed on the newest letter of that kind sent to an address."""
    codes = []
    for path in sorted((maildir / "new").glob("*.eml"), key=lambda p: p.stat().st_mtime):
        message = message_from_bytes(path.read_bytes(), policy=default)
        if address not in str(message["To"]):
            continue
        for part in message.walk():
            if part.get_content_type() == "application/pdf" and part.get_filename().startswith(
                kind
            ):
                pdf = PdfReader(io.BytesIO(part.get_payload(decode=True)))
                text = " ".join(page.extract_text() for page in pdf.pages)
                assert "Kode:" in text
                codes.append(re.search(r"\bS\d+-[A-Z2-7]{8}\b", text)[0])  # type: ignore[index]
    assert codes, f"no {kind} letter to {address}"
    return codes[-1]


def test_a_letter_is_checked_by_its_code_and_a_reschedule_supersedes_it(
    session: Session, server: str, page: Page, acara_env: Path
) -> None:
    event = seed_event(session, "kunjungan-camat-jambi.yaml")
    assert event.id is not None
    invitations.owe_invitations(event.id, actor="test")
    invitations.send_owed(event.id)  # no SMTP server set: into the maildir
    maildir = acara_env / "outbox"
    code = code_on_the_letter(maildir, PAMULANG)

    page.goto(f"{server}/verify/{code}")
    expect(page.locator("#standing")).to_contain_text("Berlaku")
    expect(page.locator("#addressee")).to_have_text("Deden Juardi, S.STP., M.Si.")
    expect(page.locator("#number")).to_have_text("005/1123-Prot/2026")
    expect(page.locator("#event")).to_contain_text("Kunjungan Kerja Camat se-Provinsi Jambi")

    # One character changed: refused, whatever the character.
    number, mac = code.split("-")
    altered = f"{number}-{mac[:-1]}{'A' if mac[-1] != 'A' else 'B'}"
    response = page.goto(f"{server}/verify/{altered}")
    assert response is not None and response.status == 403
    expect(page.locator("#error")).to_contain_text("tidak sah")

    # Typed on the form in lower case: the same letter.
    page.goto(f"{server}/verify")
    page.get_by_placeholder("Ketik kode yang tercetak pada surat").fill(code.lower())
    page.get_by_role("button", name="Periksa").click()
    expect(page.locator("#code")).to_have_text(code)

    lifecycle.reschedule(session, event, event.starts_at + timedelta(days=1), actor="test")
    session.commit()
    invitations.send_changes(event.id)
    later = code_on_the_letter(maildir, PAMULANG, "surat-perubahan")
    page.goto(f"{server}/verify/{code}")
    expect(page.locator("#standing")).to_contain_text("Digantikan surat yang lebih baru")
    expect(page.locator("#standing")).to_contain_text(later)
    page.goto(f"{server}/verify/{later}")
    expect(page.locator("#standing")).to_contain_text("Berlaku")
    expect(page.locator("#kind")).to_have_text("Perubahan jadwal/tempat")
