"""How the press release names organisations, people and quotes."""

from __future__ import annotations

from acara.documents.context import org_names
from acara.documents.press import acronym, in_words, joined, press_name, quote_clause


def test_a_city_government_is_named_in_full_once_then_shortened() -> None:
    names = org_names("Pemerintah Kota Tangerang Selatan")
    assert names.full == "Pemerintah Kota (Pemkot) Tangerang Selatan"
    assert names.short == "Pemkot Tangerang Selatan" and names.city == "Tangerang Selatan"
    assert org_names("Pemerintah Kabupaten Tangerang").short == "Pemkab Tangerang"


def test_a_city_office_speaks_through_its_government() -> None:
    names = org_names("Dinas Komunikasi dan Informatika Kota Tangerang")
    assert names.full == (
        "Pemerintah Kota (Pemkot) Tangerang melalui Dinas Komunikasi dan Informatika Kota Tangerang"
    )
    assert names.city == "Tangerang"


def test_other_bodies_keep_their_name_and_have_no_city() -> None:
    names = org_names("Ombudsman Republik Indonesia Perwakilan Provinsi Banten")
    assert names.full == names.short == "Ombudsman Republik Indonesia Perwakilan Provinsi Banten"
    assert names.city == ""


def test_people_keep_their_titles_before_the_name_and_lose_their_degrees() -> None:
    assert press_name("Drs. H. Muhamad, M.Si.") == "Drs. H. Muhamad"
    assert press_name("Prof. Mark Gilbert, Ph.D.") == "Prof. Mark Gilbert"


def test_a_quote_ends_in_a_comma_before_the_speaker_tag() -> None:
    assert quote_clause("Kami punya tujuh kecamatan.") == "Kami punya tujuh kecamatan,"
    assert quote_clause("Siapa yang tidak mau?") == "Siapa yang tidak mau?"
    assert quote_clause("Terima kasih") == "Terima kasih,"


def test_counts_lists_and_series_are_written_as_the_press_writes_them() -> None:
    assert in_words(3) == "tiga" and in_words(12) == "12"
    assert joined(["Pamulang", "Setu", "Serpong Utara"]) == "Pamulang, Setu dan Serpong Utara"
    assert acronym("Forum Komunikasi Publik") == "FKP" and acronym("Diskusi") == ""
