"""Minutes, attendance list and follow-up through the real `acara` command, as an officer works."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import EXAMPLES
from tests.e2e.test_cli import Officer, write
from tests.followup_helpers import pdf_text

CODE = "kunker-camat-jambi-2026"


def far_future(folder: Path) -> tuple[Path, Path]:
    """The Jambi visit and its notulen moved to 2099: what runs on the real clock (the follow-up
    after `hold` and after approval) then sees the same "before the end" whenever this runs."""
    for name in ("kunjungan-camat-jambi.yaml", "camat_jambi.csv", "notulen-kunker-camat-jambi.md"):
        text = (EXAMPLES / name).read_text(encoding="utf-8")
        (folder / name).write_text(text.replace("2026-", "2099-").replace("2027-", "2100-"))
    return folder / "kunjungan-camat-jambi.yaml", folder / "notulen-kunker-camat-jambi.md"


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # both databases: integration/
def test_an_officer_records_approves_prints_and_follows_up_the_jambi_visit(
    db_url: str, tmp_path: Path
) -> None:
    acara = Officer(tmp_path, database_url=db_url)
    acara("db", "upgrade")
    event_file, minutes_file = far_future(tmp_path)
    acara("event", "import", str(event_file))
    acara("event", "transition", CODE, "announce")

    bad = write(
        tmp_path,
        "notulen.md",
        """\
        ---
        action_items:
          - description: Mengirim SOP
            owner: Rina Marlina
            email: humas@tangerangselatankota.go.id
            due: minggu depan
        ---
        ## Ringkasan

        Rapat.
        """,
    )
    refused = acara("minutes", "record", CODE, str(bad), expect=2)
    assert "notulen.md line 6 (action_items[0].due): 'minggu depan' is not a date" in refused.err
    recorded = acara("minutes", "record", CODE, str(minutes_file))
    assert "3 decisions, 3 action items, 2 key statements" in recorded.out

    on_the_day = ("--at", "2099-12-08 08:40")
    acara("checkin", CODE, "camat.tabir@jambiprov.go.id", "--status", "excused", *on_the_day)
    acara("checkin", CODE, "camat.betara@jambiprov.go.id", "-s", "absent", *on_the_day)
    present = acara("checkin", CODE, "--rest", "--at", "2099-12-08 08:47")
    assert "32 participant(s) of kunker-camat-jambi-2026 marked present." in present.out
    early = acara("minutes", "approve", CODE, "--yes", expect=2)
    assert "minutes are approved once it is held" in early.err

    acara("event", "transition", CODE, "hold", "--at", "2099-12-08 15:30")
    approved = acara("minutes", "approve", CODE, "--at", "2099-12-08 16:00", "--yes")
    assert "Minutes of kunker-camat-jambi-2026 approved." in approved.out
    assert "32 recipients (present and action-item owners); 32 newly owed." in approved.out
    assert "Sent 32," in approved.out
    # Then the follow-up of the approval: the delegation is thanked, with the minutes attached.
    assert "owed 29 thank-you, 0 survey" in approved.out
    again = acara("minutes", "approve", CODE, "--at", "2099-12-08 16:05", "--yes")
    assert "already approved" in again.out and "Sent 0," in again.out

    acara("attendance", CODE, "--format", "csv", "--output", "hadir.csv")
    csv = (tmp_path / "hadir.csv").read_text(encoding="utf-8-sig")
    # For Excel in an Indonesian locale: semicolons (and a byte-order mark).
    assert "Taufik Sembiring, S.IP.;Camat Tabir;Pemerintah Provinsi Jambi;guest;excused" in csv
    assert ";present;2099-12-08 08:47 WIB;" in csv
    printed = acara("attendance", CODE)
    assert "34 participants: 32 present, 1 absent, 1 excused." in printed.out
    pdf = tmp_path / "data" / "documents" / CODE / f"daftar-hadir-{CODE}.pdf"
    assert "Ahmad Hidayat, S.Sos., M.Si." in pdf_text(pdf) and "Tanda Tangan" in pdf_text(pdf)

    followed = acara("followup", "run", CODE, "--at", "2099-12-09 09:00", "--yes")
    assert "owed 0 thank-you, 31 survey, 0 action reminder(s), 0 escalation(s)." in followed.out
    assert "event is reported (moved to reported now)" in followed.out
    assert (tmp_path / "data" / "documents" / CODE / f"siaran-pers-{CODE}.md").exists()

    listed = acara("action", "list", CODE)
    assert "Mengirimkan SOP layanan perizinan" in listed.out
    assert "done" in acara("action", "done", "1").out
    assert "already done" in acara("action", "done", "1").out
    missing = acara("action", "done", "99", expect=3)
    assert "No action item 99" in missing.err
    survey = acara("survey", CODE)
    assert "0 answers from 31 invited" in survey.out
