"""English is the source language: fill each empty msgstr of locale/en with its msgid.

`make i18n` runs this after `pybabel update`, so the English catalog only needs hand edits
where English wording differs from the source text (say, a form of address).
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po, write_po

CATALOG = Path(__file__).resolve().parent.parent / "locale" / "en" / "LC_MESSAGES" / "messages.po"


def main() -> None:
    with CATALOG.open("rb") as source:
        catalog = read_po(source, locale="en")
    for message in catalog:
        if not message.id or message.string:
            continue
        message.string = message.id if isinstance(message.id, str) else tuple(message.id)
        message.flags.discard("fuzzy")
    with CATALOG.open("wb") as target:
        write_po(target, catalog, width=100, include_previous=False, sort_output=True)


if __name__ == "__main__":
    main()
