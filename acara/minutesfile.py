"""Reading a minutes file: Markdown with YAML front matter, or plain YAML, with line numbers.

    ---
    event: kunker-camat-jambi-2026
    action_items:
      - description: Mengirim SOP layanan SPPT online
        owner: Rina Marlina, S.I.Kom.
        email: humas@tangerangselatankota.go.id
        due: 2026-12-15
    key_statements:
      - speaker: Drs. H. Muhamad, M.Si.
        quote: Kami punya tujuh kecamatan.
    ---
    # Notulen ...
    ## Ringkasan
    (paragraphs)
    ## Pembahasan
    - a discussion point
    ## Keputusan
    - a decision

Every value remembers its line so that validation can say "notulen.md line 14 (...)".
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from acara.userfiles import compose_yaml, read_user_text
from models.errors import N_, InvalidInput, Problem
from models.minutes_rules import MinutesSource, canonical_key

# Section headings of the Markdown body (lower case, without numbering) -> field.
SECTIONS: dict[str, str] = {
    "ringkasan": "summary",
    "ringkasan eksekutif": "summary",
    "ringkasan rapat": "summary",
    "summary": "summary",
    "pembahasan": "discussion",
    "pokok pembahasan": "discussion",
    "pokok-pokok pembahasan": "discussion",
    "hasil pembahasan": "discussion",
    "discussion": "discussion",
    "discussion points": "discussion",
    "keputusan": "decisions",
    "kesepakatan": "decisions",
    "kesimpulan": "decisions",
    "decisions": "decisions",
}
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_NUMBERING = re.compile(r"^(?:[0-9]+|[IVXLC]+|[A-Za-z])[.)]\s+")
_BULLET = re.compile(r"^(?:[-*+]|\d+[.)])\s+(.*)$")
_FENCE = re.compile(r"^(?:---|\.\.\.)\s*$")


def read_minutes_file(path: Path) -> MinutesSource:
    """Read a .md (front matter + sections) or .yaml minutes file; InvalidInput on any problem."""
    text = read_user_text(path).replace("\r\n", "\n").lstrip("\ufeff")
    if path.suffix.lower() in (".yaml", ".yml"):
        data, lines = _yaml(text, path.name, first_line=1)
        return MinutesSource(path.name, data, lines)
    return parse_markdown(text, path.name)


def parse_markdown(text: str, name: str) -> MinutesSource:
    """Minutes from Markdown text with optional YAML front matter."""
    all_lines = text.split("\n")
    data: dict[str, Any] = {}
    lines: dict[str, int] = {}
    body_start = 0
    if all_lines and _FENCE.match(all_lines[0]) and all_lines[0].startswith("---"):
        end = next((i for i in range(1, len(all_lines)) if _FENCE.match(all_lines[i])), None)
        if end is None:
            raise InvalidInput(
                [Problem(f"{name} line 1", N_("front matter '---' is never closed"))]
            )
        data, lines = _yaml("\n".join(all_lines[1:end]), name, first_line=2)
        body_start = end + 1
    sections, section_lines, problems = _sections(all_lines, body_start, name)
    for field, value in sections.items():
        if field in data:
            problems.append(
                Problem(
                    f"{name} line {section_lines[field]}",
                    N_(
                        "{field} is given twice: in the front matter (line {line}) and as a section"
                    ),
                    {"field": field, "line": lines.get(field, 1)},
                )
            )
            continue
        data[field] = value
    if problems:
        raise InvalidInput(problems, heading=N_("{source} is not valid"), source=name)
    lines.update(section_lines)
    return MinutesSource(name, data, lines)


def _yaml(text: str, name: str, first_line: int) -> tuple[dict[str, Any], dict[str, int]]:
    """Load YAML and map each field path to its line in the file."""
    # The same safe loading as event files: a size limit, and no alias bombs.
    node, data = compose_yaml(text, name, first_line)
    if node is None or data is None:
        return {}, {}
    if not isinstance(data, dict):
        raise InvalidInput([Problem(name, N_("expected fields (key: value) at the top level"))])
    lines: dict[str, int] = {}
    problems: list[Problem] = []
    _walk(node, "", first_line, lines)
    renamed = _rename(data, "", name, lines, problems)
    if problems:
        raise InvalidInput(problems, heading=N_("{source} is not valid"), source=name)
    return renamed, lines


def _walk(node: yaml.Node, path: str, first_line: int, lines: dict[str, int]) -> None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = canonical_key(key_node.value)
            child = f"{path}.{key}" if path else str(key)
            lines[child] = key_node.start_mark.line + first_line
            _walk(value_node, child, first_line, lines)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            child = f"{path}[{i}]"
            lines[child] = item.start_mark.line + first_line
            _walk(item, child, first_line, lines)


def _rename(
    value: Any, path: str, name: str, lines: dict[str, int], problems: list[Problem]
) -> Any:
    """Indonesian field names to English ones, everywhere; a field given twice is a problem."""
    if isinstance(value, dict):
        out: dict[Any, Any] = {}
        for key, item in value.items():
            new = canonical_key(key)
            child = f"{path}.{new}" if path else str(new)
            if new in out:
                problems.append(
                    Problem(
                        f"{name} line {lines.get(child, 1)}",
                        N_("{field} is given twice"),
                        {"field": child},
                    )
                )
            out[new] = _rename(item, child, name, lines, problems)
        return out
    if isinstance(value, list):
        return [
            _rename(item, f"{path}[{i}]", name, lines, problems) for i, item in enumerate(value)
        ]
    return value


def _section_of(title: str) -> str | None:
    cleaned = _NUMBERING.sub("", title).strip().rstrip(":").strip().lower()
    return SECTIONS.get(cleaned)


def _sections(
    all_lines: list[str], start: int, name: str
) -> tuple[dict[str, Any], dict[str, int], list[Problem]]:
    """The body's sections: summary as text, discussion and decisions as lists of items."""
    chunks: dict[str, list[tuple[int, str]]] = {}
    section_lines: dict[str, int] = {}
    problems: list[Problem] = []
    current: str | None = None
    for index in range(start, len(all_lines)):
        number, line = index + 1, all_lines[index]
        heading = _HEADING.match(line)
        if heading and len(heading[1]) <= 2:
            if len(heading[1]) == 1 and current is None:
                continue  # the document title
            field = _section_of(heading[2])
            if field is None:
                known = "Ringkasan, Pembahasan, Keputusan"
                problems.append(
                    Problem(
                        f"{name} line {number}",
                        N_(
                            "unknown section {section!r}; the sections are {known} "
                            "(action items and key statements go in the front matter)"
                        ),
                        {"section": heading[2], "known": known},
                    )
                )
                current = "_ignored"
                continue
            if field in chunks:
                problems.append(
                    Problem(
                        f"{name} line {number}",
                        N_("second {section!r} section"),
                        {"section": heading[2]},
                    )
                )
            current = field
            chunks[field] = []
            section_lines[field] = number
            continue
        if current is None:
            if line.strip():
                problems.append(
                    Problem(
                        f"{name} line {number}",
                        N_(
                            "text outside a section; put it under '## Ringkasan' or another section"
                        ),
                    )
                )
            continue
        if current != "_ignored":
            chunks[current].append((number, line))
    sections: dict[str, Any] = {}
    for field, content in chunks.items():
        if field == "summary":
            sections[field] = "\n".join(line for _, line in content).strip()
        else:
            items = _items(content)
            sections[field] = [text for _, text in items]
            for i, (number, _) in enumerate(items):
                section_lines[f"{field}[{i}]"] = number
    return sections, section_lines, problems


def _items(content: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Bullets (or paragraphs) as items; indented lines continue the item above."""
    items: list[tuple[int, list[str]]] = []
    open_item = False
    for number, line in content:
        if not line.strip():
            open_item = False
            continue
        bullet = _BULLET.match(line)
        if bullet:
            items.append((number, [bullet[1].strip()]))
            open_item = True
        elif items and (open_item or line.startswith((" ", "\t"))):
            items[-1][1].append(line.strip())
            open_item = True
        else:
            items.append((number, [line.strip()]))
            open_item = True
    return [(number, " ".join(parts)) for number, parts in items]
