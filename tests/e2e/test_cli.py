"""The real `acara` command, a process per command, as an officer runs it, on SQLite and PostgreSQL.

The tests of mistakes and exit codes start the installed console script each time; the longer
stories fork each command from an interpreter that has imported acara already (tests/preloaded.py).
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES
from tests.preloaded import ACARA, forker


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


class Officer:
    """Runs `acara ...` in a working folder with its own data folder, like a terminal would.

    script=True starts the console script in a new interpreter for each command; otherwise each
    command runs in a process forked from a preloaded one (the same, without the start-up cost).
    """

    def __init__(
        self, folder: Path, database_url: str | None = None, *, script: bool = False
    ) -> None:
        self.folder = folder
        self.script = script
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("ACARA_")}
        self.env.update(
            ACARA_DATA_DIR=str(folder / "data"),
            ACARA_LANGUAGE="en",  # these tests read the English output
            PREFECT_HOME=str(folder / "prefect"),
            PREFECT_SERVER_ANALYTICS_ENABLED="false",
            COLUMNS="400",  # wide tables: one line per row
        )
        if database_url:
            self.env["ACARA_DATABASE_URL"] = database_url

    def __call__(self, *args: str, expect: int = 0) -> Run:
        if self.script:
            done = subprocess.run(
                [str(ACARA), *args],
                cwd=self.folder,
                env=self.env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            run = Run(done.returncode, done.stdout, done.stderr)
        else:
            run = Run(*forker().run(args, cwd=self.folder, env=self.env, timeout=120))
        assert run.code == expect, run
        assert "Traceback" not in run.err and "Traceback" not in run.out, run
        return run


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_an_officer_imports_shows_moves_and_audits_an_event(db_url: str, tmp_path: Path) -> None:
    acara = Officer(tmp_path, database_url=db_url)
    upgraded = acara("db", "upgrade")
    assert "Database is up to date" in upgraded.out

    created = acara("event", "import", str(EXAMPLES / "fgd-halifax.yaml"))
    # The id is the database's (PostgreSQL skips the one a dry run took): not asserted.
    assert re.search(
        r"Created event fgd-halifax-2026 \(id \d+\): 9 participants added", created.out
    )

    extra = write(
        tmp_path,
        "tambahan.csv",
        """\
        nama,jabatan,email,bahasa
        "Dr. Ahmad Fauzi, M.Si.",Kepala Bappeda,ahmad.fauzi@tangerangkota.go.id,id
        "Prof. Mark Gilbert, Ph.D.",Professor,Mark.Gilbert@DAL.ca,en
        Jane Doe,Research Fellow,jane.doe@dal.ca,english
        Ahmad Fauzi,Kepala Bappeda,AHMAD.FAUZI@tangerangkota.go.id,id
        """,
    )
    imported = acara("participants", "import", "fgd-halifax-2026", str(extra))
    # Prof. Gilbert was on the list already, exactly so: he is not "updated".
    assert "2 added, 0 updated, 1 merged duplicates, 0 rejected" in imported.out
    assert "merged: row 5 merged into row 2" in imported.out

    shown = acara("event", "show", "fgd-halifax-2026")
    assert "Focus Group Discussion: Pelayanan Publik Kota Halifax dan Kota Tangerang" in shown.out
    assert "Kamis, 10 Desember 2026 pukul 09.00 WIB" in shown.out
    assert "Tangerang Live Room (TLR), Pusat Pemerintahan Kota Tangerang" in shown.out
    assert "Participants · Pleno (11)" in shown.out
    assert "Prof. Mark Gilbert, Ph.D." in shown.out and "Dr. Ahmad Fauzi, M.Si." in shown.out

    moved = acara("event", "transition", "fgd-halifax-2026", "announce")
    assert "Event fgd-halifax-2026 is now announced." in moved.out
    refused = acara("event", "transition", "fgd-halifax-2026", "close", expect=2)
    assert "cannot close. Allowed from announced: start, hold, reschedule, cancel." in " ".join(
        refused.err.split()
    )

    trail = acara("event", "history", "fgd-halifax-2026")
    assert "import" in trail.out and "from=draft, to=announced" in trail.out
    listed = acara("event", "list")
    assert "fgd-halifax-2026" in listed.out and "announced" in listed.out


def test_an_officer_sees_short_messages_and_exit_codes_for_mistakes(tmp_path: Path) -> None:
    # More messages are checked in-process in tests/integration/test_cli_messages.py.
    acara = Officer(tmp_path, script=True)  # the default: an SQLite file in the data folder
    not_yet = acara("event", "list", expect=4)
    assert "run `acara db upgrade` first" in not_yet.err
    acara("db", "upgrade")
    assert (tmp_path / "data" / "acara.db").exists()
    loaded = acara("organisations", "import", str(EXAMPLES / "organisations.yaml"))
    assert "kota-tangerang-selatan" in loaded.out

    acara("event", "import", str(EXAMPLES / "kunjungan-camat-jambi.yaml"))
    bad = write(
        tmp_path,
        "camat.csv",
        """\
        nama;email;kelompok
        Rudi Hartono;rudi.hartono@jambiprov.go.id;Kelompok 1 - Pamulang
        Sri Wahyuni;sri.wahyuni@;Kelompok 2 - Setu
        ;bayu@jambiprov.go.id;Kelompok 3 - Serpong Utara
        """,
    )
    refused = acara("participants", "import", "kunker-camat-jambi-2026", str(bad), expect=2)
    assert "Nothing imported from camat.csv; fix these rows" in refused.err
    assert "row 3, column email: not a valid e-mail address" in refused.err
    assert "row 4, column name: missing value" in refused.err
    assert count_people(tmp_path, "rudi.hartono@jambiprov.go.id") == 0

    missing = acara("event", "show", "fgd-2099", expect=3)
    assert "No event with id or code 'fgd-2099'" in missing.err


def test_an_unreachable_database_is_an_operator_message_not_a_crash(tmp_path: Path) -> None:
    acara = Officer(
        tmp_path, database_url="postgresql+psycopg://acara@127.0.0.1:9/acara", script=True
    )
    down = acara("event", "list", expect=4)
    assert "cannot use the database" in down.err and "ACARA_DATABASE_URL" in down.err


def count_people(folder: Path, email: str) -> int:
    with sqlite3.connect(folder / "data" / "acara.db") as db:
        return db.execute("SELECT count(*) FROM person WHERE email = ?", (email,)).fetchone()[0]


@pytest.fixture(autouse=True)
def _no_stray_data_folder(tmp_path: Path) -> None:
    """Commands write only under the temp folder they were given."""
    assert not (tmp_path / "data").exists()
