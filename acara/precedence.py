"""The office's protocol order: ACARA_PRECEDENCE_FILE when set, else UU 9/2010's."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from acara.settings import get_settings
from acara.userfiles import read_user_text
from models.errors import N_, InvalidInput, Problem
from models.precedence import DEFAULT, Precedence, parse_precedence


@lru_cache(maxsize=4)
def _read(path: Path, changed: int) -> Precedence:
    # `changed` (the file's mtime) is part of the cache key: an edited file is read again.
    return parse_precedence(read_user_text(path), source=path.name)


def precedence() -> Precedence:
    """The protocol order lists and documents follow."""
    path = get_settings().precedence_file
    if path is None:
        return DEFAULT
    if not path.is_file():
        raise InvalidInput(
            [Problem("ACARA_PRECEDENCE_FILE", N_("{path} does not exist"), {"path": str(path)})]
        )
    return _read(path.resolve(), path.stat().st_mtime_ns)
