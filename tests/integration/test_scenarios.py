"""Each seed-like example imports whole, on SQLite and PostgreSQL; re-imports never duplicate."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlmodel import Session, col, func, select

from acara.dates import long_datetime
from acara.eventfile import read_event_file
from models import (
    AgendaSession,
    AuditEntry,
    DomainEvent,
    Event,
    EventKind,
    EventStatus,
    Participant,
    Person,
    Room,
)
from models.errors import InvalidInput
from models.lifecycle import Action, apply, cancel
from models.planning import ImportResult, import_event
from models.queries import agenda, by_group, get_event, organisation_name, participants
from tests.conftest import EXAMPLES

FILES = {
    "kunker-camat-jambi-2026": "kunjungan-camat-jambi.yaml",
    "fgd-halifax-2026": "fgd-halifax.yaml",
    "fkp-vol-3-2027": "fkp-volume-3.yaml",
    "visitasi-pkn2-angkatan-v-2027": "visitasi-pkn2.yaml",
    "mou-ombudsman-banten-2027": "penandatanganan-mou-ombudsman.yaml",
}


def load(session: Session, path: Path) -> ImportResult:
    spec, rows = read_event_file(path)
    result = import_event(session, spec, rows, actor="test")
    session.commit()
    return result


def count(session: Session, model: type) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def person(session: Session, email: str) -> Person:
    return session.exec(select(Person).where(Person.email == email)).one()


def roles(session: Session, event: Event) -> Counter[str]:
    return Counter(line.participant.role.value for line in participants(session, event))


def test_the_bilingual_fgd_has_the_english_speaking_professor_as_speaker(session: Session) -> None:
    event = session.get(Event, load(session, EXAMPLES / "fgd-halifax.yaml").event_id)
    assert event is not None and event.kind is EventKind.FGD
    assert organisation_name(session, event.host_id) == "Pemerintah Kota Tangerang"
    assert organisation_name(session, event.guest_id) == "Dalhousie University"
    assert (
        long_datetime(event.starts_at, event.timezone) == "Kamis, 10 Desember 2026 pukul 09.00 WIB"
    )

    gilbert = person(session, "mark.gilbert@dal.ca")
    assert (gilbert.title_prefix, gilbert.name, gilbert.title_suffix) == (
        "Prof.",
        "Mark Gilbert",
        "Ph.D.",
    )
    assert gilbert.salutation == "Mr." and gilbert.language.value == "en"
    nurdin = person(session, "walikota@tangerangkota.go.id")
    assert (nurdin.title_prefix, nurdin.name, nurdin.position) == (
        "Dr.",
        "Nurdin",
        "Pj Wali Kota Tangerang",
    )
    by_email = {
        line.person.email: line.participant.role.value for line in participants(session, event)
    }
    assert by_email["mark.gilbert@dal.ca"] == "speaker"
    assert by_email["walikota@tangerangkota.go.id"] == "host_official"

    lines = agenda(session, event)
    assert len(lines) == 4
    assert {line.place for line in lines} == {
        "Tangerang Live Room (TLR), Pusat Pemerintahan Kota Tangerang"
    }
    assert "Prof. Mark Gilbert" in lines[1].session.speakers


def test_the_public_forum_is_volume_3_with_150_rw_heads_asn_and_media(session: Session) -> None:
    event = session.get(Event, load(session, EXAMPLES / "fkp-volume-3.yaml").event_id)
    assert event is not None and event.kind is EventKind.FORUM
    assert (event.series, event.number, event.capacity) == ("Forum Komunikasi Publik", "3", 250)
    assert event.display_title.endswith("(Forum Komunikasi Publik Volume-3)")
    assert roles(session, event) == {
        "community": 150,
        "staff": 18,
        "media": 6,
        "host_official": 2,
        "minute_taker": 1,
    }
    sekda = person(session, "sekda@tangerangkota.go.id")
    assert (sekda.title_prefix, sekda.name, sekda.title_suffix) == (
        "Dr. H.",
        "Herman Suwarman",
        "S.T., M.T.",
    )
    assert {line.room for line in agenda(session, event)} == {"Aula Al-Amanah"}


def test_the_forum_list_imports_the_same_from_a_workbook(session: Session, tmp_path: Path) -> None:
    with (EXAMPLES / "ketua_rw.csv").open(encoding="utf-8") as source:
        table = list(csv.reader(source))
    book = Workbook()
    # Officers' spreadsheets: English headers, phone numbers stored as numbers.
    book.active.append(["Name", "Salutation", "Position", "Organisation", "Email", "Phone", "Role"])
    for row in table[1:]:
        book.active.append([int(v) if v.isdigit() else v for v in row])
    book.save(tmp_path / "ketua_rw.xlsx")
    yaml_text = (EXAMPLES / "fkp-volume-3.yaml").read_text(encoding="utf-8")
    (tmp_path / "fkp.yaml").write_text(yaml_text.replace("ketua_rw.csv", "ketua_rw.xlsx"))

    result = load(session, tmp_path / "fkp.yaml")
    assert result.roster.added == 177 and result.roster.rejected == []
    event = get_event(session, "fkp-vol-3-2027")
    assert roles(session, event)["community"] == 150
    # The number cell lost its leading 0 (08128000000 -> 8128000000): still read as Indonesian.
    assert person(session, "rw01.babakan@warga.tangerangkota.go.id").phone == "+628128000000"


def test_the_three_day_visit_has_an_agenda_per_day_and_two_groups_on_day_two(
    session: Session,
) -> None:
    event = session.get(Event, load(session, EXAMPLES / "visitasi-pkn2.yaml").event_id)
    assert event is not None
    assert event.days() == [date(2027, 1, 19), date(2027, 1, 20), date(2027, 1, 21)]
    lines = agenda(session, event)
    assert Counter(line.day.day for line in lines) == {19: 4, 20: 3, 21: 2}
    day_two = by_group([line for line in lines if line.day == date(2027, 1, 20)])
    assert list(day_two) == ["Pleno", "Kelompok A - MPP", "Kelompok B - Dinsos"]
    assert day_two["Kelompok A - MPP"][0].venue == "Mal Pelayanan Publik Kota Tangerang"
    assert day_two["Kelompok B - Dinsos"][0].venue == "Kantor Dinas Sosial Kota Tangerang"
    groups = Counter(line.group for line in participants(session, event))
    assert groups == {"Kelompok A - MPP": 15, "Kelompok B - Dinsos": 15, "Pleno": 4}
    assert roles(session, event)["guest"] == 31  # 30 echelon-II participants and BPSDMD's head


def test_the_signing_ceremony_is_in_ruang_akhlakul_karimah(session: Session) -> None:
    event = session.get(
        Event, load(session, EXAMPLES / "penandatanganan-mou-ombudsman.yaml").event_id
    )
    assert event is not None and event.kind is EventKind.CEREMONY
    assert organisation_name(session, event.guest_id) == (
        "Ombudsman Republik Indonesia Perwakilan Provinsi Banten"
    )
    assert {line.room for line in agenda(session, event)} == {"Ruang Akhlakul Karimah"}
    assert roles(session, event) == {
        "host_official": 2,
        "guest": 2,
        "staff": 1,
        "minute_taker": 1,
        "media": 2,
    }


def test_all_examples_live_side_by_side_sharing_venues_and_people(session: Session) -> None:
    for name in FILES.values():
        load(session, EXAMPLES / name)
    assert count(session, Event) == 5
    # The city hall's rooms are declared by several files but exist once.
    halls = session.exec(select(Room.name).order_by(col(Room.name))).all()
    assert halls.count("Aula Al-Amanah") == 1
    # The head of protocol is one person taking part in three events.
    officer = person(session, "protokol@tangerangkota.go.id")
    events = session.exec(select(Participant).where(Participant.person_id == officer.id)).all()
    assert len(events) == 3


def test_reimporting_every_example_updates_instead_of_duplicating(session: Session) -> None:
    for name in FILES.values():
        load(session, EXAMPLES / name)
    before = {m.__name__: count(session, m) for m in (Event, Person, Participant, AgendaSession)}
    audit_rows = count(session, AuditEntry)
    for code, name in FILES.items():
        result = load(session, EXAMPLES / name)
        assert not result.created and not result.rescheduled, code
        assert result.roster.added == 0, code
    after = {m.__name__: count(session, m) for m in (Event, Person, Participant, AgendaSession)}
    assert after == before
    assert count(session, AuditEntry) == audit_rows  # nothing changed, nothing to record


def moved_a_day(tmp_path: Path) -> Path:
    text = (EXAMPLES / "fgd-halifax.yaml").read_text(encoding="utf-8")
    moved = tmp_path / "fgd-moved.yaml"
    moved.write_text(text.replace("2026-12-10", "2026-12-11"), encoding="utf-8")
    return moved


def test_a_new_time_for_an_announced_event_bumps_its_sequence_and_records_a_reschedule(
    session: Session, tmp_path: Path
) -> None:
    event = session.get(Event, load(session, EXAMPLES / "fgd-halifax.yaml").event_id)
    assert event is not None
    apply(session, event, Action.ANNOUNCE, actor="officer")
    session.commit()

    result = load(session, moved_a_day(tmp_path))
    assert result.rescheduled and not result.created
    session.refresh(event)
    assert event.status is EventStatus.ANNOUNCED and event.sequence == 1
    assert event.starts_at == datetime(2026, 12, 11, 2, 0, tzinfo=UTC)
    actions = [
        entry.action for entry in session.exec(select(AuditEntry).order_by(col(AuditEntry.id)))
    ]
    assert actions == ["import", "announce", "reschedule"]
    facts = [f.name for f in session.exec(select(DomainEvent).order_by(col(DomainEvent.id)))]
    assert facts == ["acara.event.announced", "acara.event.rescheduled"]
    assert {line.day for line in agenda(session, event)} == {date(2026, 12, 11)}
    assert count(session, AgendaSession) == 4


def test_a_new_time_for_a_draft_is_an_update_without_a_new_sequence(
    session: Session, tmp_path: Path
) -> None:
    load(session, EXAMPLES / "fgd-halifax.yaml")
    result = load(session, moved_a_day(tmp_path))
    event = get_event(session, "fgd-halifax-2026")
    assert not result.rescheduled and event.sequence == 0
    assert [e.action for e in session.exec(select(AuditEntry).order_by(col(AuditEntry.id)))] == [
        "import",
        "update",
    ]
    assert count(session, DomainEvent) == 0


def test_a_cancelled_event_cannot_be_changed_by_reimporting_it(session: Session) -> None:
    load(session, EXAMPLES / "fgd-halifax.yaml")
    cancel(session, get_event(session, "fgd-halifax-2026"), actor="officer", reason="Ditunda")
    session.commit()
    with pytest.raises(InvalidInput) as caught:
        load(session, EXAMPLES / "fgd-halifax.yaml")
    session.rollback()
    assert [str(p) for p in caught.value.problems] == [
        "code: event 'fgd-halifax-2026' is cancelled and cannot change"
    ]


def test_a_file_that_names_a_shared_room_without_its_capacity_keeps_it(
    session: Session, tmp_path: Path
) -> None:
    load(session, EXAMPLES / "fkp-volume-3.yaml")
    text = (EXAMPLES / "visitasi-pkn2.yaml").read_text(encoding="utf-8")
    (tmp_path / "pkn2.yaml").write_text(
        text.replace("{name: Aula Al-Amanah, capacity: 300}", "{name: Aula Al-Amanah}")
    )
    (tmp_path / "peserta_pkn2.csv").write_bytes((EXAMPLES / "peserta_pkn2.csv").read_bytes())
    load(session, tmp_path / "pkn2.yaml")
    aula = session.exec(select(Room).where(Room.name == "Aula Al-Amanah")).one()
    assert aula.capacity == 300
