"""The message catalogs: extract the English source strings, merge them into locale/, compile.

`make catalogs` runs this (`make catalogs LANGUAGE=fr` starts a new language's catalog). It
reads every gettext call in Python and in the Jinja templates (where: babel.cfg), merges the
result into locale/<language>/LC_MESSAGES/messages.po (new messages arrive empty, vanished ones
are dropped), fills the English catalog's empty texts with the English source, and compiles
each catalog to its messages.mo (committed, so a fresh clone runs without this step).
tests/unit/test_i18n.py holds the committed catalogs to the code with `extract()`.
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "locale"
DOMAIN = "messages"
SOURCE_LANGUAGE = "en"
# Besides gettext and friends: N_/Np_ mark text translated later (acara.i18n, models.errors),
# translate(language, text) translates at once, a survey Question carries its text second.
KEYWORDS = {
    **DEFAULT_KEYWORDS,
    "N_": None,
    "Np_": ((1, "c"), 2),
    "translate": (2,),
    "Question": (2,),
}
WIDTH = 100


def extract() -> Catalog:
    """Every message the code and templates use, as an (untranslated) catalog."""
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    catalog = Catalog(project="acara", charset="utf-8")
    found = extract_from_dir(
        ROOT,
        method_map,
        options_map,
        keywords=KEYWORDS,
        comment_tags=("TRANSLATORS:",),
        strip_comment_tags=True,
    )
    for filename, _, message, comments, context in found:
        catalog.add(message, None, [(filename, None)], auto_comments=comments, context=context)
    return catalog


def catalog_path(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def update(template: Catalog, language: str) -> list[str]:
    """Merge `template` into one language's catalog and compile it; the untranslated msgids."""
    path = catalog_path(language)
    if path.exists():
        with path.open("rb") as source:
            catalog = read_po(source, locale=language)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        catalog = Catalog(locale=language, project="acara", charset="utf-8")
    created = catalog.creation_date  # only a change of messages should change the file
    catalog.update(copy.deepcopy(template), no_fuzzy_matching=True)  # it adopts the messages
    catalog.creation_date = created
    catalog.obsolete.clear()
    if language == SOURCE_LANGUAGE:
        for message in catalog:
            if message.id and not any(_strings(message.string)):
                message.string = message.id
    with path.open("wb") as target:
        write_po(target, catalog, width=WIDTH, sort_output=True, include_lineno=False)
    problems = [
        f"{path}: {message.id!r}: {error}"
        for message, errors in catalog.check()
        if any(_strings(message.string))  # an untranslated message has nothing to check yet
        for error in errors
    ]
    if problems:
        raise SystemExit("\n".join(problems))
    with path.with_suffix(".mo").open("wb") as compiled:
        write_mo(compiled, catalog)
    return [repr(m.id) for m in catalog if m.id and not all(_strings(m.string))]


def _strings(string: str | tuple[str, ...] | None) -> tuple[str, ...]:
    return string if isinstance(string, tuple) else (string or "",)


def main(new: list[str]) -> None:
    template = extract()
    untranslated = False
    for language in sorted({p.name for p in LOCALE.iterdir() if p.is_dir()} | set(new)):
        missing = update(template, language)
        for msgid in missing:
            print(f"{catalog_path(language)}: untranslated: {msgid}", file=sys.stderr)
        untranslated = untranslated or bool(missing)
    if untranslated:
        raise SystemExit("translate the messages above, then run `make catalogs` again")


if __name__ == "__main__":
    main(sys.argv[1:])
