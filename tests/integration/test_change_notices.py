"""Exact change notices: only whose own programme changed is told, at a higher SEQUENCE, and
told what changed; whoever is taken off the event gets the CANCEL of their calendar entry.

The Jambi visit (moved to 2099 so the real clock never gets in the way): 34 participants,
three groups visiting three kecamatan offices at once, plenary sessions at the Balai Kota.
"""

from __future__ import annotations

from collections import Counter
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import vobject
from ical.calendar_stream import IcsCalendarStream
from icalendar import Calendar

from acara.stages import invitations, planning
from tests.conftest import EXAMPLES

JAMBI = "kunker-camat-jambi-2026"
SEKERNAN = "camat.sekernan@jambiprov.go.id"  # Budi Saputra, Kelompok 2 - Setu
GROUP_3 = "Kelompok 3 - Serpong Utara"


def moved_copy(folder: Path) -> tuple[Path, Path]:
    """The visit and its list in 2099: (event file, participant list)."""
    for name in ("kunjungan-camat-jambi.yaml", "camat_jambi.csv"):
        text = (EXAMPLES / name).read_text(encoding="utf-8").replace("2026-", "2099-")
        (folder / name).write_text(text, encoding="utf-8")
    return folder / "kunjungan-camat-jambi.yaml", folder / "camat_jambi.csv"


def mailbox(data: Path) -> set[Path]:
    return set((data / "outbox" / "new").glob("*.eml"))


def read(paths: set[Path]) -> list[EmailMessage]:
    return [
        message_from_bytes(path.read_bytes(), policy=policy.default)  # type: ignore[misc]
        for path in sorted(paths)
    ]


def calendar(message: EmailMessage) -> str:
    part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    return part.get_payload(decode=True).decode()


