"""Participants without e-mail: 1,000 Ketua RW, 40 of them reached by letter (and chat).

The list is made in the shape of examples/ketua_rw.csv with two more columns (alamat, kirim
via); the event is FKP Volume-3 as its file describes it. Everything runs through the stage
functions the CLI and the web call, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from sqlalchemy import update
from sqlmodel import Session, col, select

from acara.stages import attendance, contacts, invitations, letters, planning, reminders
from acara.stages import minutes as minutes_stage
from acara.stages.plan import Owing
from models.errors import InvalidInput
from models.followup import FollowUpPolicy, follow_up_state, plan_follow_up
from models.minutes_rules import approve_minutes
from models.outbox import Channel, Message, MessageStatus
from models.people import Participant, Person, Via
from tests.conftest import EXAMPLES
from tests.followup_helpers import ENDS, KABAN, held_visit

FKP = "fkp-vol-3-2027"
HEADER = ["nama", "sapaan", "jabatan", "instansi", "email", "telepon", "peran", "alamat"]
# How officers write the numbers of those without e-mail: every form the office's lists hold.
WRITTEN = ["0812 9{:03d} 0{:03d}", "+62 812-9{:03d}-0{:03d}", "62.812.9{:03d}.0{:03d}"]


def rw_rows(count: int = 1000, without_email: int = 40) -> list[list[str]]:
    """`count` RW heads; every 25th has no e-mail (40 of 1,000): half of them a mobile number
    written one of three ways, a quarter a landline with an address, a quarter an address."""
    rows = []
    step = count // without_email
    for n in range(1, count + 1):
        kelurahan = f"Kelurahan {n // 10 + 1:03d}"
        email = f"rw{n:04d}@warga.tangerangkota.go.id"
        phone, address = f"0812800{n:05d}", ""
        if n % step == 0:
            email, i = "", n // step
            if i % 4 == 2:
                phone, address = f"021 55{n:05d}", f"Jl. Kenanga No. {n}, {kelurahan}"
            elif i % 4 == 3:
                phone, address = "", f"Jl. Melati No. {n}, RT 01/RW {n % 20 + 1:02d}, {kelurahan}"
            else:
                phone = WRITTEN[i % 3].format(n // 1000, n % 1000)
        rows.append(
            [
                f"Ketua RW {n:04d}",
                "Bapak",
                f"Ketua RW {n % 20 + 1:02d} {kelurahan}",
                f"{kelurahan}, Kecamatan Tangerang",
                email,
                phone,
                "community",
                address,
            ]
        )
    return rows


def write_list(folder: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    path = folder / "ketua_rw.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def fkp_with(folder: Path, rows: list[list[str]]) -> Path:
    """The FKP event file beside a list of `rows` (its participants_file)."""
    write_list(folder, rows)
    event_file = folder / "fkp-volume-3.yaml"
    event_file.write_text((EXAMPLES / "fkp-volume-3.yaml").read_text(encoding="utf-8"))
    return event_file


@pytest.fixture
def fkp(acara_env: Path, tmp_path: Path) -> list[list[str]]:
    """FKP Volume-3 imported with 1,000 RW heads, 40 of them without e-mail."""
    rows = rw_rows()
    planning.import_event_file(fkp_with(tmp_path, rows), actor="test")
    return rows


def without_email(session: Session) -> list[Person]:
    return list(session.exec(select(Person).where(col(Person.email).is_(None))))


def test_all_1000_rw_heads_are_imported_40_without_email(
    fkp: list[list[str]], session: Session
) -> None:
    people = without_email(session)
    assert len(people) == 40
    phones = {p.name: p.phone for p in people}
    # +62 812-9000-0025, 62.812.9000.0125 and 0812 9000 0225 are all read as E.164.
    assert phones["Ketua RW 0025"] == "+6281290000025"
    assert phones["Ketua RW 0125"] == "+6281290000125"
    assert phones["Ketua RW 0225"] == "+6281290000225"
    assert phones["Ketua RW 0075"] == ""  # an address alone
    kinds = Counter(p.via for p in people)
    assert kinds == {Via.LETTER_AND_CHAT: 20, Via.LETTER: 20}  # a mobile: letter and chat
    landline = next(p for p in people if p.name == "Ketua RW 0050")
    assert (landline.phone, landline.via) == ("+62215500050", Via.LETTER)
    assert landline.address == "Jl. Kenanga No. 50, Kelurahan 006"


def test_all_1000_are_on_the_attendance_list_and_in_the_rsvp_counts(
    fkp: list[list[str]], session: Session
) -> None:
    _, groups = attendance.attendance_of(FKP)
    names = {line.name for lines in groups.values() for line in lines}
    assert {row[0] for row in fkp} <= names
    assert len(names) == 1003  # and the three officials of the event file
    no_email = [line for lines in groups.values() for line in lines if not line.email]
    assert len(no_email) == 40
    board = planning.dashboard(FKP)
    assert board.overall.total == 1003
    assert board.overall.rsvp == {"pending": 1003}
    assert next(c for c in planning.counted_events() if c.event.code == FKP).overall.total == 1003


def test_the_40_are_owed_printed_letters_not_emails(fkp: list[list[str]], session: Session) -> None:
    owed = invitations.owe_invitations(FKP, actor="test")
    assert owed.messages == 1003
    assert [(o.purpose, o.channel, o.count) for o in owed.plan.messages] == [
        ("invitation", Channel.EMAIL, 963),
        ("invitation", Channel.LETTER, 40),
    ]
    letters = session.exec(select(Message).where(Message.channel == Channel.LETTER)).all()
    people = {p.id: p for p in without_email(session)}
    addressed = {
        session.get(Participant, m.participant_id).person_id  # type: ignore[union-attr]
        for m in letters
    }
    assert addressed == set(people)
    assert {m.recipient for m in letters} == {f"person:{pid}" for pid in people}
    # Asked again, nothing more is owed: each is invited once, by letter.
    assert invitations.owe_invitations(FKP, actor="test").messages == 0


def test_the_plan_names_who_gets_a_printed_letter(acara_env: Path, tmp_path: Path) -> None:
    rows = rw_rows(100, 4)
    planning.import_event_file(fkp_with(tmp_path, rows), actor="test")
    plan = invitations.owe_invitations(FKP, actor="test", dry_run=True).plan
    letters = next(o for o in plan.messages if o.channel is Channel.LETTER)
    assert letters == Owing(
        "invitation",
        4,
        ("Ketua RW 0025", "Ketua RW 0050", "Ketua RW 0075", "Ketua RW 0100"),
        Channel.LETTER,
    )


def test_a_rw_head_reached_by_chat_only_is_owed_nothing_and_the_plan_says_so(
    acara_env: Path, tmp_path: Path, session: Session
) -> None:
    rows = rw_rows(50, 2)
    header = [*HEADER, "kirim via"]
    rows = [[*row, "wa" if row[0] == "Ketua RW 0025" else ""] for row in rows]
    event_file = fkp_with(tmp_path, [])
    write_list(tmp_path, rows, header)
    planning.import_event_file(event_file, actor="test")
    owed = invitations.owe_invitations(FKP, actor="test")
    assert [(o.channel, o.count) for o in owed.plan.messages] == [
        (Channel.EMAIL, 51),
        (Channel.LETTER, 1),
    ]
    [note] = owed.plan.warnings
    assert note.params == {"count": "1", "event": FKP}
    assert "chat only" in note.template


def test_reminders_skip_those_without_email_and_the_plan_counts_them(
    fkp: list[list[str]], session: Session
) -> None:
    invitations.owe_invitations(FKP, actor="test")
    # Every invitation reached its reader: e-mails sent, letters handed over.
    session.execute(update(Message).values(status=MessageStatus.SENT))
    session.commit()
    event = planning.find_event(FKP)
    [plan] = reminders.plan_sweep(event.starts_at - timedelta(days=2, hours=23))
    # The nudge to those who have not answered: all by e-mail, none to the 40.
    assert [(o.purpose, o.channel, o.count) for o in plan.messages] == [
        ("nudge", Channel.EMAIL, 963)
    ]
    [note] = [w for w in plan.warnings if "without e-mail" in w.template]
    assert note.params == {"count": "40"}


def test_an_update_after_a_reschedule_goes_by_letter_to_those_who_got_one(
    acara_env: Path, tmp_path: Path, session: Session
) -> None:
    planning.import_event_file(fkp_with(tmp_path, rw_rows(50, 2)), actor="test")
    invitations.owe_invitations(FKP, actor="test")
    session.execute(update(Message).values(status=MessageStatus.SENT))
    session.commit()
    event = planning.find_event(FKP)
    moved = planning.reschedule(FKP, event.starts_at + timedelta(days=7), actor="test").plan
    assert sorted((o.purpose, o.channel, o.count) for o in moved.messages) == [
        ("update", Channel.EMAIL, 51),
        ("update", Channel.LETTER, 2),
    ]


def test_a_row_with_neither_email_phone_nor_address_is_rejected_by_row(
    acara_env: Path, tmp_path: Path
) -> None:
    rows = rw_rows(10, 1)
    rows[3][4:6] = ["", ""]  # row 5 of the file: no e-mail, no phone, no address
    rows[6][5] = "0812-ABC"  # row 8: a number that cannot be read
    rows[7][4:6] = ["", "12345"]  # row 9: too short to be a number
    with pytest.raises(InvalidInput) as caught:
        planning.import_event_file(fkp_with(tmp_path, rows), actor="test")
    problems = [str(p) for p in caught.value.problems]
    assert problems == [
        "row 5: no e-mail address, phone number or postal address: nobody could reach them",
        "row 8, column phone: not a phone number; write it like 0812 3456 7890 or "
        "+62 812 3456 7890",
        "row 9, column phone: not a phone number; write it like 0812 3456 7890 or "
        "+62 812 3456 7890",
    ]
    assert planning.all_events() == []


def test_people_without_email_are_merged_by_phone_then_by_name_and_address(
    acara_env: Path, tmp_path: Path, session: Session
) -> None:
    rows = rw_rows(100, 4)
    planning.import_event_file(fkp_with(tmp_path, rows), actor="test")
    again = [row[:] for row in rows]
    by_name = {row[0]: row for row in again}
    by_name["Ketua RW 0025"][5] = "+62 812 9000 0025"  # the same number, written otherwise
    by_name["Ketua RW 0025"][2] = "Ketua RW 02 (periode 2027)"
    by_name["Ketua RW 0075"][7] = "jl. melati no. 75 rt 01/rw 16 kelurahan 008"  # same place
    by_name["Ketua RW 0050"][4] = "rw0050@warga.tangerangkota.go.id"  # now has an address
    report = planning.import_participants(
        FKP, write_list(tmp_path, again), skip_invalid=False, actor="test"
    ).report
    assert (report.added, report.updated) == (0, 3)
    assert session.exec(select(Person)).all().__len__() == 103
    fifty = session.exec(select(Person).where(Person.name == "Ketua RW 0050")).one()
    assert (fifty.email, fifty.via) == ("rw0050@warga.tangerangkota.go.id", Via.EMAIL)


def test_rows_of_one_list_without_email_merge_like_rows_with_one(
    acara_env: Path, tmp_path: Path
) -> None:
    rows = rw_rows(100, 4)
    twice = [*rows, rows[24][:]]  # Ketua RW 0025 once more, by phone
    twice[-1][5] = "0812-9000-0025"
    planning.import_event_file(fkp_with(tmp_path, []), actor="test")
    report = planning.import_participants(
        FKP, write_list(tmp_path, twice), skip_invalid=False, actor="test"
    ).report
    assert report.added == 100
    assert report.merged == ["row 102 merged into row 26"]


def test_someone_without_email_is_taken_off_by_phone_number(
    acara_env: Path, tmp_path: Path, session: Session
) -> None:
    planning.import_event_file(fkp_with(tmp_path, rw_rows(100, 4)), actor="test")
    removed = planning.remove(FKP, ["0812 9000 0025"], actor="test")
    assert [c.after for c in removed.plan.changes] == ["Ketua RW 0025"]
    _, groups = attendance.attendance_of(FKP)
    assert "Ketua RW 0025" not in {line.name for lines in groups.values() for line in lines}


def test_prune_keeps_those_without_email_who_are_on_the_list(
    acara_env: Path, tmp_path: Path
) -> None:
    rows = rw_rows(100, 4)
    planning.import_event_file(fkp_with(tmp_path, rows), actor="test")
    kept = [row for row in rows if row[0] != "Ketua RW 0050"]
    done = planning.import_participants(
        FKP, write_list(tmp_path, kept), skip_invalid=False, prune=True, actor="test"
    )
    [gone] = [c.after for c in done.plan.changes if c.what == "participants taken off"]
    assert isinstance(gone, str) and "Ketua RW 0050" in gone
    assert "Ketua RW 0025" not in gone and "Ketua RW 0075" not in gone


def test_a_chat_message_is_written_in_the_participants_language(
    acara_env: Path, tmp_path: Path
) -> None:
    planning.import_event_file(EXAMPLES / "fgd-halifax.yaml", actor="test")
    phones = tmp_path / "phones.csv"
    phones.write_text(
        "name,email,phone\nProf. Mark Gilbert,mark.gilbert@dal.ca,+1 902 494 2211\n"
        "Dr. Nurdin,walikota@tangerangkota.go.id,0812 1000 2000\n"
        "Kepala Bappeda,bappeda@tangerangkota.go.id,021 5551234\n",
        encoding="utf-8",
    )
    planning.import_participants("fgd-halifax-2026", phones, skip_invalid=False, actor="t")
    found = contacts.reach("fgd-halifax-2026")
    assert found.without_email == []
    chats = {c.phone: unquote(c.chat) for c in found.chats}
    assert set(chats) == {"+19024942211", "+6281210002000"}  # not the landline
    english = chats["+19024942211"]
    assert english.startswith("https://wa.me/19024942211?text=Dear Prof. Mark Gilbert, we ")
    assert "(UTC+7)" in english and "Please tell us whether you will come: " in english
    assert (
        "?text=Yth. Bapak Dr. Nurdin, dengan hormat kami mengundang Bapak ke Focus "
        in (chats["+6281210002000"])
    )


def test_the_desk_records_someone_without_email_by_phone_and_the_rest_by_one_mark(
    acara_env: Path, tmp_path: Path
) -> None:
    planning.import_event_file(fkp_with(tmp_path, rw_rows(100, 4)), actor="test")
    invitations.owe_invitations(FKP, actor="test")  # announced: the desk may open
    at = "2027-01-13 08:30"
    came = attendance.record_from_list(
        FKP, ["+62 812-9000-0025"], "present", rest=False, actor="desk", at=at
    )
    assert came.participants == 1
    rest = attendance.record_from_list(FKP, [], "absent", rest=True, actor="desk", at=at)
    assert rest.participants == 102  # everyone else, the three without e-mail among them
    board = planning.dashboard(FKP)
    assert board.overall.attendance == {"present": 1, "absent": 102}


def test_once_their_letter_is_printed_the_chat_carries_its_check_link(
    acara_env: Path, tmp_path: Path
) -> None:
    planning.import_event_file(fkp_with(tmp_path, rw_rows(50, 2)), actor="test")
    invitations.owe_invitations(FKP, actor="test")
    before = next(c for c in contacts.reach(FKP).chats if c.name == "Ketua RW 0025")
    assert "/verify/" not in unquote(before.chat)
    printed = letters.print_owed(FKP)
    assert printed.letters == 2  # Ketua RW 0025 (a mobile) and 0050 (a landline)
    after = next(c for c in contacts.reach(FKP).chats if c.name == "Ketua RW 0025")
    text = parse_qs(urlsplit(after.chat).query)["text"][0]
    check = re.search(r"Keaslian surat undangan dapat diperiksa di (\S+)$", text)
    assert check and letters.check(check[1].rsplit("/", 1)[1]).standing == "valid"


def test_the_minutes_thanks_and_survey_skip_a_guest_without_email_and_say_so(
    session: Session,
) -> None:
    event = held_visit(session)
    session.execute(
        update(Person)
        .where(col(Person.email) == KABAN)
        .values(email=None, phone="+6281234567890", via=Via.LETTER_AND_CHAT)
    )
    session.commit()
    plan = minutes_stage.plan_approval(event.code, ENDS + timedelta(hours=2))
    [note] = [w for w in plan.warnings if "without e-mail" in w.template]
    assert note.params == {"count": "1"}
    approval = approve_minutes(session, event, actor="test", now=ENDS + timedelta(hours=2))
    assert approval.without_email == 1
    assert None not in {r.email for r in approval.recipients}
    session.commit()
    done = plan_follow_up(session, event, now=ENDS + timedelta(hours=3), policy=FollowUpPolicy())
    session.commit()
    assert (done.thank_you, done.without_email) == (27, 2)  # no thanks, no survey for him
    assert follow_up_state(session, event).thank_you_queued  # the event can still be reported
