"""Reading and validating a minutes file: every mistake names its line and field."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from acara.minutesfile import parse_markdown, read_minutes_file
from models.errors import InvalidInput
from models.event import Event, EventKind
from models.minutes_rules import parse_minutes
from tests.conftest import EXAMPLES

EXAMPLE = EXAMPLES / "notulen-kunker-camat-jambi.md"


def jambi() -> Event:
    """The Jambi visit as an unsaved row: 8 December 2026, 08.30-15.30 WIB."""
    return Event(
        code="kunker-camat-jambi-2026",
        kind=EventKind.VISIT,
        title="Kunjungan Kerja Camat se-Provinsi Jambi",
        timezone="Asia/Jakarta",
        starts_at=datetime(2026, 12, 8, 1, 30, tzinfo=UTC),
        ends_at=datetime(2026, 12, 8, 8, 30, tzinfo=UTC),
        calendar_uid="x@acara",
    )


def problems_of(text: str, name: str = "notulen.md") -> list[str]:
    """The problems reported for a Markdown minutes text, as printed."""
    with pytest.raises(InvalidInput) as caught:
        parse_minutes(parse_markdown(text, name), jambi())
    return [str(p) for p in caught.value.problems]


GOOD_FRONT = """---
action_items:
  - description: Mengirim SOP
    owner: Rina Marlina
    email: humas@tangerangselatankota.go.id
    due: 2026-12-15
---
"""
BODY = """# Notulen

## Ringkasan

Rombongan diterima Sekda.

## Keputusan

- SOP dibagikan.
"""


def test_the_example_minutes_read_with_every_part() -> None:
    spec = parse_minutes(read_minutes_file(EXAMPLE), jambi())
    assert spec.summary.startswith("Rombongan 30 camat")
    assert len(spec.discussion) == 3 and spec.discussion[0].startswith("Paparan Sekretaris")
    # A bullet that continues on the next line is one point.
    assert "kota cerdas (smart city)" in spec.discussion[0]
    assert len(spec.decisions) == 3
    assert [a.due for a in spec.action_items] == [
        date(2026, 12, 15),
        date(2027, 1, 15),
        date(2027, 2, 26),
    ]
    assert spec.action_items[0].email == "humas@tangerangselatankota.go.id"
    assert spec.key_statements[0].speaker == "Drs. H. Muhamad, M.Si."
    assert spec.key_statements[1].quote.startswith("Camat sebagai ujung tombak")


def test_a_bad_due_date_names_the_line_and_the_field() -> None:
    text = GOOD_FRONT.replace("due: 2026-12-15", "due: minggu depan") + BODY
    assert problems_of(text) == [
        "notulen.md line 6 (action_items[0].due): 'minggu depan' is not a date like 2026-12-15"
    ]


def test_every_problem_is_reported_at_once() -> None:
    text = (
        GOOD_FRONT.replace(
            "email: humas@tangerangselatankota.go.id", "email: humas-at-tangsel"
        ).replace("    owner: Rina Marlina\n", "")
        + BODY
    )
    found = problems_of(text)
    assert any(p.startswith("notulen.md line 3 (action_items[0].owner)") for p in found)
    assert any(
        p.startswith("notulen.md line 4 (action_items[0].email)") and "e-mail" in p for p in found
    )


def test_a_due_date_before_the_event_is_refused() -> None:
    text = GOOD_FRONT.replace("2026-12-15", "2026-11-30") + BODY
    assert problems_of(text) == [
        "notulen.md line 6 (action_items[0].due): due date 2026-11-30 is before the event "
        "(2026-12-08)"
    ]


def test_minutes_written_for_another_event_are_refused() -> None:
    text = "---\nevent: fkp-volume-3\n---\n" + BODY
    assert problems_of(text) == [
        "notulen.md line 2 (event): these minutes are for 'fkp-volume-3', "
        "not for 'kunker-camat-jambi-2026'"
    ]


def test_an_unknown_section_and_stray_text_name_their_lines() -> None:
    text = "Catatan lepas\n" + BODY + "\n## Lain-lain\n\n- apa saja\n"
    found = problems_of(text)
    assert found[0] == (
        "notulen.md line 1: text outside a section; put it under '## Ringkasan' or another section"
    )
    assert found[1].startswith("notulen.md line 12: unknown section 'Lain-lain'")


def test_a_field_given_in_front_matter_and_as_a_section_is_refused() -> None:
    text = "---\ndecisions: [Satu]\n---\n" + BODY
    assert problems_of(text) == [
        "notulen.md line 10: decisions is given twice: in the front matter (line 2) "
        "and as a section"
    ]


def test_minutes_without_a_summary_are_refused() -> None:
    assert problems_of("## Keputusan\n\n- Satu\n") == [
        "notulen.md: no summary: write a '## Ringkasan' section or a summary field"
    ]


def test_unclosed_front_matter_and_yaml_syntax_errors_name_their_line() -> None:
    assert problems_of("---\nsummary: x\n") == [
        "notulen.md line 1: front matter '---' is never closed"
    ]
    found = problems_of("---\nsummary: x\naction_items: [\n---\n" + BODY)  # line 3 opens it
    assert len(found) == 1 and found[0].startswith("notulen.md line 3: YAML syntax error")


def test_an_unknown_field_is_a_mistake_not_silently_ignored() -> None:
    found = problems_of("---\nkeputusn: [Satu]\n---\n" + BODY)
    assert found == ["notulen.md line 2 (keputusn): unknown key"]


def test_indonesian_field_names_and_a_yaml_file_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "notulen.yaml"
    path.write_text(
        "ringkasan: Rombongan diterima Sekda.\n"
        "keputusan: [SOP dibagikan.]\n"
        "tindak_lanjut:\n"
        "  - uraian: Mengirim SOP\n"
        "    penanggung_jawab: Rina Marlina\n"
        "    surel: HUMAS@tangerangselatankota.go.id\n"
        "    tenggat: 2026-12-15\n"
        "pernyataan:\n"
        "  - pembicara: Drs. H. Muhamad, M.Si.\n"
        "    kutipan: Kami punya tujuh kecamatan.\n",
        encoding="utf-8",
    )
    spec = parse_minutes(read_minutes_file(path), jambi())
    assert spec.summary == "Rombongan diterima Sekda."
    assert spec.decisions == ["SOP dibagikan."]
    assert spec.action_items[0].email == "humas@tangerangselatankota.go.id"
    assert spec.key_statements[0].quote == "Kami punya tujuh kecamatan."


def test_a_missing_file_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="file not found"):
        read_minutes_file(tmp_path / "nope.md")
