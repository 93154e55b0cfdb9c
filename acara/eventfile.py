"""Reading event files (YAML) and participant lists (CSV, XLSX) into validated specs.

How the bytes are read safely (limits, encodings, dialects) is acara.userfiles; this module
knows what the columns and keys mean."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from acara.exports import unquote_cell
from acara.userfiles import (
    HEADER_SEARCH_ROWS,
    Loader,
    iter_nonempty,
    load_yaml,
    read_user_text,
    table,
)
from models.errors import N_, InvalidInput, Problem
from models.plan import EventSpec, ParticipantSpec, parse_event_spec, problems_from
from models.roster import Row

__all__ = [
    "Loader",
    "load_yaml",
    "read_event_file",
    "read_participant_list",
    "read_participant_record",
    "read_user_text",
]


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
    "no wa": "phone",
    "nomor wa": "phone",
    "whatsapp": "phone",
    "address": "address",
    "alamat": "address",
    "alamat surat": "address",
    "alamat kantor": "address",
    "alamat rumah": "address",
    "channel": "via",
    "via": "via",
    "kirim via": "via",
    "saluran": "via",
    "language": "language",
    "bahasa": "language",
    "role": "role",
    "peran": "role",
    "group": "group",
    "kelompok": "group",
}


def read_event_file(path: Path, participants: Path | None = None) -> tuple[EventSpec, list[Row]]:
    """The event spec and all its participants (inline and from participants_file, or from
    `participants` when given: a list uploaded beside the file)."""
    spec = parse_event_spec(load_yaml(path), source=path.name)
    rows = [Row(f"participants[{i}]", p) for i, p in enumerate(spec.participants)]
    listing = participants or (
        path.parent / spec.participants_file if spec.participants_file else None
    )
    if listing is not None:
        listed, problems = read_participant_list(listing)
        if problems:
            raise InvalidInput(problems, heading=N_("{file} has bad rows"), file=listing.name)
        rows.extend(listed)
    return spec, rows


# Columns officers' lists carry that are not about the person: the numbering column of every
# Indonesian list ("No"), and what acara's own attendance export adds. Read and ignored.
IGNORED = {
    "no",
    "no.",
    "nomor",
    "no urut",
    "#",
    "status",
    "checked_in_at",
    "represents",
}


def _header_key(value: Any) -> str:
    return " ".join(str(value or "").split()).lower()


# A list must say how to reach people: at least one of these columns.
_CONTACT_COLUMNS = {"email", "phone", "address"}


def _is_header(cells: list[Any]) -> bool:
    return any(HEADERS.get(_header_key(c)) in _CONTACT_COLUMNS for c in cells)


def _find_header(rows: list[list[Any]], name: str) -> int:
    """The index of the header row: the first with an e-mail, phone or address column among
    the first rows (a title such as "DAFTAR PESERTA" may sit above it)."""
    for index, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if _is_header(cells):
            return index
    first = next((i for i, r in enumerate(rows) if any(v not in (None, "") for v in r)), 0)
    header = [_header_key(h) for h in rows[first]] if rows else []
    unknown = [h for h in header if h and h not in HEADERS and h not in IGNORED]
    if unknown and len(unknown) < len([h for h in header if h]):
        raise InvalidInput([_unknown_columns(name, first + 1, unknown)])
    raise InvalidInput(
        [Problem(f"{name} row {first + 1}", N_("no column for e-mail, phone or address"))]
    )


def _unknown_columns(name: str, number: int, unknown: list[str]) -> Problem:
    known = ", ".join(sorted(set(HEADERS.values())))
    return Problem(
        f"{name} row {number}",
        N_("unknown columns {unknown}; use: {known}"),
        {"unknown": unknown, "known": known},
    )


def _records(path: Path, rows: list[list[Any]]) -> Iterator[tuple[int, dict[str, Any]]]:
    if not rows or not any(v not in (None, "") for r in rows[:HEADER_SEARCH_ROWS] for v in r):
        raise InvalidInput([Problem(path.name, N_("the file is empty"))])
    at = _find_header(rows, path.name)
    header = [_header_key(h) for h in rows[at]]
    unknown = [h for h in header if h and h not in HEADERS and h not in IGNORED]
    if unknown:
        raise InvalidInput([_unknown_columns(path.name, at + 1, unknown)])
    fields = [HEADERS.get(h) for h in header]
    for number, values in iter_nonempty(rows, at + 1):
        yield (
            number,
            {
                f: unquote_cell(v)
                for f, v in zip(fields, values, strict=False)
                if f and v not in (None, "")
            },
        )


@dataclass(slots=True)
class ParticipantList:
    """A list as read: valid rows, a problem per bad row, notices (encoding) for the officer.

    Unpacks as `rows, problems` like the pair it used to be.
    """

    rows: list[Row]
    problems: list[Problem]
    notices: list[str] = field(default_factory=list)

    def __iter__(self) -> Iterator[Any]:
        return iter((self.rows, self.problems))


def read_participant_list(path: Path) -> ParticipantList:
    """Every valid row, and a problem for every bad one (row number, column, reason)."""
    sheet = table(path)
    rows: list[Row] = []
    problems: list[Problem] = []
    for number, record in _records(path, sheet.rows):
        try:
            rows.append(Row(f"row {number}", ParticipantSpec.model_validate(record)))
        except ValidationError as exc:
            problems.extend(
                problems_from(
                    exc,
                    prefix=f"row {number}, column ",
                    model=ParticipantSpec,
                    whole=f"row {number}",
                )
            )
    return ParticipantList(rows, problems, sheet.notices)


def read_participant_record(record: Mapping[str, str]) -> ParticipantList:
    """One participant typed into a form (field names as columns), read like a row of a list.

    An empty field is left out, as an empty cell is; an empty group is kept: it means plenary.
    """
    values = {k: v for k, v in record.items() if k == "group" or v.strip()}
    try:
        return ParticipantList([Row("form", ParticipantSpec.model_validate(values))], [])
    except ValidationError as exc:
        return ParticipantList([], problems_from(exc, model=ParticipantSpec))
