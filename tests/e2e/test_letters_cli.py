"""`acara letters`: the 40 RW heads without e-mail get printed letters, handed over only once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.conftest import EXAMPLES
from tests.e2e.test_cli import Officer
from tests.integration.test_people_without_email import FKP, fkp_with, rw_rows

CODE = re.compile(r"\bS\d+-[A-Z2-7]{8}\b")


@pytest.fixture(scope="module")
def officer(tmp_path_factory: pytest.TempPathFactory) -> Officer:
    """FKP Volume-3 with 1,000 RW heads, 40 of them without e-mail, all invited."""
    root = tmp_path_factory.mktemp("letters")
    folder = root / "fkp"
    folder.mkdir()
    officer = Officer(root)
    officer("db", "upgrade")
    officer("organisations", "import", str(EXAMPLES / "organisations.yaml"))
    officer("event", "import", str(fkp_with(folder, rw_rows())), "--yes")
    officer("invite", FKP, "--yes")
    return officer


def pages(path: Path) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(path).pages]


def cover_codes(text: list[str]) -> list[str]:
    """The codes the cover list names, in its order (the pages before the first letter)."""
    first = next(n for n, page in enumerate(text) if "Yth." in page)
    return CODE.findall(" ".join(text[:first]))


def test_the_letters_owed_on_paper_print_as_one_pdf_after_a_cover_list(officer: Officer) -> None:
    path = officer.folder / "surat.pdf"
    said = officer("letters", FKP, "-o", str(path))
    assert f"40 letter(s) of {FKP} written to {path}" in " ".join(said.out.split())
    text = pages(path)
    assert "OFFICIAL LETTERS TO HAND OVER" in text[0]
    listed = cover_codes(text)
    assert len(listed) == 40 == len(set(listed))
    starts = [n for n, page in enumerate(text) if "Yth." in page]
    letters = [" ".join(text[a:b]) for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]
    assert len(letters) == 40
    assert all("Hal :" in page and "NIP" in page and "di Tempat" in page for page in letters)
    # Each letter carries its own code, the one the cover list gives for it, in the same order.
    assert [CODE.findall(page)[0] for page in letters] == listed
    # Printing again reprints the same letters: same codes.
    officer("letters", FKP, "-o", str(path))
    assert cover_codes(pages(path)) == listed


def test_handing_over_marks_each_letter_once(officer: Officer) -> None:
    path = officer.folder / "surat.pdf"
    officer("letters", FKP, "-o", str(path))
    first_code = CODE.findall(" ".join(pages(path)))[0]
    plan = officer("letters", FKP, "--delivered", first_code, "--dry-run")
    assert "printed letters handed over" in plan.out and "Dry run" in plan.out
    one = officer("letters", FKP, "--delivered", first_code, "--yes")
    assert "1 letter(s) marked as handed over" in one.out
    rest = officer("letters", FKP, "--delivered", "--yes")
    assert "39 letter(s) marked as handed over" in rest.out
    again = officer("letters", FKP, "--delivered", "--yes")
    assert "0 letter(s) marked as handed over" in again.out
    named = officer("letters", FKP, "--delivered", first_code, "--yes")
    assert f"{first_code}: no printed letter is owed" in named.out
    assert "0 letter(s) of" in officer("letters", FKP, "-o", str(path)).out
