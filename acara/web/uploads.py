"""Files an officer uploads: kept under their own name in a private folder while a stage reads
them, the same way the CLI reads a file named on its command line."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath, PureWindowsPath

from fastapi import UploadFile

from acara.settings import get_settings
from models.errors import N_, invalid

CHUNK = 1 << 20


def write(upload: UploadFile, folder: Path, default_name: str) -> Path:
    """The upload written into `folder` under its own base name (so errors name it).

    Reading stops just past ACARA_IMPORT_MAX_BYTES: the stage then refuses the file by its
    size, as it does on the command line, without the whole upload in memory or on disk.
    """
    raw = upload.filename or ""
    name = PureWindowsPath(PurePosixPath(raw).name).name.strip() or default_name
    if name.startswith("."):
        name = default_name
    limit = get_settings().import_max_bytes
    path = folder / name
    written = 0
    with path.open("wb") as out:
        while written <= limit and (chunk := upload.file.read(CHUNK)):
            out.write(chunk)
            written += len(chunk)
    if written == 0:
        raise invalid("file", N_("choose a file to upload"))
    return path


@contextmanager
def saved(upload: UploadFile, default_name: str) -> Iterator[Path]:
    """The upload as a file (see `write`), deleted afterwards."""
    with tempfile.TemporaryDirectory(prefix="acara-upload-") as folder:
        yield write(upload, Path(folder), default_name)