def text(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return body.get_content()


def invited(folder: Path) -> tuple[Path, Path, int]:
    """The visit imported, announced and every invitation sent: (file, list, event id)."""
    event_file, roster = moved_copy(folder)
    event_id = planning.import_event_file(event_file, actor="Rina").result.event_id
    invitations.owe_invitations(JAMBI, actor="Rina")
    assert invitations.send_owed(event_id).sent == 34
    return event_file, roster, event_id


def test_a_camat_moved_to_another_group_alone_gets_an_update_naming_the_new_site(
    acara_env: Path, tmp_path: Path
) -> None:
    _, roster, event_id = invited(tmp_path)
    sent_before = mailbox(acara_env)
    lines = roster.read_text(encoding="utf-8").splitlines()
    moved = [
        line.replace("Kelompok 2 - Setu", GROUP_3) if SEKERNAN in line else line for line in lines
    ]
    roster.write_text("\n".join(moved) + "\n", encoding="utf-8")

    planned = planning.import_participants(
        JAMBI, roster, skip_invalid=False, actor="Rina", dry_run=True
    )
    assert [(o.purpose, o.count) for o in planned.plan.messages] == [("update", 1)]
    assert planned.report.regrouped == [
        ("Budi Saputra, S.STP., M.Si.", "Kelompok 2 - Setu", GROUP_3)
    ]
    assert mailbox(acara_env) == sent_before  # a dry run sends and owes nothing

    imported = planning.import_participants(JAMBI, roster, skip_invalid=False, actor="Rina")
    assert imported.report.updated == 1
    assert invitations.send_owed(event_id).sent == 1
    (update,) = read(mailbox(acara_env) - sent_before)
    assert update["To"].addresses[0].addr_spec == SEKERNAN
    ics = calendar(update)
    assert "SEQUENCE:1" in ics and "METHOD:REQUEST" in ics
    assert "Aula Kecamatan Serpong Utara" in text(update)
    # The letter says what the camat was told and what now holds, in Indonesian.
    assert "Kelompok: semula Kelompok 2 - Setu, menjadi Kelompok 3 - Serpong Utara." in text(update)
    assert (
        "Tempat: semula Aula Kecamatan Setu, Kantor Kecamatan Setu, menjadi Aula Kecamatan "
        "Serpong Utara, Kantor Kecamatan Serpong Utara." in text(update)
    )
    assert "Waktu:" not in text(update)  # the time did not change
    assert "Aula Kecamatan Serpong Utara" in Calendar.from_ical(ics).events[0]["DESCRIPTION"]
    vobject.readOne(ics, validate=True)
    assert IcsCalendarStream.calendar_from_ics(ics).events[0].sequence == 1
    # Nothing more is owed: importing the same list again tells nobody anything.
    again = planning.import_participants(JAMBI, roster, skip_invalid=False, actor="Rina")
    assert again.plan.messages == [] and again.report.updated == 0


def test_a_new_room_for_group_3_updates_group_3_only(acara_env: Path, tmp_path: Path) -> None:
    event_file, _, event_id = invited(tmp_path)
    sent_before = mailbox(acara_env)
    source = event_file.read_text(encoding="utf-8")
    source = source.replace(
        "      - {name: Aula Kecamatan Serpong Utara, capacity: 30}",
        "      - {name: Aula Kecamatan Serpong Utara, capacity: 30}\n"
        "      - {name: Ruang Rapat Camat Serpong Utara, capacity: 30}",
    ).replace(
        "        group: Kelompok 3 - Serpong Utara\n        room: Aula Kecamatan Serpong Utara",
        "        group: Kelompok 3 - Serpong Utara\n        room: Ruang Rapat Camat Serpong Utara",
    )
    event_file.write_text(source, encoding="utf-8")

    imported = planning.import_event_file(event_file, actor="Rina")
    members = Counter(
        line.split(",")[-1] for line in (tmp_path / "camat_jambi.csv").read_text().splitlines()
    )
    assert [(o.purpose, o.count) for o in imported.plan.messages] == [("update", members[GROUP_3])]
    invitations.send_owed(event_id)
    updates = read(mailbox(acara_env) - sent_before)
    assert len(updates) == members[GROUP_3] == 10
    for update in updates:
        assert "Ruang Rapat Camat Serpong Utara" in text(update)
        assert "SEQUENCE:1" in calendar(update)
        assert (
            "Tempat: semula Aula Kecamatan Serpong Utara, Kantor Kecamatan Serpong Utara, "
            "menjadi Ruang Rapat Camat Serpong Utara, Kantor Kecamatan Serpong Utara."
            in text(update)
        )
        assert "Kelompok: semula" not in text(update)


def test_a_reschedule_tells_each_reader_the_old_and_new_time_in_their_language(
    acara_env: Path, tmp_path: Path
) -> None:
    source = (EXAMPLES / "fgd-halifax.yaml").read_text(encoding="utf-8")
    event_file = tmp_path / "fgd-halifax.yaml"
    event_file.write_text(source.replace("2026-", "2099-"), encoding="utf-8")
    event_id = planning.import_event_file(event_file, actor="Rina").result.event_id
    invitations.owe_invitations("fgd-halifax-2026", actor="Rina")
    invitations.send_owed(event_id)
    sent_before = mailbox(acara_env)

    planning.reschedule("fgd-halifax-2026", "2099-12-17 10:00", actor="Rina")
    invitations.send_owed(event_id)
    letters = {
        m["To"].addresses[0].addr_spec: text(m) for m in read(mailbox(acara_env) - sent_before)
    }
    assert (
        "Time: formerly Thursday, 10 December 2099 at 09:00 WIB (UTC+7), "
        "now Thursday, 17 December 2099 at 10:00 WIB (UTC+7)." in letters["mark.gilbert@dal.ca"]
    )
    assert "semula" not in letters["mark.gilbert@dal.ca"]
    assert (
        "Waktu: semula Kamis, 10 Desember 2099 pukul 09.00 WIB, "
        "menjadi Kamis, 17 Desember 2099 pukul 10.00 WIB."
        in letters["walikota@tangerangkota.go.id"]
    )


def test_someone_taken_off_the_event_gets_the_cancel_of_their_entry_only(
    acara_env: Path, tmp_path: Path
) -> None:
    _, _, event_id = invited(tmp_path)
    sent_before = mailbox(acara_env)
    removed = planning.remove(JAMBI, [SEKERNAN], actor="Rina")
    assert [(o.purpose, o.count) for o in removed.plan.messages] == [("cancellation", 1)]
    assert invitations.send_owed(event_id).sent == 1
    (cancel,) = read(mailbox(acara_env) - sent_before)
    ics = calendar(cancel)
    assert cancel["To"].addresses[0].addr_spec == SEKERNAN
    assert "METHOD:CANCEL" in ics and "STATUS:CANCELLED" in ics and "SEQUENCE:1" in ics
    vobject.readOne(ics, validate=True)
    shown = planning.overview(JAMBI)
    assert SEKERNAN not in {line.person.email for line in shown.participants}
