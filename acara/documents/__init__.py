"""Documents the office files and hands out: attendance list, minutes, press release.

Each document is built in two steps: a context of plain strings from the database, then a
pure render (Jinja2 in templates/documents/, WeasyPrint for PDF). Files go to
data_dir/documents/<event code>/.
"""

from __future__ import annotations

from pathlib import Path

from acara.settings import get_settings


def documents_dir(code: str) -> Path:
    """The folder of an event's documents (created on first use)."""
    folder = get_settings().data_dir / "documents" / code
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
