"""What an officer reads when the `acara` command refuses something (in-process, both databases).

tests/e2e/test_cli.py runs the installed console script; these call the same entry point,
`acara.cli.main`, without a new Python process per command, so every message stays cheap to check.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from acara.cli import main
from acara.cli.console import console, err_console
from acara.settings import get_settings
from tests.conftest import EXAMPLES


class Said:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code = code
        # Rich wraps at the terminal width: compare words, not line breaks.
        self.out = " ".join(out.split())
        self.err = " ".join(err.split())


@pytest.fixture
def acara(acara_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    return officer(capsys, monkeypatch, language="en")  # these tests read the English output


def officer(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, language: str):
    """`acara ...` in-process, speaking `language` (ACARA_LANGUAGE)."""
    monkeypatch.setenv("ACARA_LANGUAGE", language)
    get_settings.cache_clear()
    for shared in (console, err_console):
        monkeypatch.setattr(shared, "width", 400)  # tables one line per row, as in a wide terminal

    def run(*args: str, expect: int = 0) -> Said:
        monkeypatch.setattr(sys, "argv", ["acara", *args])
        with pytest.raises(SystemExit) as exited:
            main()
        captured = capsys.readouterr()
        said = Said(int(exited.value.code or 0), captured.out, captured.err)
        assert said.code == expect, (said.code, said.out, said.err)
        assert "Traceback" not in captured.err
        return said

    return run


@pytest.fixture
def jambi(acara) -> None:
    acara("event", "import", str(EXAMPLES / "kunjungan-camat-jambi.yaml"))


def write(name: str, text: str) -> str:
    Path(name).write_text(textwrap.dedent(text), encoding="utf-8")  # cwd is the test's folder
    return name


def test_a_yaml_syntax_error_is_reported_with_its_line(acara) -> None:
    said = acara(
        "event", "import", write("rusak.yaml", "code: x\nkind: fgd\ntitle: [FGD\n"), expect=2
    )
    assert said.err.startswith("Error: Invalid input: - rusak.yaml line 4: YAML syntax error")


def test_an_event_file_with_an_unknown_timezone_is_refused(acara) -> None:
    text = (EXAMPLES / "fgd-halifax.yaml").read_text(encoding="utf-8")
    said = acara("event", "import", write("fgd.yaml", text.replace("WIB", "WEST")), expect=2)
    assert "timezone: unknown timezone 'WEST'; use WIB, WITA, WIT or an IANA name" in said.err


def test_skipping_bad_rows_reports_each_one_even_with_brackets_in_it(acara, jambi) -> None:
    bad = write(
        "camat.csv",
        """\
        nama,email,kelompok
        Rudi Hartono,rudi.hartono@jambiprov.go.id,Kelompok 1 - Pamulang
        Sri Wahyuni,sri.wahyuni@,Kelompok 2 - Setu
        Dewi Lestari,dewi@jambiprov.go.id,[/Kelompok 9]
        """,
    )
    said = acara("participants", "import", "kunker-camat-jambi-2026", bad, "--skip-invalid")
    assert "1 added, 0 updated, 0 merged duplicates, 2 rejected" in said.out
    assert "rejected row 3, column email: not a valid e-mail address" in said.out
    assert "rejected row 4: group: no group named '[/Kelompok 9]' in this event" in said.out


def test_an_unknown_action_is_refused_with_the_known_ones(acara, jambi) -> None:
    said = acara("event", "transition", "kunker-camat-jambi-2026", "publish", expect=2)
    assert "unknown action 'publish'; known actions: announce, start, hold, report, close" in (
        said.err
    )


def test_cancel_and_reschedule_have_their_own_commands(acara, jambi) -> None:
    said = acara("event", "transition", "kunker-camat-jambi-2026", "cancel", expect=2)
    assert "use `acara event cancel`, which asks for what it needs" in said.err
    said = acara("event", "reschedule", "1", "--start", "besok pagi", expect=2)
    assert "start: 'besok pagi' is not a time like 2026-12-12 09:00" in said.err
    said = acara("event", "reschedule", "1", "--start", "2026-12-09 08:30", "--yes")
    assert "now starts Rabu, 9 Desember 2026 pukul 08.30 WIB (sequence 1)" in said.out
    said = acara("event", "cancel", "1", "--reason", "Rombongan menunda kunjungan", "--yes")
    assert "is cancelled" in said.out
    said = acara("event", "transition", "1", "announce", expect=2)
    assert "is cancelled: cannot announce. Allowed from cancelled: none." in said.err


def test_text_that_looks_like_markup_is_shown_as_written(acara) -> None:
    text = (EXAMPLES / "fgd-halifax.yaml").read_text(encoding="utf-8")
    text = text.replace("Penutupan dan foto bersama", "Penutupan [/draft] [bold]")
    acara("event", "import", write("fgd.yaml", text))
    said = acara("event", "show", "fgd-halifax-2026")
    assert "Penutupan [/draft] [bold]" in said.out


def test_an_id_too_large_for_the_database_is_just_not_found(acara) -> None:
    said = acara("event", "show", "99999999999999999999", expect=3)
    assert "No event with id or code '99999999999999999999'" in said.err


def test_the_officer_reads_indonesian_by_default(
    acara_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    indonesian = officer(capsys, monkeypatch, language="id")
    said = indonesian("event", "show", "tidak-ada", expect=3)
    assert said.err.startswith("Kesalahan: Tidak ada acara dengan id atau kode 'tidak-ada'.")
    english = officer(capsys, monkeypatch, language="en")
    said = english("event", "show", "tidak-ada", expect=3)
    assert said.err.startswith("Error: No event with id or code 'tidak-ada'.")
