"""Host organisations: loaded from a file by key, named by event files, the letterhead of their
events; and the volumes of a series, each at most once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from sqlmodel import Session, select

from acara.documents.attendance import attendance_pdf
from acara.documents.minutes import write_minutes
from acara.documents.press import press_release
from acara.settings import office_letterhead
from acara.stages import organisations, planning
from models.errors import InvalidInput
from models.event import Event
from models.minutes_rules import approve_minutes
from models.organisations import Organisation, Signatory, letterhead
from models.queries import get_event
from tests.conftest import EXAMPLES
from tests.followup_helpers import ENDS, held_visit, pdf_text
from tests.integration.test_cli_messages import officer

JAMBI = EXAMPLES / "kunjungan-camat-jambi.yaml"


def _copy(tmp_path: Path, source: Path, edit: dict[str, object], name: str = "") -> Path:
    """A copy of an example event file (its participant list beside it) with fields changed."""
    data = yaml.safe_load(source.read_text())
    data.update(edit)
    for extra in EXAMPLES.glob("*.csv"):
        (tmp_path / extra.name).write_bytes(extra.read_bytes())
    path = tmp_path / (name or source.name)
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    return path


def _organisations(tmp_path: Path, change: object = None) -> Path:
    """A copy of examples/organisations.yaml (logos beside it), changed by `change(data)`."""
    data = yaml.safe_load((EXAMPLES / "organisations.yaml").read_text())
    if callable(change):
        change(data)
    (tmp_path / "logos").mkdir(exist_ok=True)
    for logo in (EXAMPLES / "logos").iterdir():
        (tmp_path / "logos" / logo.name).write_bytes(logo.read_bytes())
    path = tmp_path / "organisations.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    return path


def test_the_jambi_visit_has_the_letterhead_of_tangerang_selatan(session: Session) -> None:
    planning.import_event_file(JAMBI, actor="test")
    event = get_event(session, "kunker-camat-jambi-2026")
    head = letterhead(session, event)
    assert head.name == "Pemerintah Kota Tangerang Selatan"
    assert head.kop_lines == ("PEMERINTAH KOTA TANGERANG SELATAN", "SEKRETARIAT DAERAH")
    assert head.city == "Tangerang Selatan"
    assert head.sender_email == "protokol@tangerangselatankota.go.id"
    assert head.logo is not None and head.logo.name == "kota-tangerang-selatan.svg"
    assert head.signatory.position == "Sekretaris Daerah Kota Tangerang Selatan"
    assert re.fullmatch(r"\d{18}", head.signatory.nip)


def test_without_a_signatory_the_host_default_signs(session: Session, tmp_path: Path) -> None:
    path = _copy(tmp_path, JAMBI, {"signatory": None})
    planning.import_event_file(path, actor="test")
    head = letterhead(session, get_event(session, "kunker-camat-jambi-2026"))
    assert head.signatory.position == "Sekretaris Daerah Kota Tangerang Selatan"
    named = _copy(tmp_path, JAMBI, {"signatory": "kabag-protokol"})
    planning.import_event_file(named, actor="test")
    session.expire_all()
    head = letterhead(session, get_event(session, "kunker-camat-jambi-2026"))
    assert head.signatory.position == "Kepala Bagian Protokol dan Komunikasi Pimpinan"


def test_an_event_without_a_host_falls_back_to_the_office_settings(
    session: Session, tmp_path: Path
) -> None:
    planning.import_event_file(_copy(tmp_path, JAMBI, {"host": None, "signatory": None}), actor="t")
    event = get_event(session, "kunker-camat-jambi-2026")
    assert letterhead(session, event, office_letterhead()) == office_letterhead()
    with pytest.raises(InvalidInput, match="names no host organisation"):
        letterhead(session, event)


@pytest.mark.parametrize(
    ("edit", "field", "words"),
    [
        ({"host": "kota-tangsel"}, "host", "no organisation 'kota-tangsel'"),
        ({"signatory": "walikota"}, "signatory", "has no signatory 'walikota'"),
        ({"host": None}, "signatory", "needs a host organisation"),
    ],
)
def test_an_unknown_host_or_signatory_is_refused_naming_the_field(
    session: Session, tmp_path: Path, edit: dict[str, object], field: str, words: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        planning.import_event_file(_copy(tmp_path, JAMBI, edit), actor="test")
    [problem] = refused.value.problems
    assert problem.where == field and words in problem.reason
    assert session.exec(select(Event)).first() is None


def test_reimporting_the_organisations_updates_them_by_key(
    session: Session, tmp_path: Path
) -> None:
    def rename(data: dict) -> None:
        data["organisations"]["kota-tangerang-selatan"]["city"] = "Tangsel"

    result = organisations.import_file(_organisations(tmp_path, rename), actor="test")
    assert result.created == () and "kota-tangerang-selatan" in result.updated
    orgs = session.exec(select(Organisation).where(Organisation.key == "kota-tangerang-selatan"))
    assert [org.city for org in orgs] == ["Tangsel"]
    assert [h.organisation.key for h in organisations.all_hosts()] == [
        "diskominfo-kota-tangerang",
        "kota-tangerang",
        "kota-tangerang-selatan",
    ]


def test_a_bad_organisations_file_writes_nothing_and_names_each_key(
    session: Session, tmp_path: Path
) -> None:
    def spoil(data: dict) -> None:
        data["organisations"]["kota-bogor"] = dict(
            data["organisations"]["kota-tangerang"],
            name="Pemerintah Kota Bogor",
            default_signatory="walikota",
        )
        tangsel = data["organisations"]["kota-tangerang-selatan"]
        tangsel["signatories"]["sekda"]["nip"] = "1969"
        tangsel["logo"] = "logos/tangsel.png"

    with pytest.raises(InvalidInput) as refused:
        organisations.import_file(_organisations(tmp_path, spoil), actor="test")
    where = {p.where for p in refused.value.problems}
    assert where == {
        "organisations.kota-bogor.default_signatory",
        "organisations.kota-tangerang-selatan.logo",
        "organisations.kota-tangerang-selatan.signatories.sekda.nip",
    }
    assert (
        session.exec(select(Organisation).where(Organisation.key == "kota-bogor")).first() is None
    )


def test_a_signatory_an_event_names_cannot_be_dropped(session: Session, tmp_path: Path) -> None:
    planning.import_event_file(_copy(tmp_path, JAMBI, {"signatory": "kabag-protokol"}), actor="t")

    def drop(data: dict) -> None:
        del data["organisations"]["kota-tangerang-selatan"]["signatories"]["kabag-protokol"]

    with pytest.raises(InvalidInput, match="kunker-camat-jambi-2026"):
        organisations.import_file(_organisations(tmp_path, drop), actor="test")
    assert session.exec(select(Signatory).where(Signatory.key == "kabag-protokol")).all()


def test_a_second_event_with_the_same_series_number_is_refused(
    session: Session, tmp_path: Path
) -> None:
    planning.import_event_file(EXAMPLES / "fkp-volume-3.yaml", actor="test")
    again = _copy(
        tmp_path,
        EXAMPLES / "fkp-volume-3.yaml",
        {"code": "fkp-vol-3-lagi", "series": "forum komunikasi publik"},
    )
    with pytest.raises(InvalidInput) as refused:
        planning.import_event_file(again, actor="test")
    [problem] = refused.value.problems
    assert problem.where == "number" and "'fkp-vol-3-2027'" in problem.reason
    # The same file again is the same event, not a second volume.
    planning.import_event_file(EXAMPLES / "fkp-volume-3.yaml", actor="test")
    assert len(session.exec(select(Event)).all()) == 1


def test_the_daftar_hadir_and_notulen_of_the_jambi_visit_carry_its_kop(
    session: Session, acara_env: Path
) -> None:
    event = held_visit(session)
    approve_minutes(session, event, actor="cli", now=ENDS)
    session.commit()
    attendance = pdf_text(attendance_pdf(session, event, now=ENDS))
    notulen = pdf_text(write_minutes(session, event, now=ENDS).pdf)
    for text in (attendance, notulen):
        assert "PEMERINTAH KOTA TANGERANG SELATAN SEKRETARIAT DAERAH" in text
        assert "Jl. Raya Maruga No. 1" in text and "www.tangerangselatankota.go.id" in text
        # Nothing of the other city's office (it used to be the kop's second line).
        assert re.search(r"(?i)kota tangerang(?! selatan)", text) is None
    assert "Tangerang Selatan, 8 Desember 2026" in notulen


def test_event_show_lists_the_other_volumes_and_the_press_release_names_the_last(
    session: Session,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fkp = EXAMPLES / "fkp-volume-3.yaml"
    earlier = {"code": "fkp-vol-2-2026", "number": 2, "title": "Pelayanan Publik Digital"}
    earlier |= {"start": "2026-10-07 08:00", "end": "2026-10-07 12:30"}
    earlier |= {"agenda": [], "participants_file": None}
    planning.import_event_file(_copy(tmp_path, fkp, earlier, "fkp-2.yaml"), actor="test")
    planning.import_event_file(fkp, actor="test")
    acara = officer(capsys, monkeypatch, language="en")
    shown = acara("event", "show", "fkp-vol-3-2027").out
    assert "Other volumes of Forum Komunikasi Publik:" in shown
    assert "Volume-2: fkp-vol-2-2026 · Pelayanan Publik Digital · Rabu, 7 Oktober 2026" in shown
    assert "Signed by: Kepala Dinas Komunikasi dan Informatika Kota Tangerang" in shown
    assert "Volume-3" in acara("event", "show", "fkp-vol-2-2026").out
    draft = press_release(session, get_event(session, "fkp-vol-3-2027"), now=ENDS).markdown
    assert (
        "Forum Komunikasi Publik Volume-3 ini melanjutkan Volume-2 yang digelar pada "
        "Rabu (7/10/2026) dengan tema “Pelayanan Publik Digital”."
    ) in draft
    first = press_release(session, get_event(session, "fkp-vol-2-2026"), now=ENDS).markdown
    assert "melanjutkan" not in first


def test_a_guest_named_in_an_event_file_becomes_a_host_under_its_key(
    session: Session, tmp_path: Path
) -> None:
    # The FGD's guest, first known only by name, later described in the organisations file.
    planning.import_event_file(EXAMPLES / "fgd-halifax.yaml", actor="test")

    def add_dalhousie(data: dict) -> None:
        data["organisations"]["dalhousie"] = dict(
            data["organisations"]["kota-tangerang"],
            name="Dalhousie University",
            kop=["DALHOUSIE UNIVERSITY"],
            city="Halifax",
        )

    result = organisations.import_file(_organisations(tmp_path, add_dalhousie), actor="test")
    assert "dalhousie" in result.updated
    [row] = session.exec(select(Organisation).where(Organisation.name == "Dalhousie University"))
    assert row.key == "dalhousie" and row.id == get_event(session, "fgd-halifax-2026").guest_id
