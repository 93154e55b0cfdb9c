"""A git merge driver for message catalogs: the union of both sides' translations.

Two branches that each add messages to locale/*/messages.po conflict line by line although
their entries never collide. Registered as the `po-union` driver (scripts/git-setup.sh), git
calls this with the base, ours and theirs files; it writes ours with every entry of theirs
that ours lacks or leaves untranslated. `make catalogs` afterwards drops what no code uses and
recompiles the .mo files.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

WIDTH = 100


def merge(ours: Path, theirs: Path) -> None:
    """Add theirs' entries (and translations ours lacks) to ours, in place."""
    with ours.open("rb") as handle:
        mine = read_po(handle)
    with theirs.open("rb") as handle:
        other = read_po(handle)
    for message in other:
        if not message.id:
            continue
        current = mine.get(message.id, message.context)
        if current is None:
            mine[message.id] = message
        elif message.string and not (
            all(current.string) if isinstance(current.string, tuple) else current.string
        ):
            current.string = message.string
    with ours.open("wb") as handle:
        write_po(handle, mine, width=WIDTH, sort_output=True, include_lineno=False)


if __name__ == "__main__":
    _base, ours_path, theirs_path = sys.argv[1:4]
    merge(Path(ours_path), Path(theirs_path))
