"""`acara rsvp`: an officer records an answer given by phone, as the office reads it (Indonesian);
and what `event show` tells the officer of the English texts.

The officer's real command, on a copy of the Halifax FGD moved to 2099.
"""

from __future__ import annotations

from email import message_from_bytes, policy
from pathlib import Path

import pytest

from tests.e2e.test_cli import Officer
from tests.e2e.test_plans_cli import dump, moved

FGD = "fgd-halifax-2026"
pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


@pytest.fixture
def officer(db_url: str, tmp_path: Path) -> Officer:
    acara = Officer(tmp_path, database_url=db_url)
    acara.env.update(ACARA_OFFICER="Rina Marlina", ACARA_LANGUAGE="id")
    acara("db", "upgrade")
    moved(tmp_path, "fgd-halifax.yaml")
    acara("event", "import", str(tmp_path / "fgd-halifax.yaml"), "--yes")
    acara("invite", FGD, "--yes")
    return acara


def test_a_phone_answer_is_planned_then_recorded_and_the_audit_says_via_telepon_and_who(
    officer: Officer, db_url: str
) -> None:
    before = dump(db_url)
    looked = officer("rsvp", FGD, "Gilbert", "decline", "--dry-run")
    assert "jawaban Prof. Mark Gilbert, Ph.D." in looked.out and "Tidak hadir" in looked.out
    assert dump(db_url) == before
    refused = officer("rsvp", FGD, "Gilbert", "decline", expect=2)
    assert "--yes" in refused.err
    done = officer("rsvp", FGD, "mark.gilbert@dal.ca", "decline", "--note", "ditelepon", "--yes")
    assert "Jawaban Prof. Mark Gilbert, Ph.D. dicatat: Tidak hadir (via telepon)." in done.out
    history = officer("event", "history", FGD).out
    (line,) = [row for row in history.splitlines() if "rsvp.decline" in row]
    assert "Rina Marlina" in line and "via telepon" in line and "ditelepon" in line


def test_a_name_that_fits_several_is_refused_with_the_candidates_and_a_bad_via_is_named(
    officer: Officer,
) -> None:
    refused = officer("rsvp", FGD, "dr.", "accept", "--yes", expect=2)
    assert "'dr.' cocok dengan 2 peserta" in refused.err
    assert "Dr. Nurdin" in refused.err and "dr. Dini Anggraeni" in refused.err
    wrong = officer("rsvp", FGD, "Sarah", "accept", "--via", "fax", "--yes", expect=2)
    assert "--via" in wrong.err and "bukan telepon, whatsapp atau surat" in wrong.err


def test_a_representative_named_on_whatsapp_is_planned_and_invited(
    officer: Officer, tmp_path: Path
) -> None:
    before = set((tmp_path / "data" / "outbox" / "new").glob("*.eml"))
    done = officer(
        "rsvp", FGD, "walikota@tangerangkota.go.id", "represent", "--via", "whatsapp",
        "--name", "Drs. Herman Suwarman, M.Si.", "--position", "Sekretaris Daerah Kota Tangerang",
        "--email", "sekda@tangerangkota.go.id", "--yes",
    )  # fmt: skip
    assert "│ representative │ 1 " in done.out and "Herman Suwarman" in done.out  # the plan
    assert "Jawaban Dr. Nurdin dicatat: Diwakilkan (via WhatsApp)." in done.out
    (letter,) = set((tmp_path / "data" / "outbox" / "new").glob("*.eml")) - before
    mail = message_from_bytes(letter.read_bytes(), policy=policy.default)
    assert mail["To"].addresses[0].addr_spec == "sekda@tangerangkota.go.id"


def test_event_show_names_the_english_title_and_subject_beside_the_indonesian(
    officer: Officer,
) -> None:
    shown = officer("event", "show", FGD).out
    assert "Focus Group Discussion: Pelayanan Publik Kota Halifax dan Kota Tangerang" in shown
    assert (
        "Judul dalam bahasa Inggris: Focus Group Discussion: Public Service in Halifax and "
        "Tangerang" in shown
    )
    assert "Perihal dalam bahasa Inggris: Invitation to a Focus Group Discussion" in shown
