"""Reading event files (YAML) and participant lists (CSV, XLSX) into validated specs."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from models.errors import N_, InvalidInput, Problem
from models.plan import EventSpec, ParticipantSpec, parse_event_spec, problems_from
from models.roster import Row


class _Loader(yaml.SafeLoader):
    """YAML without its surprises: 09:30 and 09.30 stay text (YAML 1.1 reads them as 570 and
    9.3), so do dates, and only true/false are booleans (not yes/no/on/off)."""


_DROPPED = {
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
}
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in _DROPPED]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
# Integers as YAML 1.2 writes them: no base-60 forms.
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^[-+]?(?:0|[1-9][0-9_]*)$"),
    list("-+0123456789"),
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)

# Column headers people actually write, in Indonesian or English, mapped to spec fields.
HEADERS = {
    "name": "name",
    "nama": "name",
    "nama lengkap": "name",
    "email": "email",
    "e-mail": "email",
    "surel": "email",
    "alamat email": "email",
    "alamat e-mail": "email",
    "salutation": "salutation",
    "sapaan": "salutation",
    "position": "position",
    "jabatan": "position",
    "organisation": "organisation",
    "organization": "organisation",
    "instansi": "organisation",
    "unit kerja": "organisation",
    "phone": "phone",
    "telepon": "phone",
    "no hp": "phone",
    "no. hp": "phone",
    "nomor hp": "phone",
    "telp": "phone",
    "hp": "phone",
    "language": "language",
    "bahasa": "language",
    "role": "role",
    "peran": "role",
    "group": "group",
    "kelompok": "group",
}


def read_user_text(path: Path) -> str:
    """A file an officer named, as UTF-8 text; a missing or binary file is a user error."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidInput([Problem(str(path), N_("file not found"))]) from None
    except UnicodeDecodeError:
        raise InvalidInput([Problem(str(path), N_("not UTF-8 text"))]) from None


def load_yaml(path: Path) -> Any:
    """Parse a YAML file, reporting syntax errors with their line."""
    text = read_user_text(path)
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path.name} line {mark.line + 1}" if mark else path.name
        reason = getattr(exc, "problem", None) or str(exc)
        raise InvalidInput(
            [Problem(where, N_("YAML syntax error: {reason}"), {"reason": reason})]
        ) from None


def read_event_file(path: Path) -> tuple[EventSpec, list[Row]]:
    """The event spec and all its participants (inline and from participants_file)."""
    spec = parse_event_spec(load_yaml(path), source=path.name)
    rows = [Row(f"participants[{i}]", p) for i, p in enumerate(spec.participants)]
    if spec.participants_file:
        listed, problems = read_participant_list(path.parent / spec.participants_file)
        if problems:
            raise InvalidInput(
                problems, heading=N_("{file} has bad rows"), file=spec.participants_file
            )
        rows.extend(listed)
    return spec, rows


def _csv_rows(path: Path) -> list[list[Any]]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(
            [Problem(path.name, N_("not UTF-8 text; save the list as 'CSV UTF-8' or as .xlsx"))]
        ) from None
    try:
        # Excel in Indonesian locales saves CSV with semicolons.
        dialect: Any = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel  # a single column has no delimiter to find
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        return list(reader)
    except csv.Error as exc:  # e.g. a stray line break inside a cell the sniffer misread
        raise InvalidInput(
            [Problem(f"{path.name} row {reader.line_num}", f"not readable as CSV ({exc})")]
        ) from None


def _xlsx_rows(path: Path) -> list[list[Any]]:
    from zipfile import BadZipFile

    from openpyxl import load_workbook  # slow to import; only lists need it
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (BadZipFile, InvalidFileException, KeyError, OSError):
        raise InvalidInput([Problem(path.name, N_("not a readable .xlsx workbook"))]) from None
    try:
        return [[_cell(v) for v in r] for r in workbook.active.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _cell(value: Any) -> Any:
    # Spreadsheets store phone numbers and codes as numbers; the specs want text.
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value) if isinstance(value, int | float) else value


def _records(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        rows = _csv_rows(path)
    elif suffix in (".xlsx", ".xlsm"):
        rows = _xlsx_rows(path)
    else:
        raise InvalidInput([Problem(path.name, N_("participant lists must be .csv or .xlsx"))])
    if not rows:
        raise InvalidInput([Problem(path.name, N_("the file is empty"))])
    header = [str(h or "").strip().lower() for h in rows[0]]
    unknown = [h for h in header if h and h not in HEADERS]
    if unknown or "email" not in {HEADERS.get(h) for h in header}:
        known = ", ".join(sorted(set(HEADERS.values())))
        raise InvalidInput(
            [
                Problem(
                    f"{path.name} row 1",
                    N_("unknown columns {unknown}; use: {known}"),
                    {"unknown": unknown, "known": known},
                )
            ]
            if unknown
            else [Problem(f"{path.name} row 1", N_("no email column"))]
        )
    fields = [HEADERS.get(h) for h in header]
    for number, values in enumerate(rows[1:], start=2):
        if not any(v not in (None, "") for v in values):
            continue
        yield (
            number,
            {f: v for f, v in zip(fields, values, strict=False) if f and v not in (None, "")},
        )


def read_participant_list(path: Path) -> tuple[list[Row], list[Problem]]:
    """Every valid row, and a problem for every bad one (row number, column, reason)."""
    if not path.exists():
        raise InvalidInput([Problem(str(path), N_("file not found"))])
    rows: list[Row] = []
    problems: list[Problem] = []
    for number, record in _records(path):
        try:
            rows.append(Row(f"row {number}", ParticipantSpec.model_validate(record)))
        except ValidationError as exc:
            problems.extend(
                problems_from(exc, prefix=f"row {number}, column ", model=ParticipantSpec)
            )
    return rows, problems
