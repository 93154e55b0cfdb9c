"""Documents the office files and hands out: attendance list, minutes, press release.

Each document is built in two steps: a context of plain strings from the database, then a
pure render (Jinja2 in templates/documents/, WeasyPrint for PDF). Files go to
data_dir/documents/<event code>/.
"""

from __future__ import annotations

from pathlib import Path

from acara.settings import get_settings
from models.errors import invalid


def documents_dir(code: str) -> Path:
    """The folder of an event's documents (created on first use); never outside documents/."""
    root = (get_settings().data_dir / "documents").resolve()
    folder = (root / code).resolve()
    if folder.parent != root:
        # Codes are checked at import (models.plan.safe_file_name); an older row may not be.
        raise invalid("code", f"{code!r} cannot name a folder of documents")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def write_atomically(path: Path, content: bytes | str) -> Path:
    """Write a file so a reader never sees half of it (rename over the old one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_name(f".{path.name}.tmp")
    if isinstance(content, str):
        scratch.write_text(content, encoding="utf-8")
    else:
        scratch.write_bytes(content)
    scratch.replace(path)
    return path
