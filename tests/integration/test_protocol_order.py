"""One protocol order everywhere: the officers' lists, `participants list` and the Daftar Hadir,
and an office's own order (ACARA_PRECEDENCE_FILE) changes all of them at once."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlmodel import Session
from typer.testing import CliRunner

from acara.cli import app
from acara.settings import get_settings
from acara.stages import attendance, planning, replies
from models.event import Event
from models.precedence import DEFAULT, parse_precedence
from tests.web_helpers import seed_event

WALI_KOTA = {
    "name": "Drs. H. Benyamin Davnie",
    "salutation": "Bapak",
    "position": "Wali Kota Tangerang Selatan",
    "organisation": "Pemerintah Kota Tangerang Selatan",
    "email": "walikota@tangerangselatankota.go.id",
    "role": "host_official",
    "group": "",
}


@pytest.fixture
def event(session: Session) -> Event:
    """The Jambi visit, with the Wali Kota added last (after every camat and the Sekda)."""
    seeded = seed_event(session, "kunjungan-camat-jambi.yaml")
    planning.import_participant(seeded.code, WALI_KOTA, actor="test")
    return seeded


def first_names(event: Event) -> dict[str, str]:
    """Who comes first in each list an officer reads."""
    pleno = attendance.attendance_of(event.code)[1]["Pleno"]
    return {
        "attendance page": attendance.roll(event.code).participants[0].person.name,
        "participants table": replies.answers(event.code)[1][0].name,
        "daftar hadir": pleno[0].name,
    }


def test_the_wali_kota_comes_first_in_every_list(event: Event) -> None:
    assert set(first_names(event).values()) <= {"Benyamin Davnie", "Drs. H. Benyamin Davnie"}
    listed = CliRunner().invoke(app, ["participants", "list", event.code])
    assert listed.exit_code == 0, listed.output
    assert listed.output.index("Benyamin") < listed.output.index("Muhamad")


def test_the_wali_kota_comes_first_in_the_daftar_hadir_pdf(event: Event, tmp_path: Path) -> None:
    written = attendance.write_list(event.code, "pdf", tmp_path / "daftar-hadir.pdf")
    text = "\n".join(page.extract_text() for page in PdfReader(written).pages)
    assert text.index("Benyamin Davnie") < text.index("Muhamad") < text.index("Iskandar")


def test_an_offices_own_order_changes_every_list(
    event: Event, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    order = tmp_path / "urutan.txt"
    order.write_text("# Kunjungan camat: camat dulu\nCamat\nSekretaris Daerah\nWali Kota\n")
    monkeypatch.setenv("ACARA_PRECEDENCE_FILE", str(order))
    get_settings.cache_clear()
    firsts = first_names(event)
    assert firsts["attendance page"] == "Deden Juardi"  # Camat Pamulang, host before guests
    assert firsts["participants table"].startswith("Deden Juardi")
    assert firsts["daftar hadir"] == "Drs. H. Muhamad, M.Si."  # no camat in the plenary list


def test_participants_order_prints_the_order_in_use_as_a_file_reads_it(
    acara_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    printed = CliRunner().invoke(app, ["participants", "order"])
    assert printed.exit_code == 0, printed.output
    assert parse_precedence(printed.output) == DEFAULT  # a start for the office's own file
    own = tmp_path / "urutan.txt"
    own.write_text("Camat\nWali Kota, Walikota\n")
    monkeypatch.setenv("ACARA_PRECEDENCE_FILE", str(own))
    get_settings.cache_clear()
    printed = CliRunner().invoke(app, ["participants", "order"])
    assert printed.output.splitlines()[1:] == ["camat", "wali kota, walikota"]
