"""Hostile event files and participant lists: a clean import or a clear AcaraError, nothing else.

Whatever an officer's spreadsheet or a copied e-mail holds (arbitrary Unicode, CR/LF, markup,
fields thousands of characters long, wrong types), importing either succeeds or raises an
AcaraError with a message, and a rejected import leaves the database exactly as it was.
"""

from __future__ import annotations

import copy
import csv
import io
import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from sqlalchemy.engine import Engine

from acara import db as acara_db
from acara.eventfile import read_event_file, read_participant_list
from models.errors import AcaraError
from models.planning import import_event
from models.queries import get_event
from models.roster import add_participants
from tests.conftest import EXAMPLES
from tests.faults.conftest import ONLY_POSTGRES
from tests.faults.hostile import hostile_text, hostile_value
from tests.faults.snapshot import snapshot

# `make test` runs a fixed set of cases (the same every run); `make test-faults` explores.
QUICK = settings(
    max_examples=int(os.environ.get("ACARA_FUZZ_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)
# CI replays a fixed set (a red CI must be reproducible); a local run explores new cases.
THOROUGH = settings(QUICK, max_examples=250, derandomize="CI" in os.environ)

BASE: dict[str, Any] = yaml.safe_load((EXAMPLES / "kunjungan-camat-jambi.yaml").read_text())
BASE.pop("participants_file")
BASE["code"] = "fuzz-event"

# Every place a person can type something into an event file.
PATHS = [
    ("code",),
    ("kind",),
    ("title",),
    ("series",),
    ("number",),
    ("timezone",),
    ("start",),
    ("end",),
    ("host",),
    ("signatory",),
    ("guest",),
    ("letter_number",),
    ("subject",),
    ("description",),
    ("capacity",),
    ("reminders",),
    ("venues", 0, "name"),
    ("venues", 0, "address"),
    ("venues", 0, "rooms", 0, "name"),
    ("venues", 0, "rooms", 0, "capacity"),
    ("groups", 0, "name"),
    ("groups", 0, "venue"),
    ("agenda", 0, "date"),
    ("agenda", 0, "sessions", 0, "title"),
    ("agenda", 0, "sessions", 0, "start"),
    ("agenda", 0, "sessions", 0, "end"),
    ("agenda", 0, "sessions", 0, "speakers"),
    ("agenda", 0, "sessions", 0, "moderator"),
    ("agenda", 0, "sessions", 2, "group"),
    ("agenda", 0, "sessions", 2, "room"),
    ("agenda", 0, "sessions", 1, "description"),
    ("participants", 0, "name"),
    ("participants", 0, "email"),
    ("participants", 0, "salutation"),
    ("participants", 1, "position"),
    ("participants", 1, "organisation"),
    ("participants", 2, "phone"),
    ("participants", 2, "language"),
    ("participants", 2, "role"),
    ("participants", 3, "group"),
]


def _set(document: dict[str, Any], path: tuple[Any, ...], value: Any) -> None:
    target: Any = document
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value


edits = st.lists(
    st.tuples(st.sampled_from(PATHS), st.one_of(hostile_text(), hostile_text(), hostile_value())),
    min_size=1,
    max_size=4,
)


@pytest.fixture
def engine(session: Any, db_url: str) -> Engine:
    """The test database with the Jambi visit already in it (so updates are fuzzed too)."""
    spec, rows = read_event_file(EXAMPLES / "kunjungan-camat-jambi.yaml")
    import_event(session, spec, rows, actor="test")
    session.commit()
    return acara_db.engine_for(db_url)


def _import_file(path: Path) -> None:
    """What `acara event import FILE` does."""
    spec, rows = read_event_file(path)
    with acara_db.unit_of_work() as session:
        import_event(session, spec, rows, actor="fuzz")


def _rejected_cleanly(engine: Engine, action: Any) -> bool:
    """Run `action`; True if it raised an AcaraError and the database did not change."""
    before = snapshot(engine)
    try:
        action()
    except AcaraError as error:
        assert str(error).strip(), "an AcaraError must carry a message for the officer"
        assert snapshot(engine) == before, f"rejected, but the database changed: {error}"
        return True
    return False


def _hostile_event_file(
    engine: Engine, tmp_path: Path, edits: list[tuple[tuple[Any, ...], Any]], same_code: bool
) -> None:
    document = copy.deepcopy(BASE)
    if same_code:  # an update of the event already in the database
        document["code"] = "kunker-camat-jambi-2026"
    for path, value in edits:
        _set(document, path, value)
    file = tmp_path / "event.yaml"
    file.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    _rejected_cleanly(engine, lambda: _import_file(file))


def _not_yaml(engine: Engine, tmp_path: Path, content: str | bytes) -> None:
    file = tmp_path / "event.yaml"
    if isinstance(content, bytes):
        file.write_bytes(content)
    else:
        file.write_text(content, encoding="utf-8")
    assert _rejected_cleanly(engine, lambda: _import_file(file))


HEADER = ["nama", "sapaan", "jabatan", "instansi", "email", "telepon", "peran", "kelompok"]
GOOD_ROW = [
    "Ahmad Hidayat, S.Sos., M.Si.",
    "Bapak",
    "Camat Kumpeh",
    "Pemerintah Provinsi Jambi",
    "camat.kumpeh@jambiprov.go.id",
    "08127000000",
    "guest",
    "Kelompok 1 - Pamulang",
]
cells = st.one_of(hostile_text(), st.sampled_from(GOOD_ROW), st.just(""))
rows = st.lists(
    st.lists(cells, min_size=len(HEADER), max_size=len(HEADER)).map(
        lambda r: [*r[:4], r[4] if "@" in r[4] else f"x{abs(hash(r[4])) % 999}@dinas.go.id", *r[5:]]
    ),
    min_size=1,
    max_size=5,
)
headers = st.one_of(
    st.just(HEADER),
    st.lists(st.one_of(st.sampled_from(HEADER), hostile_text(12)), min_size=1, max_size=9),
)


def _write_list(
    folder: Path, kind: str, header: list[str], body: list[list[str]], sep: str
) -> Path:
    if kind == "xlsx":
        book = Workbook()
        sheet = book.active
        for line in [header, *body]:
            # Excel itself cannot store C0 control characters; no real sheet has them.
            sheet.append(["".join(c for c in v if c >= " " or c in "\t\n\r") for v in line])
        path = folder / "peserta.xlsx"
        book.save(path)
        return path
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=sep).writerows([header, *body])
    path = folder / "peserta.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8-sig" if sep == ";" else "utf-8")
    return path


def _import_list(path: Path, skip_invalid: bool) -> None:
    """What `acara participants import EVENT FILE [--skip-invalid]` does."""
    rows, problems = read_participant_list(path)
    if problems and not skip_invalid:
        from models.errors import InvalidInput

        raise InvalidInput(problems, heading="Nothing imported")
    with acara_db.unit_of_work() as session:
        event = get_event(session, "kunker-camat-jambi-2026")
        add_participants(session, event, rows, skip_invalid=skip_invalid)


def _hostile_list(
    engine: Engine,
    tmp_path: Path,
    header: list[str],
    body: list[list[str]],
    kind: str,
    sep: str,
    skip_invalid: bool,
) -> None:
    path = _write_list(tmp_path, kind, header, body, sep)
    _rejected_cleanly(engine, lambda: _import_list(path, skip_invalid))


EVENT_FILES = {"edits": edits, "same_code": st.booleans()}
NOT_YAML = {"content": st.one_of(st.text(max_size=400), st.binary(max_size=400))}
LISTS = {
    "header": headers,
    "body": rows,
    "kind": st.sampled_from(["csv", "xlsx"]),
    "sep": st.sampled_from([",", ";"]),
    "skip_invalid": st.booleans(),
}

test_a_hostile_event_file_imports_cleanly_or_is_refused_without_a_trace = QUICK(
    given(**EVENT_FILES)(_hostile_event_file)
)
test_an_event_file_that_is_not_yaml_at_all_gets_a_clear_error = QUICK(given(**NOT_YAML)(_not_yaml))
test_a_hostile_participant_list_imports_cleanly_or_is_refused_without_a_trace = QUICK(
    given(**LISTS)(_hostile_list)
)
# PostgreSQL only: it enforces column lengths, so it finds what SQLite would store silently.
test_many_more_hostile_event_files_import_cleanly_or_are_refused = ONLY_POSTGRES(
    pytest.mark.slow(THOROUGH(given(**EVENT_FILES)(_hostile_event_file)))
)
test_many_more_hostile_participant_lists_import_cleanly_or_are_refused = ONLY_POSTGRES(
    pytest.mark.slow(THOROUGH(given(**LISTS)(_hostile_list)))
)


def test_a_very_long_value_in_any_field_of_an_event_file_is_stored_or_refused(
    engine: Engine, tmp_path: Path
) -> None:
    escaped = []
    for path in PATHS:
        document = copy.deepcopy(BASE)
        _set(document, path, "Sangat panjang " * 400)
        file = tmp_path / "event.yaml"
        file.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
        try:
            _rejected_cleanly(engine, lambda f=file: _import_file(f))
        except Exception as error:  # everything else is what this test is looking for
            escaped.append(f"{'.'.join(map(str, path))}: {type(error).__name__}")
    assert not escaped, "long values escaped as non-user errors:\n" + "\n".join(escaped)


def test_a_very_long_value_in_any_column_of_a_participant_list_is_stored_or_refused(
    engine: Engine, tmp_path: Path
) -> None:
    escaped = []
    titled = list(GOOD_ROW)
    titled[0] = "Prof. Dr. Ir. H. " * 15 + "Budi, " + "S.T., M.Si., " * 12
    path = _write_list(tmp_path, "csv", HEADER, [titled], ",")
    try:
        _rejected_cleanly(engine, lambda: _import_list(path, False))
    except Exception as error:
        escaped.append(f"name with many titles: {type(error).__name__}")
    for column, name in enumerate(HEADER):
        row = list(GOOD_ROW)
        row[column] = ("panjang" * 700) + ("@x.go.id" if name == "email" else "")
        path = _write_list(tmp_path, "csv", HEADER, [row], ",")
        try:
            _rejected_cleanly(engine, lambda p=path: _import_list(p, False))
        except Exception as error:
            escaped.append(f"{name}: {type(error).__name__}")
    assert not escaped, "long values escaped as non-user errors:\n" + "\n".join(escaped)


def test_a_stray_carriage_return_in_a_csv_cell_is_a_clear_error(
    engine: Engine, tmp_path: Path
) -> None:
    # Found by hypothesis: a header the sniffer cannot split, then a cell holding only "\r".
    body = [["", "", "", "", "x0@dinas.go.id", "", "", "\r"]]
    path = _write_list(tmp_path, "csv", ["nama"], body, ";")
    assert _rejected_cleanly(engine, lambda: _import_list(path, False))
