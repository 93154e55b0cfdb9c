"""Nothing reaches a dignitary by mistake: a plan before every mailing, time guards, who acted.

The officer's real `acara` command in a subprocess (no terminal: it cannot ask), on copies of
the seed events moved to 2099 so that the real clock never changes what is "before" the event.
"""

from __future__ import annotations

import re
import sqlite3
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES
from tests.e2e.test_cli import Officer

MOU = "mou-ombudsman-banten-2027"  # the MoU signing with Ombudsman RI Banten, 8 invitees
JAMBI = "kunker-camat-jambi-2026"  # 34 camat and hosts, three groups
pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def moved(folder: Path, *names: str, years: tuple[str, str] = ("2099", "2100")) -> None:
    """Copies of example files with 2026 and 2027 moved to other years."""
    for name in names:
        text = (EXAMPLES / name).read_text(encoding="utf-8")
        text = text.replace("2026-", f"{years[0]}-").replace("2027-", f"{years[1]}-")
        (folder / name).write_text(text, encoding="utf-8")


def dump(db_url: str) -> list[str]:
    """Every row of every table, as SQL: equal dumps mean nothing changed."""
    with sqlite3.connect(db_url.removeprefix("sqlite:///")) as connection:
        return list(connection.iterdump())


def owes(out: str, purpose: str, count: int) -> bool:
    """Whether a printed plan lists `count` messages of a purpose."""
    return re.search(rf"│ {purpose}\s+│ {count}\s", out) is not None


def mails(folder: Path) -> list[Path]:
    return sorted((folder / "data" / "outbox" / "new").glob("*.eml"))


@pytest.fixture
def officer(db_url: str, tmp_path: Path) -> Officer:
    acara = Officer(tmp_path, database_url=db_url)
    acara.env["ACARA_OFFICER"] = "Rina Marlina"  # Officer speaks English (ACARA_LANGUAGE=en)
    acara("db", "upgrade")
    moved(tmp_path, "penandatanganan-mou-ombudsman.yaml")
    acara("event", "import", str(tmp_path / "penandatanganan-mou-ombudsman.yaml"))
    return acara


def test_a_dry_run_shows_who_gets_what_and_changes_nothing(
    officer: Officer, tmp_path: Path, db_url: str
) -> None:
    before = dump(db_url)
    planned = officer("invite", MOU, "--dry-run")
    assert "Plan · invite · mou-ombudsman-banten-2027" in planned.out
    assert "Draft" in planned.out and "Announced" in planned.out
    assert owes(planned.out, "invitation", 8)
    assert "Dr. H. Benyamin Davnie" in planned.out or "and 3 more" in planned.out
    assert "Dry run: nothing was changed and nothing was sent." in planned.out
    assert dump(db_url) == before and mails(tmp_path) == []


def test_without_a_terminal_or_yes_nothing_is_sent_and_yes_is_named(
    officer: Officer, tmp_path: Path, db_url: str
) -> None:
    before = dump(db_url)
    refused = officer("invite", MOU, expect=2)
    assert "--yes" in refused.err and owes(refused.out, "invitation", 8)
    assert dump(db_url) == before and mails(tmp_path) == []
    assert "8 new message(s) owed" in officer("invite", MOU, "--yes").out
    assert len(mails(tmp_path)) == 8


def test_a_year_typed_wrong_is_refused_before_anyone_is_told(
    officer: Officer, tmp_path: Path
) -> None:
    officer("invite", MOU, "--yes")
    refused = officer("event", "reschedule", MOU, "--start", "2025-01-21 09:00", "--yes", expect=2)
    assert "2025-01-21 09:00 WIB is in the past; check the date and the year" in refused.err
    assert len(mails(tmp_path)) == 8  # the invitations only


def test_a_reschedule_plan_says_from_when_to_when_and_who_is_told(
    officer: Officer, tmp_path: Path
) -> None:
    officer("invite", MOU, "--yes")
    planned = officer("event", "reschedule", MOU, "--start", "2100-01-08 10:00", "--dry-run")
    assert "Kamis, 7 Januari 2100" in planned.out and "Jumat, 8 Januari 2100" in planned.out
    assert owes(planned.out, "update", 8)
    assert len(mails(tmp_path)) == 8
    officer("event", "reschedule", MOU, "--start", "2100-01-08 10:00", "--yes")
    assert len(mails(tmp_path)) == 16


