"""Participant lists into an event: all or nothing, merged by e-mail, titles kept apart."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from acara.eventfile import read_event_file, read_participant_list
from models import Event, Participant, Person
from models.errors import InvalidInput
from models.planning import import_event
from models.queries import get_event, participants
from models.roster import Row, add_participants
from tests.conftest import EXAMPLES


@pytest.fixture
def jambi(session: Session) -> Event:
    """The Jambi visit with its three groups, as the officer imported it."""
    spec, rows = read_event_file(EXAMPLES / "kunjungan-camat-jambi.yaml")
    import_event(session, spec, rows, actor="test")
    session.commit()
    return get_event(session, "kunker-camat-jambi-2026")


def a_list(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "tambahan.csv"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def count(session: Session, model: type) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def test_a_list_with_a_row_in_an_unknown_group_imports_nothing(
    session: Session, jambi: Event, tmp_path: Path
) -> None:
    rows, problems = read_participant_list(
        a_list(
            tmp_path,
            """\
            nama,email,kelompok
            Rudi Hartono,camat.kumpeh2@jambiprov.go.id,Kelompok 1 - Pamulang
            Sri Wahyuni,camat.sungaibahar@jambiprov.go.id,Kelompok 4 - Ciputat
            """,
        )
    )
    assert problems == []
    people = count(session, Participant)
    with pytest.raises(InvalidInput) as caught:
        add_participants(session, jambi, rows)
    session.rollback()
    assert str(caught.value) == (
        "Nothing imported; fix these rows:\n"
        "  - row 3: group: no group named 'Kelompok 4 - Ciputat' in this event"
    )
    assert count(session, Participant) == people


def test_skipping_invalid_rows_imports_the_good_ones_and_reports_the_rest(
    session: Session, jambi: Event, tmp_path: Path
) -> None:
    rows, problems = read_participant_list(
        a_list(
            tmp_path,
            """\
            nama,email,kelompok
            Rudi Hartono,camat.kumpeh2@jambiprov.go.id,Kelompok 1 - Pamulang
            Sri Wahyuni,camat.sungaibahar@jambiprov.go.id,Kelompok 4 - Ciputat
            Bayu Pratama,bukan-alamat,Kelompok 2 - Setu
            """,
        )
    )
    assert [str(p).split(":")[0] for p in problems] == ["row 4, column email"]
    people = count(session, Participant)
    report = add_participants(session, jambi, rows, skip_invalid=True)
    session.commit()
    assert report.added == 1
    assert [str(p) for p in report.rejected] == [
        "row 3: group: no group named 'Kelompok 4 - Ciputat' in this event"
    ]
    assert count(session, Participant) == people + 1


def test_the_same_person_twice_is_merged_whatever_the_case_of_the_address(
    session: Session, jambi: Event, tmp_path: Path
) -> None:
    rows, _ = read_participant_list(
        a_list(
            tmp_path,
            """\
            nama,email,jabatan
            Rudi Hartono,Rudi.Hartono@JambiProv.go.id,Camat Kumpeh Ulu
            "Rudi Hartono, S.Sos.",rudi.hartono@jambiprov.go.id,Camat Kumpeh Ulu
            "Ahmad Hidayat, S.Sos., M.Si.",CAMAT.KUMPEH@jambiprov.go.id,Camat Kumpeh
            """,
        )
    )
    people, persons = count(session, Participant), count(session, Person)
    report = add_participants(session, jambi, rows)
    session.commit()
    # Ahmad was already on the list, exactly so: not counted as updated.
    assert (report.added, report.updated) == (1, 0)
    assert report.merged == ["row 3 merged into row 2"]
    assert count(session, Participant) == people + 1 and count(session, Person) == persons + 1
    rudi = session.exec(select(Person).where(Person.email == "rudi.hartono@jambiprov.go.id")).one()
    assert rudi.title_suffix == "S.Sos."  # the later row brought his degree


def test_one_person_invited_to_two_events_is_one_person(session: Session, jambi: Event) -> None:
    spec, rows = read_event_file(EXAMPLES / "fgd-halifax.yaml")
    import_event(session, spec, rows, actor="test")
    session.commit()
    [first, *_], _ = read_participant_list(EXAMPLES / "camat_jambi.csv")
    # The FGD has no breakout groups: the camat joins the plenary.
    guest = Row(first.where, first.spec.model_copy(update={"group": None}))
    add_participants(session, get_event(session, "fgd-halifax-2026"), [guest])
    session.commit()
    kumpeh = session.exec(
        select(Person).where(Person.email == "camat.kumpeh@jambiprov.go.id")
    ).one()
    assert (
        len(session.exec(select(Participant).where(Participant.person_id == kumpeh.id)).all()) == 2
    )


def test_honorifics_and_titles_are_stored_apart_from_the_name(
    session: Session, jambi: Event
) -> None:
    lines = {line.person.email: line for line in participants(session, jambi)}
    sekda = lines["sekda@tangerangselatankota.go.id"].person
    assert (sekda.salutation, sekda.title_prefix, sekda.name, sekda.title_suffix) == (
        "Bapak",
        "Drs. H.",
        "Muhamad",
        "M.Si.",
    )
    assert sekda.full_name.with_titles == "Drs. H. Muhamad, M.Si."
    camat = lines["camat.jambiluarkota@jambiprov.go.id"].person
    assert (camat.title_prefix, camat.name, camat.title_suffix) == (
        "Drs.",
        "Hendra Nasution",
        "S.E., M.M.",
    )
    assert lines["camat.kumpeh@jambiprov.go.id"].group == "Kelompok 1 - Pamulang"


def test_a_later_list_without_titles_role_or_language_keeps_what_is_known(
    session: Session, tmp_path: Path
) -> None:
    spec, rows = read_event_file(EXAMPLES / "fgd-halifax.yaml")
    import_event(session, spec, rows, actor="test")
    session.commit()
    event = get_event(session, "fgd-halifax-2026")
    later, _ = read_participant_list(
        a_list(
            tmp_path, "nama,email,jabatan\nMark Gilbert,MARK.GILBERT@dal.ca,Professor Emeritus\n"
        )
    )
    report = add_participants(session, event, later)
    session.commit()
    assert report.updated == 1
    [line] = [x for x in participants(session, event) if x.person.email == "mark.gilbert@dal.ca"]
    assert line.participant.role.value == "speaker"
    assert line.person.language.value == "en"
    assert line.person.full_name.with_titles == "Prof. Mark Gilbert, Ph.D."
    assert line.person.position == "Professor Emeritus"


def test_a_list_that_names_a_role_and_group_moves_the_participant(
    session: Session, jambi: Event, tmp_path: Path
) -> None:
    later, _ = read_participant_list(
        a_list(
            tmp_path,
            "nama,email,peran,kelompok\n"
            "Ahmad Hidayat,camat.kumpeh@jambiprov.go.id,narasumber,Kelompok 3 - Serpong Utara\n",
        )
    )
    add_participants(session, jambi, later)
    session.commit()
    [line] = [
        x for x in participants(session, jambi) if x.person.email == "camat.kumpeh@jambiprov.go.id"
    ]
    assert (line.participant.role.value, line.group) == ("speaker", "Kelompok 3 - Serpong Utara")
