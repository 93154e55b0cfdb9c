"""`acara chat`: chat links for 1,000 RW heads, as the officer prints, saves or opens them."""

from __future__ import annotations

import codecs
import csv
import io
import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, unquote, urlsplit

import phonenumbers
import pytest

from tests.conftest import EXAMPLES
from tests.e2e.test_cli import Officer
from tests.integration.test_people_without_email import FKP, fkp_with, rw_rows

LINK = re.compile(r"https://wa\.me/(\d+)\?text=(\S+)")


@pytest.fixture(scope="module")
def officer(tmp_path_factory: pytest.TempPathFactory) -> Officer:
    """FKP Volume-3 with 1,000 RW heads (40 without e-mail, 20 of those with a mobile);
    imported once, since `acara chat` changes nothing."""
    rows = rw_rows()
    rows[0][2] = "=1+2"  # a position that a spreadsheet would run as a formula
    root = tmp_path_factory.mktemp("chat")
    folder = root / "fkp"
    folder.mkdir()
    officer = Officer(root)
    officer("db", "upgrade")
    officer("organisations", "import", str(EXAMPLES / "organisations.yaml"))
    officer("event", "import", str(fkp_with(folder, rows)), "--yes")
    return officer


def number_of(digits: str) -> phonenumbers.PhoneNumber:
    number = phonenumbers.parse(f"+{digits}")
    assert phonenumbers.is_valid_number(number)
    assert phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) == f"+{digits}"
    return number


def test_chat_gives_a_valid_wa_me_link_per_mobile_number(officer: Officer) -> None:
    said = officer("chat", FKP)
    links = LINK.findall(said.out)
    # 960 with e-mail and a mobile, 20 without e-mail with one; landlines and addresses get none.
    assert len(links) == 980
    assert "980 participant(s) with a mobile number; 40 without e-mail." in said.out
    by_number = dict(links)
    assert len(by_number) == 980
    for digits in by_number:
        assert phonenumbers.number_type(number_of(digits)) == phonenumbers.PhoneNumberType.MOBILE
    # Written "+62 812-9000-0025" in the list: the link carries E.164 digits, no plus.
    text = unquote(by_number["6281290000025"])
    assert text.startswith("Yth. Bapak Ketua RW 0025, dengan hormat kami mengundang Bapak ke ")
    assert "pada Rabu, 13 Januari 2027 pukul 08.00 WIB" in text
    rsvp = re.search(r"Mohon konfirmasi kehadiran melalui: (\S+)$", text)
    assert rsvp and urlsplit(rsvp[1]).path.startswith("/rsvp/")
    assert "+622155000050" not in said.out  # a landline cannot chat


def test_chat_writes_a_formula_safe_csv_for_excel_and_prints_no_links(officer: Officer) -> None:
    said = officer("chat", FKP, "--csv", "links.csv")
    assert "wa.me" not in said.out and "/rsvp/" not in said.out
    assert "980 chat link(s) written to links.csv" in said.out
    data = (officer.folder / "links.csv").read_bytes()
    assert data.startswith(codecs.BOM_UTF8)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["name", "group", "position", "phone", "channel", "language", "link"]
    assert len(rows) == 981
    first = rows[1]
    assert first[:4] == ["Ketua RW 0001", "Pleno", "'=1+2", "+6281280000001"]
    assert LINK.fullmatch(first[6])
    without = next(r for r in rows if r[0] == "Ketua RW 0025")
    assert without[3:6] == ["+6281290000025", "letter+chat", "id"]
    assert parse_qs(urlsplit(without[6]).query)["text"][0].startswith("Yth. Bapak Ketua RW 0025")


class Links(HTMLParser):
    """The chat links of a page, with their attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.links.append(dict(attrs))


def test_chat_writes_a_page_of_links_the_officer_clicks_through(officer: Officer) -> None:
    said = officer("chat", FKP, "--html", "links.html")
    assert "wa.me" not in said.out
    page = (officer.folder / "links.html").read_text(encoding="utf-8")
    parser = Links()
    parser.feed(page)
    assert len(parser.links) == 980
    for link in parser.links:
        assert LINK.fullmatch(link["href"] or "")
        assert link["target"] == "_blank" and link["rel"] == "noopener noreferrer"
    assert '<meta name="referrer" content="no-referrer">' in page
    assert "Ketua RW 0025" in page and "=1+2" in page
