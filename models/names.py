"""Indonesian names with honorifics and academic titles kept apart from the name itself."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Titles written before the name (gelar depan) and religious/nobility honorifics.
PREFIX_TITLES = (
    "Prof.",
    "Dr.",
    "dr.",
    "drg.",
    "Ir.",
    "Drs.",
    "Dra.",
    "H.",
    "Hj.",
    "KH.",
    "Kh.",
    "R.",
    "Mr.",
    "Mrs.",
    "Ms.",
    "Assoc. Prof.",
)
# Salutations that say how to address someone in a letter; they are not part of the name.
SALUTATIONS = {
    "bapak": "Bapak",
    "bpk.": "Bapak",
    "bpk": "Bapak",
    "ibu": "Ibu",
    "ibu.": "Ibu",
    "sdr.": "Saudara",
    "saudara": "Saudara",
    "sdri.": "Saudari",
    "saudari": "Saudari",
    "mr.": "Mr.",
    "mr": "Mr.",
    "mrs.": "Mrs.",
    "ms.": "Ms.",
    "ms": "Ms.",
}
# Academic degrees after the name (gelar belakang): S.T., M.Si., S.Sos., Ph.D., M.A.P. ...
_SUFFIX = re.compile(
    r"^(?:[A-Z][A-Za-z]{0,5}\.)+(?:[A-Z][A-Za-z]{0,5}\.?)?$|^Ph\.?D\.?$|^MBA$|^MPA$"
)
_PREFIX_EXACT = set(PREFIX_TITLES)
# Case-insensitive fallback; "dr." (medical) and "Dr." (doctorate) differ only by case, so an
# exact match wins and other spellings ("DR.") fall back to the doctorate.
_PREFIX_LOOKUP = {p.lower(): p for p in reversed(PREFIX_TITLES)}


def _prefix(token: str) -> str | None:
    if token in _PREFIX_EXACT:
        return token
    if found := _PREFIX_LOOKUP.get(token.lower()):
        return found
    # "Prof Dr Ir Bambang" without dots; single letters ("H Sachrudin") may be initials.
    if len(token) >= 2 and not token.endswith("."):
        return _prefix(f"{token}.")
    return None


@dataclass(frozen=True, slots=True)
class PersonName:
    """A name split into salutation, titles before, the name, and degrees after."""

    name: str
    title_prefix: str = ""
    title_suffix: str = ""
    salutation: str = ""

    @property
    def with_titles(self) -> str:
        """The name as written on a letter: 'Prof. Dr. Mark Gilbert, M.Si.'."""
        front = f"{self.title_prefix} {self.name}".strip()
        return f"{front}, {self.title_suffix}" if self.title_suffix else front


def split_name(raw: str) -> PersonName:
    """Split 'Bapak Dr. H. Muhamad, S.Sos., M.Si.' into its parts."""
    text = " ".join(raw.replace("\u00a0", " ").split())
    head, _, tail = text.partition(",")
    suffixes = [part.strip() for part in tail.split(",") if part.strip()] if tail else []
    words = head.split(" ")
    salutation = ""
    if words and words[0].lower() in SALUTATIONS and len(words) > 1:
        salutation = SALUTATIONS[words.pop(0).lower()]
    prefixes: list[str] = []
    while len(words) > 1:
        if two := _prefix(f"{words[0]} {words[1]}"):
            prefixes.append(two)
            del words[:2]
        elif one := _prefix(words[0]):
            prefixes.append(one)
            words.pop(0)
        else:
            break
    # Degrees glued to the last word without a comma ("Muhamad S.Sos") still count.
    while len(words) > 1 and _SUFFIX.match(words[-1]) and not tail:
        suffixes.insert(0, words.pop())
    name = " ".join(words)
    if not all(_SUFFIX.match(s.replace(" ", "")) for s in suffixes):
        # A comma that is part of the name rather than a degree list: keep it whole.
        name, suffixes = ", ".join([name, *suffixes]), []
    return PersonName(
        name=name,
        title_prefix=" ".join(prefixes),
        title_suffix=", ".join(suffixes),
        salutation=salutation,
    )