def test_nobody_is_invited_to_an_event_that_is_over(db_url: str, tmp_path: Path) -> None:
    officer = Officer(tmp_path, database_url=db_url)
    officer("db", "upgrade")
    moved(tmp_path, "penandatanganan-mou-ombudsman.yaml", years=("2020", "2021"))
    officer("event", "import", str(tmp_path / "penandatanganan-mou-ombudsman.yaml"))
    refused = officer("invite", MOU, "--yes", expect=2)
    assert "ended 2021-01-07 11:30 WIB: invitations can no longer be sent" in refused.err
    assert mails(tmp_path) == []


def test_holding_and_checking_in_wait_for_the_day_unless_forced_with_a_reason(
    officer: Officer,
) -> None:
    officer("invite", MOU, "--yes")
    early = officer("event", "transition", MOU, "hold", expect=2)
    assert "it cannot be held before 2100-01-07 10:00 WIB" in early.err
    assert "--force" in early.err
    desk = officer("checkin", MOU, "--rest", expect=2)
    assert "nobody can be checked in before 2100-01-07 08:00 WIB" in desk.err
    # Afterwards, the paper list is recorded as of the morning it was signed.
    recorded = officer("checkin", MOU, "--rest", "--at", "2100-01-07 09:45")
    assert "8 participant(s) of mou-ombudsman-banten-2027 marked present." in recorded.out
    forced = officer(
        "event", "transition", MOU, "hold", "--force", "Penandatanganan dimajukan Wali Kota"
    )
    assert "is now held" in forced.out
    history = officer("event", "history", MOU).out
    assert "forced=Penandatanganan dimajukan Wali Kota" in history
    assert "Rina Marlina" in history and "│ cli " not in history


def test_reimporting_an_old_file_after_a_reschedule_warns_before_moving_it_back(
    officer: Officer, tmp_path: Path
) -> None:
    officer("invite", MOU, "--yes")
    officer("event", "reschedule", MOU, "--start", "2100-01-14 09:00", "--yes")
    sent = len(mails(tmp_path))
    planned = officer(
        "event", "import", str(tmp_path / "penandatanganan-mou-ombudsman.yaml"), "--dry-run"
    )
    assert "The file moves the event back: it was rescheduled by Rina Marlina" in planned.out
    assert "Kamis, 14 Januari 2100" in planned.out and "Kamis, 7 Januari 2100" in planned.out
    assert owes(planned.out, "update", 8)
    assert len(mails(tmp_path)) == sent
    refused = officer(
        "event", "import", str(tmp_path / "penandatanganan-mou-ombudsman.yaml"), expect=2
    )
    assert "--yes" in refused.err and len(mails(tmp_path)) == sent
    # Confirmed, the import sends exactly the updates its plan listed.
    officer("event", "import", str(tmp_path / "penandatanganan-mou-ombudsman.yaml"), "--yes")
    assert len(mails(tmp_path)) == sent + 8


def test_a_reminder_rehearsed_the_day_before_says_tomorrow(db_url: str, tmp_path: Path) -> None:
    officer = Officer(tmp_path, database_url=db_url)
    officer("db", "upgrade")
    moved(tmp_path, "kunjungan-camat-jambi.yaml", "camat_jambi.csv")
    officer("event", "import", str(tmp_path / "kunjungan-camat-jambi.yaml"))
    officer("invite", JAMBI, "--yes")
    invited = set(mails(tmp_path))
    planned = officer("remind", "--at", "2099-12-07 09:00", "--dry-run")
    assert "Plan · remind · kunker-camat-jambi-2026" in planned.out
    assert set(mails(tmp_path)) == invited
    officer("remind", "--at", "2099-12-07 09:00", "--yes")
    reminders = [
        message_from_bytes(path.read_bytes(), policy=policy.default)
        for path in set(mails(tmp_path)) - invited
    ]
    assert reminders
    for reminder in reminders:
        text = reminder.get_body(preferencelist=("plain",)).get_content()
        assert "besok, Selasa, 8 Desember 2099" in text or "tomorrow" in text


def test_the_plan_warns_when_the_event_names_no_host_to_write_as(
    db_url: str, tmp_path: Path
) -> None:
    officer = Officer(tmp_path, database_url=db_url)
    officer("db", "upgrade")
    moved(tmp_path, "kunjungan-camat-jambi.yaml", "camat_jambi.csv")
    hosted = tmp_path / "kunjungan-camat-jambi.yaml"
    officer("event", "import", str(hosted))
    assert "no host organisation" not in officer("invite", JAMBI, "--dry-run").out
    lines = hosted.read_text().splitlines(keepends=True)
    hosted.write_text("".join(x for x in lines if not x.startswith(("host:", "signatory:"))))
    officer("event", "import", str(hosted))
    planned = officer("invite", JAMBI, "--dry-run")
    assert "names no host organisation" in planned.out
    assert "Bagian Protokol Setda Kota Tangerang <protokol@tangerangkota.go.id>" in planned.out
