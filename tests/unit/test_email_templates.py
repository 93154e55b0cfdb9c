"""The invitation, update and cancellation letters as templates render them (no database)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from jinja2 import UndefinedError

from acara.dates import long_date, long_datetime
from acara.messages.composers.common import addressed, honorific, letter_date, you
from acara.messages.composers.invitations import what_changed
from acara.render import Stencil, render
from models.names import split_name
from models.people import Language, Person

START = datetime(2026, 12, 8, 2, 0, tzinfo=UTC)  # 09.00 WIB


def person(raw: str, salutation: str = "", language: Language = Language.ID) -> Person:
    parts = split_name(raw)
    return Person(
        email="x@example.org",
        name=parts.name,
        title_prefix=parts.title_prefix,
        title_suffix=parts.title_suffix,
        salutation=salutation or parts.salutation,
        position="Camat Pamulang",
        organisation="Pemerintah Kota Tangerang Selatan",
        language=language,
    )


def context(who: Person, language: str = "id") -> dict[str, Any]:
    return {
        "lang": language,
        "host": "Pemerintah Kota Tangerang",
        "sender": {"name": "Bagian Protokol Setda Kota Tangerang", "email": "protokol@x.go.id"},
        "letter": {
            "kop": ["PEMERINTAH KOTA TANGERANG", "SEKRETARIAT DAERAH"],
            "contact": "Jl. Satria Sudirman No. 1, Tangerang · Telepon (021) 5529 1234",
            "place": "Tangerang",
            "number": "005/1123-Prot/2026",
            "subject": "Penandatanganan Nota Kesepahaman",
            "date": letter_date(language, "Asia/Jakarta", START),
        },
        "event": {
            "title": "Penandatanganan MoU Ombudsman RI",
            "date_line": long_date(START, language, "Asia/Jakarta"),
            "time_line": "09.00–11.00 WIB",
            "when": long_datetime(START, "Asia/Jakarta", language),
            "place": "Ruang Akhlakul Karimah, Puspemkot Tangerang",
            "address": "Jl. Satria Sudirman No. 1",
            "description": "",
            "cancel_reason": "Wali Kota berhalangan hadir",
        },
        "agenda": [
            {
                "date": long_date(START, language, "Asia/Jakarta"),
                "items": [
                    {
                        "time": "09.00–10.00 WIB",
                        "title": "Penandatanganan",
                        "group": None,
                        "place": "Ruang Akhlakul Karimah",
                        "speakers": "Wali Kota Tangerang",
                        "moderator": "",
                    }
                ],
            }
        ],
        "recipient": {
            "name": who.full_name.with_titles,
            "honorific": honorific(who, language),
            "addressed": addressed(who, language),
            "you": you(who, language),
            "position": who.position,
            "organisation": who.organisation,
            "group": None,
        },
        "rsvp": {
            "page": "https://acara.example/rsvp/T0K",
            "accept": "https://acara.example/rsvp/T0K?answer=accept",
            "decline": "https://acara.example/rsvp/T0K?answer=decline",
            "represent": "https://acara.example/rsvp/T0K?answer=represent",
        },
        "changes": what_changed([], "Asia/Jakarta", language),
    }


def test_the_indonesian_invitation_greets_with_yth_salutation_and_every_title() -> None:
    who = person("Drs. H. Muhamad, M.Si.", "Bapak")
    letter = render("invitation", "id", context(who))
    assert "Yth. Bapak Drs. H. Muhamad, M.Si." in letter.text
    assert "Yth. Bapak <strong>Drs. H. Muhamad, M.Si.</strong>" in letter.html
    assert "Nomor : 005/1123-Prot/2026" in letter.text
    assert "Perihal : Penandatanganan Nota Kesepahaman" in letter.text
    assert "Dengan hormat," in letter.text and "kami mengundang Bapak untuk hadir" in letter.text


def test_the_indonesian_invitation_writes_the_date_in_indonesian_with_wib() -> None:
    letter = render("invitation", "id", context(person("Rina Marlina, S.I.Kom.", "Ibu")))
    assert letter.subject == (
        "Undangan: Penandatanganan MoU Ombudsman RI – Selasa, 8 Desember 2026"
    )
    assert "Hari/Tanggal : Selasa, 8 Desember 2026" in letter.text
    assert "8 Desember 2026" in letter.html and "09.00–11.00 WIB" in letter.html


def test_the_english_invitation_is_in_english_with_an_english_date() -> None:
    who = person("Prof. Mark Gilbert, Ph.D.", "Mr.", Language.EN)
    letter = render("invitation", "en", context(who, "en"))
    assert (
        letter.subject == "Invitation: Penandatanganan MoU Ombudsman RI – Tuesday, 8 December 2026"
    )
    # An academic title replaces "Mr." in English, but the letter keeps all of them.
    assert "Dear Prof. Mark Gilbert," in letter.text
    assert "To: Prof. Mark Gilbert, Ph.D." in letter.text
    assert "Desember" not in letter.text and "Yth." not in letter.text
    assert "I will attend" in letter.html


def test_a_person_without_a_known_salutation_is_addressed_as_bapak_ibu() -> None:
    who = person("Dr. Nurdin")
    assert honorific(who, "id") == "Bapak/Ibu" and you(who, "id") == "Bapak/Ibu"
    assert "Yth. Bapak/Ibu Dr. Nurdin" in render("invitation", "id", context(who)).text


def test_the_rsvp_links_of_the_letter_are_the_personal_ones() -> None:
    letter = render("invitation", "id", context(person("Deden Juardi", "Bapak")))
    for answer in ("accept", "decline", "represent"):
        assert f"https://acara.example/rsvp/T0K?answer={answer}" in letter.text
        assert f'href="https://acara.example/rsvp/T0K?answer={answer}"' in letter.html


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("name", ["update", "cancellation"])
def test_updates_and_cancellations_render_in_both_languages(name: str, language: str) -> None:
    who = person("Deden Juardi, S.STP., M.Si.", "Bapak")
    letter = render(name, language, context(who, language))
    assert letter.subject and "\n" not in letter.subject
    assert "005/1123-Prot/2026" in letter.text and "005/1123-Prot/2026" in letter.html
    if name == "cancellation":
        assert "Wali Kota berhalangan hadir" in letter.text
        assert "?answer=accept" not in letter.text
    else:
        assert "?answer=accept" in letter.text


MOVED = [
    {
        "what": "time",
        "before": ["2027-01-14T02:00:00+00:00", "2027-01-14T04:00:00+00:00"],
        "after": ["2027-01-21T02:00:00+00:00", "2027-01-21T04:00:00+00:00"],
    },
    {"what": "place", "before": ["Ruang Akhlakul Karimah"], "after": ["Ruang Al-Amanah"]},
]


def test_an_update_says_what_it_was_and_what_it_becomes_in_indonesian() -> None:
    shared = context(person("Deden Juardi", "Bapak"))
    shared["changes"] = what_changed(MOVED, "Asia/Jakarta", "id")
    letter = render("update", "id", shared)
    said = (
        "Waktu dan tempat: semula Kamis, 14 Januari 2027 pukul 09.00 WIB di Ruang Akhlakul "
        "Karimah, menjadi Kamis, 21 Januari 2027 pukul 09.00 WIB di Ruang Al-Amanah."
    )
    assert said in letter.text and said in letter.html
    assert "Perubahan bagi Bapak:" in letter.text


def test_an_update_says_what_changed_in_english_for_an_english_reader() -> None:
    shared = context(person("Prof. Mark Gilbert, Ph.D.", "Mr.", Language.EN), "en")
    only_the_end = [
        {
            "what": "time",
            "before": ["2027-01-14T02:00:00+00:00", "2027-01-14T04:00:00+00:00"],
            "after": ["2027-01-14T02:00:00+00:00", "2027-01-14T05:00:00+00:00"],
        },
        {"what": "group", "before": "", "after": "Kelompok 3"},
    ]
    shared["changes"] = what_changed(only_the_end, "Asia/Jakarta", "en")
    letter = render("update", "en", shared)
    assert (
        "Time: formerly Thursday, 14 January 2027, 09:00–11:00 WIB (UTC+7), "
        "now Thursday, 14 January 2027, 09:00–12:00 WIB (UTC+7)." in letter.text
    )
    assert "Group: formerly none (plenary sessions only), now Kelompok 3." in letter.text
    assert "semula" not in letter.text


def test_an_update_with_nothing_recorded_names_no_change() -> None:
    letter = render("update", "id", context(person("Deden Juardi", "Bapak")))
    assert "semula" not in letter.text and "Perubahan bagi" not in letter.text


def test_markup_in_a_name_is_escaped_in_html_and_kept_as_text() -> None:
    who = person('<b onclick="x()">Budi</b> & Co', "Bapak")
    letter = render("invitation", "id", context(who))
    assert "<b onclick" not in letter.html
    assert "&lt;b onclick=&#34;x()&#34;&gt;Budi&lt;/b&gt; &amp; Co" in letter.html
    assert '<b onclick="x()">Budi</b> & Co' in letter.text


def test_a_missing_value_is_an_error_not_an_empty_line() -> None:
    broken = context(person("Budi", "Bapak"))
    del broken["event"]["place"]
    with pytest.raises(UndefinedError):
        render("invitation", "id", broken)


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("name", ["invitation", "update", "cancellation"])
def test_a_stencil_fills_in_exactly_what_a_full_render_gives(name: str, language: str) -> None:
    paths = ["recipient.name", "recipient.addressed", "rsvp.accept", "rsvp.decline"]
    shared = context(person("Budi", "Bapak"), language)
    stencil = Stencil(name, language, shared, paths)
    for raw in ['Dr. <i>Ani</i> & "Sri", M.Si.', "Siti Nurhaliza", "Ir. Joko {x} %s"]:
        full = context(person(raw, "Ibu"), language)
        full["recipient"]["honorific"] = shared["recipient"]["honorific"]
        full["recipient"]["you"] = shared["recipient"]["you"]
        values = {
            "recipient.name": full["recipient"]["name"],
            "recipient.addressed": full["recipient"]["addressed"],
            "rsvp.accept": "https://acara.example/rsvp/OTHER?answer=accept",
            "rsvp.decline": "https://acara.example/rsvp/OTHER?answer=decline&x=1",
        }
        full["rsvp"]["accept"], full["rsvp"]["decline"] = (
            values["rsvp.accept"],
            values["rsvp.decline"],
        )
        assert stencil.fill(values) == render(name, language, full)


def test_a_stencil_whose_field_a_template_transforms_falls_back_to_full_renders() -> None:
    # The kop's lines are upper-cased by the text template: the marker cannot survive that.
    shared = context(person("Budi", "Bapak"))
    stencil = Stencil("invitation", "id", shared, ["letter.kop"])
    kop: Any = ["Pemerintah Kota Tangerang Selatan"]  # a list where markers fill in text
    filled = stencil.fill({"letter.kop": kop})
    assert "PEMERINTAH KOTA TANGERANG SELATAN" in filled.text
