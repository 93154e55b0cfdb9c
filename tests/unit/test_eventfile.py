"""Reading event files and participant lists: YAML quirks, clear messages, no database."""

from __future__ import annotations

import re
import textwrap
from datetime import date, time
from pathlib import Path

import pytest
from openpyxl import Workbook

from acara.eventfile import load_yaml, read_event_file, read_participant_list
from acara.i18n import explain
from models.errors import InvalidInput
from models.people import Language, Role
from models.plan import parse_event_spec
from tests.conftest import EXAMPLES

MINIMAL = """\
code: fgd-halifax-2026
kind: fgd
title: FGD Pelayanan Publik
start: 2026-12-10 09:00
end: 2026-12-10 12:00
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems_of(excinfo: pytest.ExceptionInfo[InvalidInput]) -> list[str]:
    return [str(p) for p in excinfo.value.problems]


def with_session(start: str, end: str = '"12:00"') -> str:
    return MINIMAL + textwrap.dedent(
        f"""\
        agenda:
          - date: 2026-12-10
            sessions:
              - {{title: Diskusi, start: {start}, end: {end}}}
        """
    )


@pytest.mark.parametrize("written", ['"09:30"', "09:30", "09.30", '"9:30"', '"09.30"'])
def test_a_session_time_is_read_as_a_wall_clock_however_it_is_written(
    tmp_path: Path, written: str
) -> None:
    # Unquoted, YAML 1.1 reads 09:30 as 570 (base 60) and 09.30 as the number 9.3.
    spec, _ = read_event_file(write(tmp_path, "e.yaml", with_session(written)))
    assert spec.agenda[0].sessions[0].start == time(9, 30)


@pytest.mark.parametrize("written", ["9", "570", '"25:00"', '"09:75"', '"pagi"', '"09:30+08:00"'])
def test_a_session_time_that_is_not_a_wall_clock_is_refused_by_field(
    tmp_path: Path, written: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        read_event_file(write(tmp_path, "e.yaml", with_session(written)))
    [problem] = caught.value.problems
    assert problem.where == "agenda[0].sessions[0].start"
    assert "is not a time like 09:30" in problem.reason


def test_dates_stay_dates_and_numbers_stay_text_where_text_is_expected(tmp_path: Path) -> None:
    text = MINIMAL + "series: Forum Komunikasi Publik\nnumber: 3\nletter_number: 012\n"
    spec = parse_event_spec(load_yaml(write(tmp_path, "e.yaml", text)))
    assert spec.number == "3"
    assert spec.letter_number == "012"  # not octal 10, not the integer 12
    assert spec.start.isoformat() == "2026-12-10T09:00:00" and spec.start.tzinfo is None


def test_yes_and_no_are_words_not_booleans(tmp_path: Path) -> None:
    text = MINIMAL.replace("title: FGD Pelayanan Publik", "title: no") + "subject: On\n"
    spec = parse_event_spec(load_yaml(write(tmp_path, "e.yaml", text)))
    assert spec.title.id == "no" and spec.subject is not None and spec.subject.id == "On"


def test_a_yaml_syntax_error_names_the_file_and_line(tmp_path: Path) -> None:
    text = MINIMAL + "venues:\n  - name: Balai Kota\n    rooms: [Ruang Blandongan\n"
    with pytest.raises(InvalidInput) as caught:
        load_yaml(write(tmp_path, "rusak.yaml", text))
    [problem] = problems_of(caught)
    assert problem.startswith("rusak.yaml line 9: YAML syntax error")


def test_an_unknown_key_is_refused_with_the_keys_that_exist_there(tmp_path: Path) -> None:
    text = (
        MINIMAL + "venues:\n  - name: Balai Kota\n    rooms:\n      - {name: TLR, capasity: 60}\n"
    )
    with pytest.raises(InvalidInput) as caught:
        read_event_file(write(tmp_path, "e.yaml", text))
    assert problems_of(caught) == [
        "venues[0].rooms[0].capasity: unknown key; known keys: name, capacity"
    ]
    assert str(caught.value).startswith("e.yaml is not valid:")


def test_an_unknown_top_level_key_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput) as caught:
        read_event_file(write(tmp_path, "e.yaml", MINIMAL + "tempat: Balai Kota\n"))
    [problem] = problems_of(caught)
    assert problem.startswith("tempat: unknown key; known keys: code, kind, title,")


def test_every_problem_in_a_file_is_reported_at_once(tmp_path: Path) -> None:
    text = "kind: seminar\ntitle: x\nstart: 2026-13-01 09:00\nend: 2026-12-10 12:00\n"
    with pytest.raises(InvalidInput) as caught:
        read_event_file(write(tmp_path, "e.yaml", text))
    wheres = [p.where for p in caught.value.problems]
    assert wheres == ["code", "kind", "start"]
    assert caught.value.problems[0].reason == "missing value"
    assert "'visit', 'fgd', 'forum' or 'ceremony'" in caught.value.problems[1].reason


def test_an_officer_reads_what_the_file_lacks_in_indonesian(tmp_path: Path) -> None:
    text = "kind: visit\ntitle: x\nstart: 2026-12-10 09:00\nend: 2026-12-10 12:00\ntempat: x\n"
    with pytest.raises(InvalidInput) as caught:
        read_event_file(write(tmp_path, "e.yaml", text))
    lines = explain(caught.value, "id").splitlines()[1:]
    assert lines[0] == "  - code: belum diisi"
    assert lines[1].startswith("  - tempat: kunci tidak dikenal; kunci yang dikenal: code, kind,")


def test_an_empty_file_is_not_an_event(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="expected a mapping of fields at the top level"):
        read_event_file(write(tmp_path, "e.yaml", ""))


def test_a_missing_event_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="file not found"):
        read_event_file(tmp_path / "tidak-ada.yaml")


def test_an_invalid_inline_email_is_refused_by_participant_index(tmp_path: Path) -> None:
    text = MINIMAL + "participants:\n  - {name: Dr. Nurdin, email: walikota@}\n"
    with pytest.raises(InvalidInput) as caught:
        read_event_file(write(tmp_path, "e.yaml", text))
    [problem] = caught.value.problems
    assert problem.where == "participants[0].email"
    assert problem.reason.startswith("not a valid e-mail address")


def test_the_example_files_are_valid_and_bring_their_lists() -> None:
    counts = {}
    for path in sorted(EXAMPLES.glob("*.yaml")):
        if path.name == "organisations.yaml":  # the hosts the event files name, not an event
            continue
        spec, rows = read_event_file(path)
        counts[spec.code] = len(rows)
    assert counts["fkp-vol-3-2027"] == 3 + 174
    assert counts["visitasi-pkn2-angkatan-v-2027"] == 4 + 30
    assert counts["fgd-halifax-2026"] == 9


# Participant lists ------------------------------------------------------------------------


def test_a_list_with_indonesian_headers_is_read(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "rw.csv",
        """\
        Nama,Sapaan,Jabatan,Instansi,E-mail,No HP,Peran,Bahasa
        "H. Ahmad Hidayat, S.Pd.",Bapak,RW 01,Babakan,RW01@Warga.id,08128000000,masyarakat,indonesia
        """,
    )
    [row], problems = read_participant_list(path)
    assert problems == [] and row.where == "row 2"
    assert row.spec.email == "rw01@warga.id"
    assert (row.spec.role, row.spec.language, row.spec.phone) == (
        Role.COMMUNITY,
        Language.ID,
        "+628128000000",
    )


def test_a_semicolon_list_from_excel_is_read(tmp_path: Path) -> None:
    path = write(tmp_path, "l.csv", "name;email;role\nMark Gilbert;mark@dal.ca;narasumber\n")
    [row], _ = read_participant_list(path)
    assert (row.spec.name, row.spec.role) == ("Mark Gilbert", Role.SPEAKER)


def test_a_list_of_only_addresses_reports_the_missing_names(tmp_path: Path) -> None:
    rows, problems = read_participant_list(write(tmp_path, "l.csv", "email\na@warga.id\n"))
    assert rows == []
    assert [str(p) for p in problems] == ["row 2, column name: missing value"]


def test_each_bad_row_is_named_with_its_column_and_reason(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "rw.csv",
        """\
        nama,email,peran,bahasa
        Ahmad Hidayat,rw01@warga.id,community,id
        Bambang Setiawan,bukan-email,community,id
        ,rw03@warga.id,community,id
        Dedi Firdaus,,community,id

        Eni Rohimah,rw05@warga.id,lurah,jawa
        """,
    )
    rows, problems = read_participant_list(path)
    assert [r.where for r in rows] == ["row 2"]
    text = [str(p) for p in problems]
    assert text[0].startswith("row 3, column email: not a valid e-mail address")
    assert text[1:4] == [
        "row 4, column name: missing value",
        "row 5: no e-mail address, phone number or postal address: nobody could reach them",
        "row 7, column language: Input should be 'id' or 'en'",
    ]
    assert text[4].startswith("row 7, column role: Input should be 'host_official'")


def test_a_list_with_unknown_columns_says_which_columns_are_known(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput) as caught:
        read_participant_list(write(tmp_path, "l.csv", "nama,email,hobi\nA,a@b.id,catur\n"))
    [problem] = problems_of(caught)
    assert problem.startswith(
        "l.csv row 1: unknown columns ['hobi']; use: address, email, group, language"
    )


def test_a_list_without_an_email_phone_or_address_column_is_refused(tmp_path: Path) -> None:
    with pytest.raises(
        InvalidInput, match=re.escape("l.csv row 1: no column for e-mail, phone or address")
    ):
        read_participant_list(write(tmp_path, "l.csv", "nama,jabatan\nA,Camat\n"))


def test_a_list_in_windows_1252_is_read_with_a_notice(tmp_path: Path) -> None:
    path = tmp_path / "l.csv"
    path.write_bytes("nama,email\nJosé,j@b.id\n".encode("cp1252"))
    listed = read_participant_list(path)
    assert [r.spec.name for r in listed.rows] == ["José"]
    [notice] = listed.notices
    assert "l.csv is not UTF-8; read it as Windows-1252" in notice


def test_a_broken_workbook_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "l.xlsx"
    path.write_bytes(b"this is not a zip file")
    with pytest.raises(InvalidInput, match=re.escape("l.xlsx: not a readable .xlsx workbook")):
        read_participant_list(path)


def test_another_file_type_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match=re.escape("participant lists must be .csv or .xlsx")):
        read_participant_list(write(tmp_path, "l.txt", "nama,email\n"))


def test_a_workbook_with_english_headers_and_numeric_cells_is_read(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["Name", "Email", "Phone", "Position", "Group"])
    sheet.append(
        ["Prof. Mark Gilbert, Ph.D.", "Mark.Gilbert@dal.ca", "+1 902 494 2211", "Professor", None]
    )
    sheet.append([None, None, None, None, None])
    # Excel drops the leading 0 of a number typed into a number cell: 0812... becomes 812...
    sheet.append(["Sarah Thompson", "sarah@dal.ca", 8128000000.0, 2027, "Kelompok 1"])
    book.save(tmp_path / "l.xlsx")
    rows, problems = read_participant_list(tmp_path / "l.xlsx")
    assert problems == []
    assert [r.where for r in rows] == ["row 2", "row 4"]
    assert rows[0].spec.phone == "+19024942211" and rows[0].spec.email == "mark.gilbert@dal.ca"
    assert rows[1].spec.phone == "+628128000000" and rows[1].spec.position == "2027"
    assert rows[1].spec.group == "Kelompok 1"


def test_a_list_named_by_an_event_file_with_bad_rows_stops_the_import(tmp_path: Path) -> None:
    write(tmp_path, "peserta.csv", "nama,email\nA,a@b.id\nB,salah\n")
    with pytest.raises(InvalidInput) as caught:
        read_event_file(write(tmp_path, "e.yaml", MINIMAL + "participants_file: peserta.csv\n"))
    assert str(caught.value).startswith("peserta.csv has bad rows:")
    assert caught.value.problems[0].where == "row 3, column email"


def test_the_days_of_an_agenda_are_dates(tmp_path: Path) -> None:
    spec, _ = read_event_file(write(tmp_path, "e.yaml", with_session('"09:00"')))
    assert spec.agenda[0].date == date(2026, 12, 10)


def test_the_readme_example_is_a_valid_event_file(tmp_path: Path) -> None:
    readme = (EXAMPLES.parent / "README.md").read_text(encoding="utf-8")
    block = readme.split("```yaml\n", 1)[1].split("```", 1)[0]
    spec, rows = read_event_file(write(tmp_path, "readme.yaml", block))
    assert spec.code == "fgd-halifax-2026" and len(rows) == 2


def test_bad_rows_of_a_workbook_are_named_like_those_of_a_csv(tmp_path: Path) -> None:
    book = Workbook()
    book.active.append(["Nama", "Email", "Peran"])
    book.active.append(["H. Ahmad Hidayat", "rw01.babakan@warga.tangerangkota.go.id", "community"])
    book.active.append(["Bambang Setiawan", "rw04.buaranindah@", "community"])
    book.active.append([None, "rw03.cikokol@warga.tangerangkota.go.id", "camat"])
    book.save(tmp_path / "rw.xlsx")
    rows, problems = read_participant_list(tmp_path / "rw.xlsx")
    assert [r.where for r in rows] == ["row 2"]
    text = [str(p) for p in problems]
    assert text[0].startswith("row 3, column email: not a valid e-mail address")
    assert text[1] == "row 4, column name: missing value"
    assert text[2].startswith("row 4, column role: Input should be 'host_official'")


def test_texts_may_come_in_english_beside_the_offices_own_and_plain_strings_still_work(
    tmp_path: Path,
) -> None:
    text = MINIMAL.replace(
        "title: FGD Pelayanan Publik",
        "title: {id: FGD Pelayanan Publik, en: Public Service FGD}\nsubject: Undangan FGD",
    ) + textwrap.dedent(
        """\
        agenda:
          - date: 2026-12-10
            sessions:
              - {title: {id: Diskusi, en: Discussion}, start: "09:00", end: "10:00"}
              - {title: Penutupan, start: "10:00", end: "10:30"}
        """
    )
    spec, _ = read_event_file(write(tmp_path, "e.yaml", text))
    assert (spec.title.id, spec.title.en) == ("FGD Pelayanan Publik", "Public Service FGD")
    assert spec.subject is not None and (spec.subject.id, spec.subject.en) == ("Undangan FGD", None)
    first, second = spec.agenda[0].sessions
    assert (first.title.id, first.title.en, second.title.en) == ("Diskusi", "Discussion", None)


@pytest.mark.parametrize(
    ("written", "where", "reason"),
    [
        ("{id: FGD, fr: Groupe de discussion}", "title.fr", "unknown key; known keys: id, en"),
        ("{id: FGD, en: ''}", "title.en", "empty: write the English text or leave `en` out"),
        ("{en: Public Service FGD}", "title", "missing value: give the text in Indonesian (`id`)"),
    ],
)
def test_a_malformed_translation_is_refused_naming_the_field(
    tmp_path: Path, written: str, where: str, reason: str
) -> None:
    text = MINIMAL.replace("title: FGD Pelayanan Publik", f"title: {written}")
    with pytest.raises(InvalidInput) as caught:
        read_event_file(write(tmp_path, "e.yaml", text))
    assert problems_of(caught) == [f"{where}: {reason}"]


def test_a_malformed_session_translation_is_refused_naming_the_session(tmp_path: Path) -> None:
    text = with_session('"09:30"').replace("title: Diskusi", "title: {id: Diskusi, en: ' '}")
    with pytest.raises(InvalidInput) as caught:
        read_event_file(write(tmp_path, "e.yaml", text))
    assert problems_of(caught) == [
        "agenda[0].sessions[0].title.en: empty: write the English text or leave `en` out"
    ]
