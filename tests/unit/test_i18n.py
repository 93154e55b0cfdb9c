"""One way to translate: Babel catalogs in locale/, used by the pages, the letters, errors, CLI."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from acara.i18n import LANGUAGES, LOCALE, _, explain, language, translate
from acara.labels import label
from acara.render import render
from acara.settings import get_settings
from acara.web import create_app
from models.errors import NotFound, invalid
from models.people import Language
from tests.unit.test_email_templates import context, person

ROOT = Path(__file__).resolve().parents[2]


def _catalogs_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("catalogs", ROOT / "scripts" / "catalogs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _read(language: str, suffix: str):  # type: ignore[no-untyped-def]
    path = LOCALE / language / "LC_MESSAGES" / f"messages.{suffix}"
    with path.open("rb") as file:
        return read_po(file, locale=language) if suffix == "po" else read_mo(file)


def _plain(value: object) -> object:
    """A plural message's forms as a tuple, whichever file it was read from."""
    return tuple(value) if isinstance(value, list | tuple) else value


@pytest.fixture(scope="module")
def used() -> set[tuple[str | None, str]]:
    """(context, msgid) of every message the code and the templates use."""
    return {(m.context, str(m.id)) for m in _catalogs_script().extract() if m.id}


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_message_used_has_a_text_in_each_language(
    code: str, used: set[tuple[str | None, str]]
) -> None:
    catalog = _read(code, "po")
    translated = {
        (m.context, str(m.id))
        for m in catalog
        if m.id and not m.fuzzy and all(m.string if isinstance(m.string, tuple) else [m.string])
    }
    assert sorted(used - translated, key=str) == [], "run `make catalogs`, translate what it lists"
    assert sorted({(m.context, str(m.id)) for m in catalog if m.id} - used, key=str) == []


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_compiled_catalogs_are_those_of_the_committed_texts(code: str) -> None:
    def texts(catalog) -> dict[tuple[str | None, object], object]:  # type: ignore[no-untyped-def]
        return {(m.context, _plain(m.id)): _plain(m.string) for m in catalog if m.id}

    assert texts(_read(code, "mo")) == texts(_read(code, "po")), "run `make catalogs`"


def test_text_is_indonesian_unless_asked_otherwise(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ACARA_LANGUAGE", raising=False)
    get_settings.cache_clear()
    assert _("Invalid input") == "Isian tidak sah"
    with language("en"):
        assert _("Invalid input") == "Invalid input"
        assert label("rsvp", "accepted") == "Attending"
    assert label("rsvp", "accepted") == "Hadir"
    assert translate("fr", "Invalid input") == "Isian tidak sah"  # unknown: the default
    monkeypatch.setenv("ACARA_LANGUAGE", "en")
    get_settings.cache_clear()
    assert _("Invalid input") == "Invalid input"
    get_settings.cache_clear()


def test_a_domain_error_keeps_english_for_the_log_and_is_explained_in_each_language() -> None:
    missing = NotFound("No event with id or code {ref!r}. `acara event list` shows them.", ref="x")
    assert missing.code == "not-found" and missing.params == {"ref": "x"}
    assert str(missing) == "No event with id or code 'x'. `acara event list` shows them."
    assert explain(missing, "en") == str(missing)
    assert explain(missing, "id") == (
        "Tidak ada acara dengan id atau kode 'x'. `acara event list` menampilkan daftarnya."
    )
    refused = invalid("start", "the new start is the same as the current one")
    assert refused.code == "invalid-input"
    assert explain(refused, "id") == (
        "Isian tidak sah:\n  - start: waktu mulai yang baru sama dengan yang sekarang"
    )


def test_a_page_is_indonesian_by_default_and_english_on_switch(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ACARA_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    with TestClient(create_app()) as client:
        default = client.get("/login").text
        assert 'lang="id"' in default and "Masuk petugas" in default
        assert '<a href="?lang=en">English</a>' in default
        english = client.get("/login?lang=en").text
        assert 'lang="en"' in english and "Officer login" in english
        assert '<a href="?lang=id">Bahasa Indonesia</a>' in english
        assert "Officer login" in client.get("/login").text  # the cookie remembers the choice
    get_settings.cache_clear()


def test_one_letter_template_writes_the_indonesian_and_the_english_letter() -> None:
    guest = person("Prof. Mark Gilbert", language=Language.EN)
    english = render("invitation", "en", context(guest, "en"))
    assert english.subject.startswith("Invitation: Penandatanganan MoU Ombudsman RI")
    assert "Dear Prof. Mark Gilbert," in english.text
    assert "is pleased to invite you to" in english.text and "Your programme" in english.html
    host = person("Drs. H. Deden Juardi", salutation="Bapak")
    indonesian = render("invitation", "id", context(host, "id"))
    assert indonesian.subject.startswith("Undangan: Penandatanganan MoU Ombudsman RI")
    assert "Yth. Bapak" in indonesian.text and "Dengan hormat," in indonesian.text
    assert "kami mengundang Bapak untuk hadir" in indonesian.text
    assert "Susunan acara Bapak" in indonesian.html
