"""Files an officer names on the command line, read defensively.

Everything here refuses hostile or accidental input with one clear message, in bounded time
and memory: a size limit before anything is read, YAML without its expansion bombs, CSV in
whatever encoding and dialect Excel saved it in, XLSX checked for its unpacked size before
openpyxl (read-only, through defusedxml) sees it.
"""

from __future__ import annotations

import codecs
import csv
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from acara.settings import get_settings
from models.errors import N_, InvalidInput, Problem


def _mb(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def check_size(path: Path) -> int:
    """The file's size, or InvalidInput when it is missing or over ACARA_IMPORT_MAX_BYTES."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InvalidInput([Problem(str(path), N_("file not found"))]) from None
    except OSError as exc:
        raise InvalidInput(
            [Problem(str(path), N_("cannot be read ({reason})"), {"reason": exc.strerror})]
        ) from None
    limit = get_settings().import_max_bytes
    if size > limit:
        raise InvalidInput(
            [
                Problem(
                    path.name,
                    N_(
                        "the file is {size}, more than the {limit} acara reads "
                        "(ACARA_IMPORT_MAX_BYTES); split it or remove what is not a participant"
                    ),
                    {"size": _mb(size), "limit": _mb(limit)},
                )
            ]
        )
    return size


def read_user_text(path: Path) -> str:
    """A UTF-8 text file an officer named (event file, minutes); InvalidInput otherwise."""
    if path.is_dir():
        raise InvalidInput([Problem(str(path), N_("is a folder, not a file"))])
    check_size(path)
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput([Problem(str(path), N_("not UTF-8 text"))]) from None


# --- YAML ---------------------------------------------------------------------------------
class Loader(yaml.SafeLoader):
    """YAML without its surprises: 09:30 and 09.30 stay text (YAML 1.1 reads them as 570 and
    9.3), so do dates, and only true/false are booleans (not yes/no/on/off)."""


_DROPPED = {
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
}
Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in _DROPPED]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
# Integers as YAML 1.2 writes them: no base-60 forms.
Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^[-+]?(?:0|[1-9][0-9_]*)$"),
    list("-+0123456789"),
)
Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)

# An alias (*name) repeats a whole subtree; nested ones multiply (the "billion laughs").
# Event files and minutes may use a few; the expanded document is what later code walks.
MAX_ALIASES = 200
MAX_EXPANDED_NODES = 200_000
MAX_DEPTH = 60


class YamlTooLarge(Exception):
    """The document is (or expands to) more than acara will read."""


def _expanded_size(root: yaml.Node) -> int:
    """How many nodes the document has once every alias is written out (shared subtrees
    counted once per use, each computed once)."""
    sizes: dict[int, int] = {}

    def size(node: yaml.Node, depth: int) -> int:
        if depth > MAX_DEPTH:
            raise YamlTooLarge(f"nested more than {MAX_DEPTH} levels deep")
        known = sizes.get(id(node))
        if known is not None:
            return known
        total = 1
        if isinstance(node, yaml.SequenceNode):
            for item in node.value:
                total += size(item, depth + 1)
                if total > MAX_EXPANDED_NODES:
                    break
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                total += size(key, depth + 1) + size(value, depth + 1)
                if total > MAX_EXPANDED_NODES:
                    break
        sizes[id(node)] = total
        if total > MAX_EXPANDED_NODES:
            raise YamlTooLarge(
                f"expands to more than {MAX_EXPANDED_NODES:,} values (aliases repeat too much)"
            )
        return total

    return size(root, 0)


class _CountingLoader(Loader):
    """A Loader that stops at too many aliases or too deep a nesting while it composes."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._aliases = 0
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise YamlTooLarge(f"more than {MAX_ALIASES} aliases (*name)")
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise YamlTooLarge(f"nested more than {MAX_DEPTH} levels deep")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def compose_yaml(text: str, name: str, first_line: int = 1) -> tuple[yaml.Node | None, Any]:
    """The document's node tree (for line numbers) and its data, safely; InvalidInput on a
    syntax error or a document that is, or expands to, too much."""
    loader: _CountingLoader | None = None
    try:
        loader = _CountingLoader(text)  # its reader already refuses control characters
        node = loader.get_single_node()
        if node is None:
            return None, None
        _expanded_size(node)
        return node, loader.construct_document(node)
    except YamlTooLarge as exc:
        raise InvalidInput(
            [Problem(name, N_("not read: the YAML {reason}"), {"reason": str(exc)})]
        ) from None
    except RecursionError:
        raise InvalidInput([Problem(name, N_("not read: the YAML is nested too deeply"))]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{name} line {mark.line + first_line}" if mark else name
        reason = getattr(exc, "problem", None) or str(exc)
        raise InvalidInput(
            [Problem(where, N_("YAML syntax error: {reason}"), {"reason": reason})]
        ) from None
    finally:
        if loader is not None:
            loader.dispose()


def load_yaml(path: Path) -> Any:
    """Parse a YAML file an officer named, reporting syntax errors with their line."""
    return compose_yaml(read_user_text(path), path.name)[1]


# --- tables: CSV and XLSX -----------------------------------------------------------------
@dataclass(slots=True)
class Table:
    """A sheet's rows as lists of cells, and notices for the officer (not refusals)."""

    rows: list[list[Any]]
    notices: list[str] = field(default_factory=list)


# Encodings Excel and LibreOffice write on Windows in Indonesia, as the notice names them.
_FAMILIAR = {
    "cp1252": "Windows-1252 (Excel's 'CSV (Comma delimited)')",
    "utf_16": "UTF-16 (Excel's 'Unicode Text')",
    "utf_16_le": "UTF-16 (Excel's 'Unicode Text')",
    "utf_16_be": "UTF-16",
    "latin_1": "Latin-1",
}
# charset-normalizer cannot tell these single-byte Western code pages apart on short lists of
# names; Windows-1252 is what Excel writes on Indonesian Windows, so it wins among them.
_WESTERN = {"cp1250", "cp1252", "latin_1", "iso8859_15", "iso8859_2", "mac_roman", "cp850"}


def decode_table_text(data: bytes, name: str) -> tuple[str, list[str]]:
    """Bytes of a CSV as text: UTF-8 (with or without BOM), else the encoding detected by
    charset-normalizer, with a notice saying which; InvalidInput when it is not text."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), [_notice(name, "utf_16")]
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    encoding = codecs.lookup(best.encoding).name.replace("-", "_") if best else None
    if encoding in _WESTERN or encoding is None:
        try:
            return data.decode("cp1252"), [_notice(name, "cp1252")]
        except UnicodeDecodeError:
            if encoding is None:
                raise InvalidInput(
                    [Problem(name, N_("not a text file; save the list as 'CSV UTF-8' or as .xlsx"))]
                ) from None
    assert best is not None
    return str(best), [_notice(name, encoding or best.encoding)]


def _notice(name: str, encoding: str) -> str:
    label = _FAMILIAR.get(encoding, encoding)
    return (
        f"{name} is not UTF-8; read it as {label}. Check letters like é and ’ in the names, "
        "or save it as 'CSV UTF-8' next time."
    )


def _delimiter(sample: str) -> str:
    """The separator of a CSV, sniffed from a real sample (not one line): ',' ';' or tab."""
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        # A title row or a single column: the separator seen most often, else a comma.
        counts = {d: sample.count(d) for d in ",;\t"}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


class _Excel(csv.Dialect):
    """Excel's CSV: quotes doubled inside quoted cells ("Budi ""Bud"", S.Sos")."""

    delimiter = ","
    quotechar = '"'
    doublequote = True
    skipinitialspace = False
    lineterminator = "\r\n"
    quoting = csv.QUOTE_MINIMAL
    strict = False


def _too_many_rows(name: str, limit: int) -> InvalidInput:
    return InvalidInput(
        [
            Problem(
                name,
                N_(
                    "more than {limit} rows (ACARA_IMPORT_MAX_ROWS); split the list into "
                    "smaller files"
                ),
                {"limit": f"{limit:,}"},
            )
        ]
    )


# Rows above the header (a title, a blank line) that acara skips to find it.
HEADER_SEARCH_ROWS = 12


def csv_table(path: Path) -> Table:
    """A CSV's rows; InvalidInput for a file too large, too long, or not CSV at all."""
    check_size(path)
    text, notices = decode_table_text(path.read_bytes(), path.name)
    sample = text[:65536]
    if len(text) > len(sample) and "\n" in sample:
        sample = sample[: sample.rindex("\n")]  # whole lines only
    dialect = type("Sniffed", (_Excel,), {"delimiter": _delimiter(sample)})
    reader = csv.reader(_lines(text), dialect)
    limit = get_settings().import_max_rows + HEADER_SEARCH_ROWS
    rows: list[list[Any]] = []
    try:
        for row in reader:
            rows.append(row)
            if len(rows) > limit:
                raise _too_many_rows(path.name, limit - HEADER_SEARCH_ROWS)
    except csv.Error as exc:  # e.g. a cell larger than csv's field limit
        raise InvalidInput(
            [
                Problem(
                    f"{path.name} row {reader.line_num}",
                    N_("not readable as CSV ({reason})"),
                    {"reason": str(exc)},
                )
            ]
        ) from None
    return Table(rows, notices)


def _lines(text: str) -> Iterator[str]:
    """The lines of a text with their endings, without copying it (io.StringIO would, at up to
    four bytes a character)."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        if end < 0:
            yield text[start:]
            return
        yield text[start : end + 1]
        start = end + 1


# XLSX is a zip of XML: a small file can unpack to gigabytes. The declared sizes of its
# members bound what zipfile will ever hand openpyxl (it stops at the declared size).
def _unpacked_limit() -> int:
    return get_settings().import_max_unpacked_bytes


def check_unpacked_size(path: Path) -> None:
    """InvalidInput when the workbook would unpack to more than the limit."""
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise InvalidInput([Problem(path.name, N_("not a readable .xlsx workbook"))]) from None
    limit = _unpacked_limit()
    if unpacked > limit:
        raise InvalidInput(
            [
                Problem(
                    path.name,
                    N_(
                        "the workbook unpacks to {size}, more than the {limit} acara reads "
                        "(ACARA_IMPORT_MAX_UNPACKED_BYTES); save only the participant sheet, or "
                        "save it as CSV"
                    ),
                    {"size": _mb(unpacked), "limit": _mb(limit)},
                )
            ]
        )


MAX_COLUMNS = 60


def xlsx_table(path: Path) -> Table:
    """The first sheet's rows (values, not formulas); read-only, after the size checks."""
    from openpyxl import load_workbook  # slow to import; only lists need it
    from openpyxl.utils.exceptions import InvalidFileException

    check_size(path)
    check_unpacked_size(path)
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        raise InvalidInput([Problem(path.name, N_("not a readable .xlsx workbook"))]) from None
    except Exception as exc:  # defusedxml refuses entities and DTDs with its own errors
        if type(exc).__module__.startswith(("defusedxml", "xml")):
            raise InvalidInput(
                [Problem(path.name, N_("not a readable .xlsx workbook (unsafe XML inside)"))]
            ) from None
        raise
    limit = get_settings().import_max_rows + HEADER_SEARCH_ROWS
    rows: list[list[Any]] = []
    try:
        sheet = workbook.active
        for values in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS):
            rows.append([_cell(v) for v in values])
            if len(rows) > limit:
                raise _too_many_rows(path.name, limit - HEADER_SEARCH_ROWS)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
        raise InvalidInput([Problem(path.name, N_("not a readable .xlsx workbook"))]) from None
    finally:
        workbook.close()
    return Table(_trim_empty_tail(rows))


def _trim_empty_tail(rows: list[list[Any]]) -> list[list[Any]]:
    # Read-only sheets pad every row to the sheet's width: drop the empty cells at the end.
    out = []
    for row in rows:
        end = len(row)
        while end and row[end - 1] in (None, ""):
            end -= 1
        out.append(row[:end])
    return out


def _cell(value: Any) -> Any:
    # Spreadsheets store phone numbers and codes as numbers; the specs want text.
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value) if isinstance(value, int | float) else value


def table(path: Path) -> Table:
    """A participant list's rows, by its suffix."""
    suffix = path.suffix.lower()
    if not path.exists():
        raise InvalidInput([Problem(str(path), N_("file not found"))])
    if suffix == ".csv":
        return csv_table(path)
    if suffix in (".xlsx", ".xlsm"):
        return xlsx_table(path)
    raise InvalidInput([Problem(path.name, N_("participant lists must be .csv or .xlsx"))])


def iter_nonempty(rows: list[list[Any]], start: int) -> Iterator[tuple[int, list[Any]]]:
    """(row number counted from 1, cells) for every row from `start` that has a value."""
    for index in range(start, len(rows)):
        values = rows[index]
        if any(v not in (None, "") for v in values):
            yield index + 1, values
