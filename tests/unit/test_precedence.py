"""Protocol order: the regional head first, then by office (UU 9/2010), then role, then name."""

from __future__ import annotations

import pytest

from models.errors import InvalidInput
from models.people import Role
from models.precedence import DEFAULT, office, parse_precedence


def ordered(*people: tuple[str, Role, str]) -> list[str]:
    return [name for position, role, name in sorted(people, key=lambda p: DEFAULT.key(*p))]


def test_the_wali_kota_comes_before_the_wakil_the_sekda_and_the_camat() -> None:
    assert ordered(
        ("Camat Pamulang", Role.HOST_OFFICIAL, "Deden"),
        ("Sekretaris Daerah Kota Tangerang Selatan", Role.HOST_OFFICIAL, "Muhamad"),
        ("Wakil Wali Kota Tangerang Selatan", Role.HOST_OFFICIAL, "Pilar"),
        ("Wali Kota Tangerang Selatan", Role.HOST_OFFICIAL, "Benyamin"),
    ) == ["Benyamin", "Pilar", "Muhamad", "Deden"]


def test_a_governor_and_the_provincial_council_come_before_the_city() -> None:
    assert DEFAULT.rank("Gubernur Banten") < DEFAULT.rank("Ketua DPRD Provinsi Banten")
    assert DEFAULT.rank("Ketua DPRD Provinsi Banten") < DEFAULT.rank("Walikota Tangerang")
    assert DEFAULT.rank("Ketua DPRD Kota Tangerang") < DEFAULT.rank("Sekda Kota Tangerang")


def test_an_acting_official_ranks_as_the_office() -> None:
    assert office("Pj. Wali Kota Tangerang") == "wali kota tangerang"
    assert DEFAULT.rank("Pj Wali Kota Tangerang") == DEFAULT.rank("Wali Kota Tangerang")
    assert DEFAULT.rank("Plt. Kepala Dinas Kominfo") == DEFAULT.rank("Kepala Dinas Kominfo")


def test_the_longest_office_a_position_begins_with_decides() -> None:
    assert DEFAULT.rank("Kepala Kantor Perwakilan Bank Indonesia Banten") == DEFAULT.rank(
        "Kepala Dinas Pendidikan"
    )
    assert DEFAULT.rank("Kepala Kantor Pertanahan") > DEFAULT.rank("Kepala Dinas Pendidikan")
    assert DEFAULT.rank("Kepala Bagian Protokol") == DEFAULT.rank("Camat Setu")


def test_unranked_positions_come_last_by_role_then_name() -> None:
    assert ordered(
        ("Ketua RW 05", Role.COMMUNITY, "Aminah"),
        ("", Role.SPEAKER, "Mark Gilbert"),
        ("Lurah Sukasari", Role.GUEST, "Zainal"),
        ("", Role.SPEAKER, "Ani"),
    ) == ["Zainal", "Ani", "Mark Gilbert", "Aminah"]


def test_an_office_writes_its_own_order_with_comments_and_continued_lines() -> None:
    order = parse_precedence(
        "# kami: camat dulu\nCamat,\n  Lurah\nWali Kota  # lalu wali kota\n", "urutan.txt"
    )
    assert order.lines() == ["camat, lurah", "wali kota"]
    assert order.rank("Lurah Sukasari") == 0 < order.rank("Wali Kota Tangerang") == 1


def test_an_empty_order_is_refused_naming_the_file() -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_precedence("# nothing here\n", "urutan.txt")
    assert refused.value.problems[0].where == "urutan.txt"
