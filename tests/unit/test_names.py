"""Indonesian names: honorifics, salutations and academic titles kept apart from the name."""

from __future__ import annotations

import pytest

from models.names import PersonName, split_name

CASES = [
    # (as written on the list, salutation, titles before, name, degrees after)
    ("Dr. Nurdin", "", "Dr.", "Nurdin", ""),
    ("Prof. Mark Gilbert, Ph.D.", "", "Prof.", "Mark Gilbert", "Ph.D."),
    ("Herman Suwarman, S.T., M.T.", "", "", "Herman Suwarman", "S.T., M.T."),
    ("Drs. H. Muhamad, M.Si.", "", "Drs. H.", "Muhamad", "M.Si."),
    ("Bapak Dr. H. Muhamad, S.Sos., M.Si.", "Bapak", "Dr. H.", "Muhamad", "S.Sos., M.Si."),
    ("Ibu Hj. Airin Rachmi Diany, S.H., M.H.", "Ibu", "Hj.", "Airin Rachmi Diany", "S.H., M.H."),
    ("dr. Hj. Siti Aminah, Sp.A.", "", "dr. Hj.", "Siti Aminah", "Sp.A."),
    ("Ir. H. Arief R. Wismansyah, M.Si.", "", "Ir. H.", "Arief R. Wismansyah", "M.Si."),
    (
        "Prof. Dr. Ir. H. Bambang Sutrisno, M.Sc.",
        "",
        "Prof. Dr. Ir. H.",
        "Bambang Sutrisno",
        "M.Sc.",
    ),
    ("Deden Juardi, S.STP., M.Si.", "", "", "Deden Juardi", "S.STP., M.Si."),
    ("Rina Marlina, S.I.Kom.", "", "", "Rina Marlina", "S.I.Kom."),
    ("Untung Saritomo, S.Sos., M.A.P.", "", "", "Untung Saritomo", "S.Sos., M.A.P."),
    (
        "Sri Mulyani Indrawati, S.E., M.Sc., Ph.D.",
        "",
        "",
        "Sri Mulyani Indrawati",
        "S.E., M.Sc., Ph.D.",
    ),
    ("Assoc. Prof. Jane Doe, PhD", "", "Assoc. Prof.", "Jane Doe", "PhD"),
    ("Mr. Mark Gilbert", "Mr.", "", "Mark Gilbert", ""),
    ("Sdr. Andri Wijaya", "Saudara", "", "Andri Wijaya", ""),
    ("Bpk. Heryanto", "Bapak", "", "Heryanto", ""),
    # Degrees glued on without a comma still count.
    ("Muhamad S.Sos", "", "", "Muhamad", "S.Sos"),
    # Dotless titles as people type them.
    ("Prof Dr Ir Bambang", "", "Prof. Dr. Ir.", "Bambang", ""),
    ("Hj Airin Rachmi Diany", "", "Hj.", "Airin Rachmi Diany", ""),
    # Case matters: dr. is a medical doctor, Dr. a doctorate; other spellings mean the doctorate.
    ("DR. Nurdin", "", "Dr.", "Nurdin", ""),
    # A single letter may be an initial: left in the name.
    ("H Sachrudin", "", "", "H Sachrudin", ""),
    # A comma that is part of the name, not a degree list: the name stays whole.
    ("Nasution, AM Iskandar", "", "", "Nasution, AM Iskandar", ""),
    # Only a title: nothing is left to be the name, so the word is the name.
    ("Dr.", "", "", "Dr.", ""),
    # Spacing and non-breaking spaces from spreadsheets.
    ("  Dr.\u00a0 Nurdin  ", "", "Dr.", "Nurdin", ""),
]


@pytest.mark.parametrize(
    ("raw", "salutation", "prefix", "name", "suffix"), CASES, ids=[c[0] for c in CASES]
)
def test_a_name_is_split_into_salutation_titles_name_and_degrees(
    raw: str, salutation: str, prefix: str, name: str, suffix: str
) -> None:
    assert split_name(raw) == PersonName(
        name=name, title_prefix=prefix, title_suffix=suffix, salutation=salutation
    )


def test_a_letter_writes_the_titles_back_around_the_name() -> None:
    assert split_name("Bapak Dr. H. Muhamad, S.Sos., M.Si.").with_titles == (
        "Dr. H. Muhamad, S.Sos., M.Si."
    )
    assert split_name("Prof. Mark Gilbert, Ph.D.").with_titles == "Prof. Mark Gilbert, Ph.D."
    assert split_name("Heryanto").with_titles == "Heryanto"
