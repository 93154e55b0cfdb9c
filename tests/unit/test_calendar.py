"""acara.calendar: iMIP calendars checked with three independent parsers."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.headerregistry import Address
from zoneinfo import ZoneInfo

import pytest
import vobject
from hypothesis import given, settings
from hypothesis import strategies as st
from ical.calendar_stream import IcsCalendarStream
from icalendar import Calendar, vCalAddress
from icalendar.parser import Contentline

from acara.calendar import (
    PRODID,
    CalendarAttendee,
    CalendarEntry,
    CalendarMethod,
    CalendarTemplate,
    _fold,
    _organizer,
    _vcalendar,
    _vtimezone,
    build_calendar,
    build_calendar_many,
)

WIB, WITA, WIT = "Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"
STAMP = datetime(2024, 11, 1, 2, 3, 4, tzinfo=UTC)
ORGANIZER = CalendarAttendee("protokol@tangerangkota.go.id", "Bagian Protokol Kota Tangerang")
GUEST = CalendarAttendee("muhamad@kemendagri.go.id", "Bapak H. Muhamad, S.Sos., M.Si.")
PROFESSOR = CalendarAttendee("nono@uni.example", "Prof. Dr. Ñoño Gültekin", role="CHAIR")

# Every property name acara may emit; anything else at the start of a line is an injection.
KNOWN_NAMES = {
    "BEGIN", "END", "VERSION", "PRODID", "CALSCALE", "METHOD", "TZID", "COMMENT", "DTSTART",
    "TZNAME", "TZOFFSETFROM", "TZOFFSETTO", "SUMMARY", "DTEND", "DTSTAMP", "UID", "SEQUENCE",
    "ATTENDEE", "CATEGORIES", "DESCRIPTION", "LOCATION", "ORGANIZER", "STATUS", "URL",
    "ACTION", "TRIGGER",
}  # fmt: skip


def entry(tz: str = WIB, **changes: object) -> CalendarEntry:
    """An FGD from 09.00 to 12.00 local time on 14 November 2024 in the given zone."""
    zone = ZoneInfo(tz)
    base = CalendarEntry(
        uid="acara-event-12@acara.local",
        sequence=0,
        summary="FGD Kota Cerdas bersama Prof. Gültekin",
        start=datetime(2024, 11, 14, 9, 0, tzinfo=zone),
        end=datetime(2024, 11, 14, 12, 0, tzinfo=zone),
        timezone=tz,
        location="Tangerang Live Room, Gedung Pusat Pemerintahan",
        description="Diskusi kelompok terpumpun; notulen dibagikan setelah acara.",
        url="https://acara.local/acara/12",
        dtstamp=STAMP,
        categories=("FGD",),
    )
    return replace(base, **changes)


def parse_all(ics: bytes) -> tuple[Calendar, vobject.base.Component, object]:
    """Parse with icalendar, vobject (validating) and ical; each must accept the bytes."""
    text = ics.decode("utf-8")
    return (
        Calendar.from_ical(ics),
        vobject.readOne(text, validate=True),
        IcsCalendarStream.calendar_from_ics(text),
    )


def unfolded_lines(ics: bytes) -> list[str]:
    return ics.decode("utf-8").replace("\r\n ", "").split("\r\n")[:-1]


def property_names(ics: bytes) -> list[str]:
    return [re.split(r"[;:]", line, maxsplit=1)[0] for line in unfolded_lines(ics)]


# --- envelope ---------------------------------------------------------------------------


def test_a_request_carries_prodid_version_and_an_uppercase_method() -> None:
    ics = build_calendar(entry(), "request", ORGANIZER, [GUEST])

    cal, vcal, ical_cal = parse_all(ics)
    assert str(cal["PRODID"]) == vcal.prodid.value == ical_cal.prodid == PRODID
    assert str(cal["VERSION"]) == vcal.version.value == ical_cal.version == "2.0"
    assert str(cal["METHOD"]) == vcal.method.value == ical_cal.method == "REQUEST"
    assert b"\r\nMETHOD:REQUEST\r\n" in ics


def test_the_template_reports_the_method_it_wrote_into_the_calendar() -> None:
    template = CalendarTemplate([entry(sequence=1)], "cancel", ORGANIZER)

    assert template.method is CalendarMethod.CANCEL
    assert template.uids == ("acara-event-12@acara.local",)
    assert b"\r\nMETHOD:CANCEL\r\n" in template.for_attendee(GUEST)


def test_an_unknown_method_is_rejected() -> None:
    with pytest.raises(ValueError, match="method"):
        build_calendar(entry(), "REPLY", ORGANIZER, [GUEST])


def test_every_line_ends_in_crlf_and_is_at_most_75_octets() -> None:
    long_name = "Prof. Dr. Ir. Ñoño Gültekin-Şahinoğlu, M.Sc., Ph.D. " * 3
    ics = build_calendar(
        entry(description="Paparan Wali Kota — ringkasan kebijakan. " * 20),
        CalendarMethod.REQUEST,
        ORGANIZER,
        [CalendarAttendee("nono@uni.example", long_name), GUEST],
    )

    assert ics.endswith(b"\r\n")
    assert b"\n" not in ics.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in ics.split(b"\r\n"))
    parse_all(ics)


# --- times -----------------------------------------------------------------------------


@pytest.mark.parametrize(("tz", "utc_hour"), [(WIB, 2), (WITA, 1), (WIT, 0)])
def test_start_and_end_round_trip_as_the_same_instant_in_wib_wita_and_wit(
    tz: str, utc_hour: int
) -> None:
    given_entry = entry(tz)
    ics = build_calendar(given_entry, CalendarMethod.REQUEST, ORGANIZER, [GUEST])

    cal, vcal, ical_cal = parse_all(ics)
    starts = [cal.events[0].start, vcal.vevent.dtstart.value, ical_cal.events[0].dtstart]
    ends = [cal.events[0].end, vcal.vevent.dtend.value, ical_cal.events[0].dtend]
    assert all(start == given_entry.start for start in starts)
    assert all(end == given_entry.end for end in ends)
    assert given_entry.start == datetime(2024, 11, 14, utc_hour, tzinfo=UTC)
    assert f"DTSTART;TZID={tz}:20241114T090000".encode() in ics
    assert f"DTEND;TZID={tz}:20241114T120000".encode() in ics


def test_an_instant_given_in_utc_is_written_in_the_entry_timezone() -> None:
    utc_entry = entry(
        WITA,
        start=datetime(2024, 11, 14, 1, 0, tzinfo=UTC),
        end=datetime(2024, 11, 14, 4, 0, tzinfo=UTC),
    )
    ics = build_calendar(utc_entry, CalendarMethod.REQUEST, ORGANIZER, [GUEST])

    assert b"DTSTART;TZID=Asia/Makassar:20241114T090000" in ics
    assert parse_all(ics)[2].events[0].dtstart == utc_entry.start


def test_dtstamp_is_written_in_utc() -> None:
    jakarta_stamp = datetime(2024, 11, 1, 9, 3, 4, tzinfo=ZoneInfo(WIB))
    ics = build_calendar(entry(dtstamp=jakarta_stamp), "REQUEST", ORGANIZER, [GUEST])

    assert "DTSTAMP:20241101T020304Z" in unfolded_lines(ics)
    assert jakarta_stamp == Calendar.from_ical(ics).events[0].DTSTAMP


def test_dtstamp_defaults_to_now_in_utc() -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    ics = build_calendar(entry(dtstamp=None), "REQUEST", ORGANIZER, [GUEST])

    stamp = Calendar.from_ical(ics).events[0].DTSTAMP
    assert stamp.utcoffset() == timedelta(0)
    assert before <= stamp <= datetime.now(UTC)


@pytest.mark.parametrize("field", ["start", "end", "dtstamp"])
def test_a_naive_datetime_is_rejected_naming_the_field(field: str) -> None:
    with pytest.raises(ValueError, match=rf"CalendarEntry\.{field} must be timezone-aware"):
        entry(**{field: getattr(entry(), field).replace(tzinfo=None)})


@pytest.mark.parametrize("hours", [0, -1])
def test_an_end_not_after_the_start_is_rejected(hours: int) -> None:
    start = entry().start
    with pytest.raises(ValueError, match=r"CalendarEntry\.end .* must be after"):
        entry(end=start + timedelta(hours=hours))


@pytest.mark.parametrize("tz", ["Asia/Bandung", "WIB", "", "../../etc/passwd"])
def test_an_unknown_timezone_is_rejected_naming_the_field(tz: str) -> None:
    with pytest.raises(ValueError, match=r"CalendarEntry\.timezone"):
        entry(timezone=tz)


# --- VTIMEZONE -------------------------------------------------------------------------


def test_each_timezone_gets_exactly_one_vtimezone() -> None:
    sessions = [
        entry(WIB, uid="acara-session-1@acara.local"),
        entry(WIB, uid="acara-session-2@acara.local"),
        entry(WIT, uid="acara-session-3@acara.local"),
    ]
    ics = build_calendar_many(sessions, CalendarMethod.REQUEST, ORGANIZER, [GUEST])

    cal, vcal, ical_cal = parse_all(ics)
    assert [str(tz["TZID"]) for tz in cal.timezones] == [WIB, WIT]
    assert ics.count(b"BEGIN:VTIMEZONE") == 2
    assert cal.get_missing_tzids() == set()
    assert sorted(tz.tz_id for tz in ical_cal.timezones) == [WIB, WIT]
    assert len(vcal.vtimezone_list) == 2


def test_a_vtimezone_is_built_once_per_zone_and_the_same_object_is_reused() -> None:
    _vtimezone.cache_clear()

    for _ in range(3):
        build_calendar(entry(WITA), CalendarMethod.REQUEST, ORGANIZER, [GUEST])
    CalendarTemplate([entry(WITA, sequence=1)], CalendarMethod.CANCEL, ORGANIZER)

    info = _vtimezone.cache_info()
    assert (info.misses, info.hits) == (1, 3)
    assert _vtimezone(WITA) is _vtimezone(WITA)


# --- ORGANIZER and ATTENDEE ------------------------------------------------------------


def test_the_organizer_and_attendee_are_mailto_addresses_with_cn_role_partstat_and_rsvp() -> None:
    ics = build_calendar(entry(), CalendarMethod.REQUEST, ORGANIZER, [GUEST])

    cal, vcal, ical_cal = parse_all(ics)
    attendee = cal.events[0]["ATTENDEE"]
    assert attendee == "mailto:muhamad@kemendagri.go.id"
    assert dict(attendee.params) == {
        "CN": "Bapak H. Muhamad, S.Sos., M.Si.",
        "ROLE": "REQ-PARTICIPANT",
        "PARTSTAT": "NEEDS-ACTION",
        "RSVP": "TRUE",
    }
    organizer = vcal.vevent.organizer
    assert organizer.value == "mailto:protokol@tangerangkota.go.id"
    assert organizer.params["CN"] == ["Bagian Protokol Kota Tangerang"]
    (parsed,) = ical_cal.events[0].attendees
    assert (parsed.uri, parsed.common_name, parsed.role, parsed.status, parsed.rsvp) == (
        "mailto:muhamad@kemendagri.go.id",
        "Bapak H. Muhamad, S.Sos., M.Si.",
        "REQ-PARTICIPANT",
        "NEEDS-ACTION",
        True,
    )


def test_the_organizer_may_be_the_from_mailbox_as_an_email_address() -> None:
    sender = Address("Bagian Protokol", addr_spec="protokol@tangerangkota.go.id")

    ics = build_calendar(entry(), CalendarMethod.REQUEST, sender, [GUEST])

    organizer = 'ORGANIZER;CN="Bagian Protokol":mailto:protokol@tangerangkota.go.id'
    assert organizer in unfolded_lines(ics)


@pytest.mark.parametrize(
    "name",
    [
        "Prof. Dr. Ñoño Gültekin",
        "Bapak H. Muhamad, S.Sos., M.Si.",
        "Dra. Hj. Siti Nur'aini; Kepala Bappeda",
        "Ir. Made Wiryawan: Ketua Tim",
        "Ōtsuka Ryūnosuke 大塚 龍之介",
    ],
)
def test_a_non_ascii_or_punctuated_name_survives_every_parser(name: str) -> None:
    ics = build_calendar(
        entry(), CalendarMethod.REQUEST, ORGANIZER, [CalendarAttendee("tamu@x.example", name)]
    )

    cal, vcal, ical_cal = parse_all(ics)
    assert cal.events[0]["ATTENDEE"].params["CN"] == name
    assert vcal.vevent.attendee.params["CN"] == [name]
    assert ical_cal.events[0].attendees[0].common_name == name


@pytest.mark.parametrize(
    ("name", "shown_as"),
    [
        ("Budi\r\nATTENDEE:mailto:evil@a.example", "Budi ATTENDEE:mailto:evil@a.example"),
        ("Budi\nORGANIZER:mailto:evil@a.example", "Budi ORGANIZER:mailto:evil@a.example"),
        ("Budi\rEND:VEVENT", "Budi END:VEVENT"),
        ("Budi\u2028DTSTART:20000101T000000Z", "Budi DTSTART:20000101T000000Z"),
        ('Budi";RSVP=FALSE;X-EVIL="1', "Budi';RSVP=FALSE;X-EVIL='1"),
        ("Budi:mailto:evil@a.example;ROLE=CHAIR", "Budi:mailto:evil@a.example;ROLE=CHAIR"),
        ("Budi\\", "Budi/"),
        ("Budi^n\x00\x1b", "Budi n"),
    ],
)  # fmt: skip
def test_a_hostile_name_cannot_inject_lines_or_parameters(name: str, shown_as: str) -> None:
    ics = build_calendar(
        entry(), CalendarMethod.REQUEST, ORGANIZER, [CalendarAttendee("budi@x.example", name)]
    )

    assert set(property_names(ics)) <= KNOWN_NAMES
    assert property_names(ics).count("ATTENDEE") == 1
    cal, vcal, ical_cal = parse_all(ics)
    attendee = cal.events[0]["ATTENDEE"]
    assert (str(attendee), attendee.params["CN"]) == ("mailto:budi@x.example", shown_as)
    assert set(attendee.params) == {"CN", "ROLE", "PARTSTAT", "RSVP"}
    assert attendee.params["RSVP"] == "TRUE"
    assert vcal.vevent.attendee.params["CN"] == [shown_as]
    assert [a.common_name for a in ical_cal.events[0].attendees] == [shown_as]
    assert ical_cal.events[0].organizer.uri == "mailto:protokol@tangerangkota.go.id"


@given(st.text(st.characters(exclude_categories=["Cs"]), max_size=120))
@settings(max_examples=200, deadline=None)
def test_no_name_whatsoever_adds_a_line_or_loses_the_address(name: str) -> None:
    ics = build_calendar(
        entry(), CalendarMethod.REQUEST, ORGANIZER, [CalendarAttendee("budi@x.example", name)]
    )

    assert set(property_names(ics)) <= KNOWN_NAMES
    (event,) = Calendar.from_ical(ics).events
    assert str(event["ATTENDEE"]) == "mailto:budi@x.example"
    assert set(event["ATTENDEE"].params) == {"CN", "ROLE", "PARTSTAT", "RSVP"}


@pytest.mark.parametrize(
    "field",
    ["summary", "location", "description"],
)
def test_a_hostile_text_field_cannot_inject_lines(field: str) -> None:
    hostile = "Rapat\r\nEND:VEVENT\nBEGIN:VEVENT\rUID:evil\u2028ATTENDEE:mailto:evil@a.example"
    ics = build_calendar(entry(**{field: hostile}), "REQUEST", ORGANIZER, [GUEST])

    assert set(property_names(ics)) <= KNOWN_NAMES
    assert property_names(ics).count("BEGIN") == 5  # VCALENDAR VTIMEZONE STANDARD VEVENT VALARM
    cal, vcal, ical_cal = parse_all(ics)
    expected = "Rapat\nEND:VEVENT\nBEGIN:VEVENT\nUID:evil\nATTENDEE:mailto:evil@a.example"
    assert str(cal.events[0][field.upper()]) == expected
    assert getattr(vcal.vevent, field).value == expected
    assert getattr(ical_cal.events[0], field) == expected
    assert len(ical_cal.events) == 1


@pytest.mark.parametrize(
    "email",
    ["budi@x.example\r\nATTENDEE:mailto:evil@a.example", "budi x@y.example", "budi", "a@b@c", ""],
)
def test_an_address_that_is_not_a_plain_email_is_rejected_naming_the_field(email: str) -> None:
    with pytest.raises(ValueError, match=r"CalendarAttendee\.email"):
        CalendarAttendee(email, "Budi")


def test_an_organizer_with_a_bad_address_is_rejected_naming_the_field() -> None:
    sender = Address("Protokol", addr_spec='"protokol x"@tangerangkota.go.id')

    with pytest.raises(ValueError, match=r"organizer\.email"):
        build_calendar(entry(), CalendarMethod.REQUEST, sender, [GUEST])


def test_a_url_with_a_line_break_is_rejected_naming_the_field() -> None:
    with pytest.raises(ValueError, match=r"CalendarEntry\.url"):
        entry(url="https://acara.local/\r\nATTENDEE:mailto:evil@a.example")


@pytest.mark.parametrize(
    ("field", "value"),
    [("role", "SPEAKER"), ("partstat", "maybe")],
)
def test_an_unknown_role_or_partstat_is_rejected_naming_the_field(field: str, value: str) -> None:
    with pytest.raises(ValueError, match=rf"CalendarAttendee\.{field}"):
        CalendarAttendee("budi@x.example", "Budi", **{field: value})


# --- methods ---------------------------------------------------------------------------


def test_a_cancellation_carries_status_cancelled_and_the_given_sequence() -> None:
    ics = build_calendar(entry(sequence=3), CalendarMethod.CANCEL, ORGANIZER, [GUEST])

    cal, vcal, ical_cal = parse_all(ics)
    assert str(cal["METHOD"]) == "CANCEL"
    assert (str(cal.events[0]["STATUS"]), cal.events[0]["SEQUENCE"]) == ("CANCELLED", 3)
    assert (vcal.vevent.status.value, vcal.vevent.sequence.value) == ("CANCELLED", "3")
    assert (ical_cal.events[0].status, ical_cal.events[0].sequence) == ("CANCELLED", 3)
    assert cal.events[0]["ATTENDEE"].params["RSVP"] == "FALSE"
    assert b"BEGIN:VALARM" not in ics


def test_a_cancellation_without_a_higher_sequence_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"CalendarEntry\.sequence"):
        build_calendar(entry(sequence=0), CalendarMethod.CANCEL, ORGANIZER, [GUEST])


@pytest.mark.parametrize("method", [CalendarMethod.REQUEST, CalendarMethod.CANCEL])
def test_a_request_or_cancellation_without_attendees_is_rejected(method: CalendarMethod) -> None:
    template = CalendarTemplate([entry(sequence=1)], method, ORGANIZER)

    with pytest.raises(ValueError, match="attendees"):
        template.for_attendees([])


def test_a_publication_carries_no_attendee() -> None:
    template = CalendarTemplate([entry()], CalendarMethod.PUBLISH, ORGANIZER)

    ics = template.for_attendee(GUEST)

    assert b"ATTENDEE" not in ics
    assert ics == template.for_attendee(PROFESSOR)
    cal, _, ical_cal = parse_all(ics)
    assert str(cal["METHOD"]) == ical_cal.method == "PUBLISH"


def test_a_request_has_a_display_alarm_before_the_start() -> None:
    ics = build_calendar(
        entry(alarms_minutes=(60, 1440)), CalendarMethod.REQUEST, ORGANIZER, [GUEST]
    )

    cal, vcal, ical_cal = parse_all(ics)
    alarms = cal.events[0].subcomponents
    assert [str(a["ACTION"]) for a in alarms] == ["DISPLAY", "DISPLAY"]
    assert [a["TRIGGER"].dt for a in alarms] == [-timedelta(days=1), -timedelta(hours=1)]
    assert all(str(a["DESCRIPTION"]) for a in alarms)
    assert [a.trigger.value for a in vcal.vevent.valarm_list] == [
        -timedelta(days=1),
        -timedelta(hours=1),
    ]
    assert [a.trigger for a in ical_cal.events[0].alarm] == [
        -timedelta(days=1),
        -timedelta(hours=1),
    ]
    assert "TRIGGER:-PT1H" in unfolded_lines(ics)


def test_a_negative_alarm_offset_is_rejected_naming_the_field() -> None:
    with pytest.raises(ValueError, match=r"CalendarEntry\.alarms_minutes"):
        entry(alarms_minutes=(-5,))


# --- several VEVENTs -------------------------------------------------------------------


def test_several_sessions_make_one_calendar_with_the_attendee_on_each() -> None:
    zone = ZoneInfo(WIB)
    sessions = [
        entry(
            uid=f"acara-session-{n}@acara.local",
            summary=f"Sesi {n}",
            start=datetime(2024, 11, 14, 8 + 2 * n, tzinfo=zone),
            end=datetime(2024, 11, 14, 9 + 2 * n, tzinfo=zone),
        )
        for n in (1, 2, 3)
    ]

    ics = build_calendar_many(sessions, CalendarMethod.REQUEST, ORGANIZER, [PROFESSOR])

    cal, vcal, ical_cal = parse_all(ics)
    assert [str(e["UID"]) for e in cal.events] == [s.uid for s in sessions]
    assert [e.summary.value for e in vcal.vevent_list] == ["Sesi 1", "Sesi 2", "Sesi 3"]
    assert [e.dtstart for e in ical_cal.events] == [s.start for s in sessions]
    assert [str(e["ATTENDEE"]) for e in cal.events] == ["mailto:nono@uni.example"] * 3
    assert ics.count(b"BEGIN:VTIMEZONE") == 1


def test_two_entries_with_the_same_uid_are_rejected() -> None:
    with pytest.raises(ValueError, match=r"CalendarEntry\.uid"):
        build_calendar_many([entry(), entry()], CalendarMethod.REQUEST, ORGANIZER, [GUEST])


def test_an_empty_list_of_entries_is_rejected() -> None:
    with pytest.raises(ValueError, match="entries"):
        build_calendar_many([], CalendarMethod.REQUEST, ORGANIZER, [GUEST])


# --- template --------------------------------------------------------------------------


@pytest.mark.parametrize("method", list(CalendarMethod))
@pytest.mark.parametrize("attendee", [GUEST, PROFESSOR])
def test_the_template_output_equals_build_calendar_output_for_the_same_attendee(
    method: CalendarMethod, attendee: CalendarAttendee
) -> None:
    cancelled = entry(sequence=1)
    template = CalendarTemplate([cancelled], method, ORGANIZER)

    assert template.for_attendee(attendee) == build_calendar(
        cancelled, method, ORGANIZER, [attendee]
    )


@pytest.mark.parametrize(
    "attendees",
    [
        [GUEST],
        [PROFESSOR, GUEST],
        [
            CalendarAttendee(
                "a@x.example", "Prof. Dr. Ir. Ñoño Gültekin-Şahinoğlu, M.Sc., " * 3 + "Ph.D."
            )
        ],
        [
            CalendarAttendee(
                "b@x.example", "Panjang " * 12 + "Sekali", role="OPT-PARTICIPANT", rsvp=False
            )
        ],
    ],
)
def test_the_spliced_output_is_byte_identical_to_icalendar_serialising_the_whole_calendar(
    attendees: list[CalendarAttendee],
) -> None:
    sessions = [entry(WIB), entry(WIT, uid="acara-session-2@acara.local")]
    addresses = [
        vCalAddress.new(a.email, cn=a.name, role=a.role, partstat=a.partstat, rsvp=a.rsvp)
        for a in attendees
    ]
    reference = _vcalendar(
        sessions, CalendarMethod.REQUEST, _organizer(ORGANIZER), addresses
    ).to_ical()

    spliced = CalendarTemplate(sessions, CalendarMethod.REQUEST, ORGANIZER).for_attendees(attendees)

    assert spliced == reference


def test_each_recipient_gets_only_their_own_attendee_line() -> None:
    template = CalendarTemplate([entry()], CalendarMethod.REQUEST, ORGANIZER)

    for_guest, for_professor = template.for_attendee(GUEST), template.for_attendee(PROFESSOR)

    assert [str(e["ATTENDEE"]) for e in Calendar.from_ical(for_guest).events] == [
        "mailto:muhamad@kemendagri.go.id"
    ]
    assert [str(e["ATTENDEE"]) for e in Calendar.from_ical(for_professor).events] == [
        "mailto:nono@uni.example"
    ]
    assert b"acara-attendee-slot" not in for_guest + for_professor


@given(st.text(st.sampled_from("ab\\^;:,\"'= "), max_size=400))
@settings(max_examples=300, deadline=None)
def test_fast_folding_cuts_ascii_lines_exactly_where_icalendar_does(value: str) -> None:
    line = Contentline("ATTENDEE;CN=" + value)

    assert _fold(line) == line.to_ical()
