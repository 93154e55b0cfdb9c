"""MIME assembly: layout, header safety, encodings and determinism, read back by the stdlib."""

from __future__ import annotations

import email.header
import email.policy
import email.utils
import io
from datetime import UTC, datetime, timedelta, timezone
from email.generator import BytesGenerator
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from acara.messages.channels.mime import (
    OutgoingMessage,
    build_message,
    ics_method,
    message_id,
    render,
    to_bytes,
)
from acara.messages.message import Attachment, sanitize_display

DOMAIN = "acara.tangerangkota.go.id"
ORGANIZER = Address("Bagian Protokol Kota Tangerang", "protokol", "tangerangkota.go.id")
GUEST = Address("Prof. Dr. Ñoño Gültekin", "nono", "example.org")
HEADERS = ["From", "To", "Subject", "Date", "Message-ID", "MIME-Version"]
NOW = datetime(2024, 11, 1, 9, 0, tzinfo=timezone(timedelta(hours=7)))


def vcalendar(method: str = "REQUEST") -> bytes:
    """A tiny literal VCALENDAR; the real ones come from acara.calendar."""
    return (
        "BEGIN:VCALENDAR\r\n"
        "VERSION:2.0\r\n"
        "PRODID:-//acara//test//ID\r\n"
        f"METHOD:{method}\r\n"
        "BEGIN:VEVENT\r\n"
        "UID:evt-3@acara.test\r\n"
        "SEQUENCE:0\r\n"
        "DTSTAMP:20241101T020000Z\r\n"
        "DTSTART:20241114T020000Z\r\n"
        "DTEND:20241114T050000Z\r\n"
        "SUMMARY:FGD Tangerang Live Room\r\n"
        "ORGANIZER;CN=Bagian Protokol:mailto:protokol@tangerangkota.go.id\r\n"
        "ATTENDEE;CN=Prof. Dr. Ñoño Gültekin;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;\r\n"
        " RSVP=TRUE:mailto:nono@example.org\r\n"
        "END:VEVENT\r\n"
        "END:VCALENDAR\r\n"
    ).encode()


def outgoing(**changes: object) -> OutgoingMessage:
    fields: dict[str, object] = {
        "key": "evt-3/p-17/invitation/0",
        "sender": ORGANIZER,
        "recipient": GUEST,
        "subject": "Undangan: FGD Tangerang Live Room — Kamis, 14 November 2024",
        "text": "Yth. Prof. Dr. Ñoño Gültekin,\n\nDengan hormat, kami mengundang Bapak.\n",
        "html": "<p>Yth. Prof. Dr. Ñoño Gültekin,</p><p>Dengan hormat, kami mengundang.</p>",
        "ics": vcalendar(),
        "ics_method": "REQUEST",
    }
    if changes.get("ics", b"") is None:
        fields["ics_method"] = None
    fields.update(changes)
    return OutgoingMessage(**fields)  # type: ignore[arg-type]


def guest_named(name: str) -> Address:
    """An Address with any display name, CR and LF included."""
    guest = Address("placeholder", "guest", "example.org")
    # Address refuses CR/LF on newer Pythons; older ones let it through, so force it in.
    guest._display_name = name  # type: ignore[attr-defined]
    return guest


def parse(raw: bytes) -> EmailMessage:
    return BytesParser(policy=email.policy.default).parsebytes(raw)  # type: ignore[return-value]


def header_block(raw: bytes) -> list[str]:
    return raw.split(b"\r\n\r\n", 1)[0].decode("ascii").split("\r\n")


def normalise(text: str) -> str:
    return text.replace("\r\n", "\n")


def raw_header(raw: bytes, name: str) -> str:
    """The unfolded value of a header, straight from the bytes."""
    lines = header_block(raw)
    for index, line in enumerate(lines):
        if line.lower().startswith(name.lower() + ":"):
            value = line[len(name) + 1 :]
            for more in lines[index + 1 :]:
                if not more[:1].isspace():
                    break
                value += more
            return value.strip()
    raise KeyError(name)


def display_name_as_mail_clients_read_it(raw: bytes, name: str = "To") -> str:
    """Decode the phrase the way RFC 2047 readers do (whitespace between words dropped)."""
    # The modern stdlib parser keeps that whitespace in a phrase, unlike mail clients
    # and unlike the older email.header decoder used here.
    phrase, _, _ = raw_header(raw, name).rpartition(" <")
    if phrase.startswith('"'):
        return email.utils.unquote(phrase)
    return str(email.header.make_header(email.header.decode_header(phrase)))


def squeeze(text: str) -> str:
    return "".join(text.split())


def test_an_invitation_has_the_imip_layout() -> None:
    parsed = parse(render(outgoing(), domain=DOMAIN, now=NOW))

    assert parsed.get_content_type() == "multipart/mixed"
    alternative, attached = parsed.get_payload()
    assert alternative.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in alternative.get_payload()] == [
        "text/plain",
        "text/html",
        "text/calendar",
    ]
    assert attached.get_content_type() == "application/ics"
    assert attached.get_content_disposition() == "attachment"
    assert attached.get_filename() == "invite.ics"


def test_the_calendar_method_parameter_equals_the_method_inside_the_ics() -> None:
    parsed = parse(render(outgoing(), domain=DOMAIN, now=NOW))

    inline = parsed.get_payload()[0].get_payload()[2]
    assert inline.get_param("method") == "REQUEST"
    assert inline.get_content_charset() == "utf-8"
    assert ics_method(inline.get_payload(decode=True)) == inline.get_param("method")


def test_both_calendar_parts_carry_the_ics_byte_for_byte() -> None:
    ics = vcalendar()
    parsed = parse(render(outgoing(ics=ics), domain=DOMAIN, now=NOW))

    inline = parsed.get_payload()[0].get_payload()[2]
    attached = parsed.get_payload()[1]
    assert inline.get_payload(decode=True) == ics
    assert attached.get_payload(decode=True) == ics


def test_a_cancellation_takes_its_method_from_the_ics_when_none_is_given() -> None:
    parsed = parse(
        render(outgoing(ics=vcalendar("CANCEL"), ics_method=None), domain=DOMAIN, now=NOW)
    )

    assert parsed.get_payload()[0].get_payload()[2].get_param("method") == "CANCEL"


@pytest.mark.parametrize(
    ("ics", "method", "problem"),
    [
        (vcalendar("REQUEST"), "CANCEL", "differs"),
        (vcalendar("REQUEST"), "request", "differs"),
        (vcalendar("request"), None, "uppercase"),
        (vcalendar("REQUEST").replace(b"METHOD:REQUEST\r\n", b""), "REQUEST", "exactly one"),
        (vcalendar().replace(b"VERSION", b"METHOD:PUBLISH\r\nVERSION"), None, "exactly one"),
        (b"BEGIN:VEVENT\r\nEND:VEVENT\r\n", "REQUEST", "VCALENDAR"),
        (None, "REQUEST", "without ics"),
    ],
)
def test_an_inconsistent_calendar_method_is_refused(
    ics: bytes | None, method: str | None, problem: str
) -> None:
    with pytest.raises(ValueError, match=problem):
        build_message(outgoing(ics=ics, ics_method=method), domain=DOMAIN)


def test_a_method_inside_a_subcomponent_is_not_the_calendar_method() -> None:
    ics = vcalendar().replace(b"SEQUENCE:0", b"SEQUENCE:0\r\nMETHOD:CANCEL")

    assert ics_method(ics) == "REQUEST"


def test_a_folded_method_line_is_read_unfolded() -> None:
    assert ics_method(vcalendar().replace(b"METHOD:REQUEST", b"METHOD:REQ\r\n UEST")) == "REQUEST"


def test_a_message_without_ics_is_a_multipart_alternative() -> None:
    parsed = parse(render(outgoing(ics=None), domain=DOMAIN, now=NOW))

    assert parsed.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in parsed.get_payload()] == ["text/plain", "text/html"]


def test_a_text_only_message_is_a_single_part() -> None:
    parsed = parse(render(outgoing(ics=None, html=""), domain=DOMAIN, now=NOW))

    assert parsed.get_content_type() == "text/plain"
    assert normalise(parsed.get_content()) == outgoing().text


def test_attachments_wrap_the_alternative_in_a_mixed_message() -> None:
    pdf = b"%PDF-1.7\n" + bytes(range(256)) * 40
    minutes = Attachment("Notulen FGD — Tangerang Live Room.pdf", pdf, "application/pdf")
    parsed = parse(render(outgoing(ics=None, attachments=(minutes,)), domain=DOMAIN, now=NOW))

    assert parsed.get_content_type() == "multipart/mixed"
    alternative, attached = parsed.get_payload()
    assert alternative.get_content_type() == "multipart/alternative"
    assert attached.get_content_type() == "application/pdf"
    assert attached.get_filename() == "Notulen FGD — Tangerang Live Room.pdf"
    assert attached.get_payload(decode=True) == pdf


def test_a_long_non_ascii_file_name_survives() -> None:
    name = "Notulen Focus Group Discussion — Tangerang Live Room — Kamis, 14 November 2024.pdf"
    minutes = Attachment(name, b"%PDF-1.4", "application/pdf")
    raw = render(outgoing(attachments=(minutes,)), domain=DOMAIN)

    assert parse(raw).get_payload()[2].get_filename() == name
    assert raw.isascii()


def test_attachments_follow_the_invite_in_an_invitation() -> None:
    minutes = Attachment("agenda.pdf", b"%PDF-1.4 agenda", "application/pdf")
    parsed = parse(render(outgoing(attachments=(minutes,)), domain=DOMAIN, now=NOW))

    assert [p.get_content_type() for p in parsed.get_payload()] == [
        "multipart/alternative",
        "application/ics",
        "application/pdf",
    ]


def test_a_bogus_attachment_type_is_refused() -> None:
    bad = Attachment("x.pdf", b"x", "application/pdf\r\nBcc: victim@example.org")

    with pytest.raises(ValueError, match="MIME type"):
        build_message(outgoing(attachments=(bad,)), domain=DOMAIN)


def test_a_display_name_with_cr_lf_injects_no_header() -> None:
    recipient = guest_named("Evil\r\nBcc: victim@example.org\r\nX-Injected: yes")
    raw = render(outgoing(recipient=recipient), domain=DOMAIN, now=NOW)
    parsed = parse(raw)

    assert parsed.keys() == [*HEADERS, "Content-Type"]
    assert parsed["To"].addresses[0].display_name == "Evil Bcc: victim@example.org X-Injected: yes"
    assert parsed["To"].addresses[0].addr_spec == "guest@example.org"
    assert b"\r\nBcc:" not in raw and b"\r\nX-Injected:" not in raw


def test_a_subject_with_line_breaks_injects_no_header() -> None:
    raw = render(outgoing(subject="Undangan\r\nBcc: victim@example.org\u2028X: y"), domain=DOMAIN)
    parsed = parse(raw)

    assert "Bcc" not in parsed and "X" not in parsed
    assert parsed["Subject"] == "Undangan Bcc: victim@example.org X: y"


@pytest.mark.parametrize("char", ["\x00", "\x07", "\t", "\x1b", "\x7f", "\x85", "\u2028", "\u2029"])
def test_control_characters_in_a_name_become_spaces(char: str) -> None:
    recipient = Address(f"Bapak{char}Muhamad", "muhamad", "tangerangkota.go.id")
    raw = render(outgoing(recipient=recipient), domain=DOMAIN)

    assert parse(raw)["To"].addresses[0].display_name == "Bapak Muhamad"


@pytest.mark.parametrize(
    "name",
    [
        "Prof. Dr. Ñoño Gültekin",
        "Bapak Muhamad",
        "Dr. Ir. H. Sachrudin, M.M., S.T., M.Si.",
        'Kepala "Bagian" Protokol (Sekretariat Daerah)',
        "Ibu Siti Nurhaliza binti Abdul Rahman, Kepala Badan Pengembangan SDM Kota Jambi",
        "Gültekin Ñoño Müller-Lüdenscheidt Çağlayan Öztürk Şahin Ğökçe İlhan",
        "Śri Sultan Hamengkubuwono — 東京都",
        "=?utf-8?q?not_an_encoded_word?=",
    ],
)
def test_names_survive_rfc_2047_encoding(name: str) -> None:
    raw = render(outgoing(recipient=Address(name, "guest", "example.org")), domain=DOMAIN)
    to = parse(raw)["To"]

    assert raw.isascii()
    assert all(len(line) <= 78 for line in header_block(raw))
    assert display_name_as_mail_clients_read_it(raw) == name
    assert len(to.addresses) == 1
    assert squeeze(to.addresses[0].display_name) == squeeze(name)
    assert to.addresses[0].addr_spec == "guest@example.org"


@pytest.mark.parametrize("name", ["Prof. Dr. Ñoño Gültekin", "Bapak Muhamad", "Çağlayan, Öztürk"])
def test_short_names_read_back_exactly_through_the_stdlib_parser(name: str) -> None:
    raw = render(outgoing(recipient=Address(name, "guest", "example.org")), domain=DOMAIN)

    assert parse(raw)["To"].addresses == (Address(name, "guest", "example.org"),)


names = st.one_of(
    st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=120),
    st.text(st.characters(blacklist_categories=["Cs"]), max_size=80),
)


@settings(max_examples=300, deadline=None)
@given(name=names)
def test_any_display_name_reads_back_as_its_sanitised_self(name: str) -> None:
    raw = render(outgoing(recipient=guest_named(name)), domain=DOMAIN)
    to = parse(raw)["To"]

    assert raw.isascii()
    assert display_name_as_mail_clients_read_it(raw) == sanitize_display(name)
    assert len(to.addresses) == 1
    assert squeeze(to.addresses[0].display_name) == squeeze(sanitize_display(name))
    assert to.addresses[0].addr_spec == "guest@example.org"


@settings(max_examples=300, deadline=None)
@given(subject=names)
def test_any_subject_reads_back_as_its_sanitised_self(subject: str) -> None:
    parsed = parse(render(outgoing(subject=subject), domain=DOMAIN))

    assert parsed["Subject"] == sanitize_display(subject)
    assert parsed.keys()[:6] == HEADERS


@settings(max_examples=200, deadline=None)
@given(text=st.text(st.characters(blacklist_categories=["Cs"]), max_size=400))
def test_any_body_text_reads_back_unchanged(text: str) -> None:
    parsed = parse(render(outgoing(text=text, html=f"<p>{text}</p>"), domain=DOMAIN))
    plain = parsed.get_body(("plain",))
    html = parsed.get_body(("html",))

    assert plain is not None and html is not None
    # Any of CRLF, CR and LF is a line end; on the wire each is CRLF.
    expected = text.replace("\r\n", "\n").replace("\r", "\n")
    assert normalise(plain.get_content()) == expected
    assert normalise(html.get_content()) == f"<p>{expected}</p>"


def test_the_message_id_is_the_same_for_the_same_outbox_row() -> None:
    first = parse(render(outgoing(), domain=DOMAIN, now=NOW))
    resend = parse(render(outgoing(subject="Perubahan"), domain=DOMAIN, now=NOW + timedelta(1)))
    other = parse(render(outgoing(key="evt-3/p-18/invitation/0"), domain=DOMAIN, now=NOW))

    assert first["Message-ID"] == resend["Message-ID"] == message_id(outgoing().key, DOMAIN)
    assert first["Message-ID"] != other["Message-ID"]
    assert first["Message-ID"].startswith("<acara.evt-3.p-17.invit")
    assert first["Message-ID"].endswith(f"@{DOMAIN}>")
    assert all(len(line) <= 78 for line in header_block(render(outgoing(), domain=DOMAIN)))


def test_keys_that_sanitise_alike_get_different_message_ids() -> None:
    assert message_id("evt-3/p-17", DOMAIN) != message_id("evt-3.p-17", DOMAIN)


def test_a_long_key_still_gives_a_one_line_message_id() -> None:
    raw = render(outgoing(key="evt-3/" + "x" * 300), domain=DOMAIN)

    assert any(line.startswith("Message-ID: <acara.evt-3.xxx") for line in header_block(raw))
    assert all(len(line) <= 78 for line in header_block(raw))


def test_a_domain_that_is_not_a_host_name_is_refused() -> None:
    with pytest.raises(ValueError, match="host name"):
        build_message(outgoing(), domain="acara.local>\r\nBcc: x@y.z")


def test_the_date_header_is_the_given_moment() -> None:
    parsed = parse(render(outgoing(), domain=DOMAIN, now=NOW))

    assert parsed["Date"].datetime == NOW


def test_the_date_defaults_to_now() -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    parsed = parse(render(outgoing(), domain=DOMAIN))

    assert before <= parsed["Date"].datetime <= datetime.now(UTC)


def test_a_naive_date_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone"):
        build_message(outgoing(), domain=DOMAIN, now=datetime(2024, 11, 1, 9))


def test_extra_headers_are_written() -> None:
    parsed = parse(
        render(
            outgoing(headers={"X-Acara-Key": "evt-3/p-17/invitation/0", "X-Acara-Event": "Ñ"}),
            domain=DOMAIN,
        )
    )

    assert parsed["X-Acara-Key"] == "evt-3/p-17/invitation/0"
    assert parsed["X-Acara-Event"] == "Ñ"


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Acara-Key": "a\r\nBcc: victim@example.org"},
        {"X-Acara-Key": "a\nb"},
        {"X-Acara-Key": "a\x00b"},
        {"Bcc": "victim@example.org"},
        {"Content-Type": "text/plain"},
        {"X-Bad: y": "z"},
    ],
)
def test_unsafe_extra_headers_are_refused(headers: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="header"):
        build_message(outgoing(headers=headers), domain=DOMAIN)


def test_a_reply_to_is_written_when_given() -> None:
    desk = Address("Meja Protokol", "meja", "tangerangkota.go.id")

    assert parse(render(outgoing(reply_to=desk), domain=DOMAIN))["Reply-To"].addresses == (desk,)


def test_a_non_ascii_address_is_refused_rather_than_mangled() -> None:
    with pytest.raises(ValueError, match="ASCII"):
        build_message(outgoing(recipient=Address("X", "pésérta", "example.org")), domain=DOMAIN)


def test_the_built_message_reads_like_any_email_message() -> None:
    built = build_message(outgoing(), domain=DOMAIN, now=NOW)

    assert built["To"].addresses[0] == GUEST
    assert built["Subject"] == outgoing().subject
    assert built.get_content_type() == "multipart/mixed"
    assert built.get_body(("plain",)) is not None


def test_fast_serialisation_writes_what_the_stdlib_generator_writes() -> None:
    minutes = Attachment("Notulen — Ñ.pdf", b"%PDF" * 500, "application/pdf")
    for msg in (
        outgoing(),
        outgoing(attachments=(minutes,), reply_to=ORGANIZER, headers={"X-Acara-Key": "k"}),
        outgoing(ics=None),
        outgoing(ics=None, html=""),
        outgoing(text="line\rwith\r\nmixed\nends", recipient=Address("A " * 60, "a", "b.c")),
    ):
        built = build_message(msg, domain=DOMAIN, now=NOW)
        buffer = io.BytesIO()
        BytesGenerator(buffer, mangle_from_=False, policy=built.policy).flatten(built)

        assert to_bytes(built) == buffer.getvalue()


def test_a_message_built_elsewhere_is_serialised_by_the_stdlib() -> None:
    foreign = EmailMessage()
    foreign["From"] = ORGANIZER
    foreign["To"] = GUEST
    foreign["Subject"] = "Hai — apa kabar"
    foreign.set_content("Isi pesan\n")
    buffer = io.BytesIO()
    BytesGenerator(buffer, policy=email.policy.SMTP).flatten(foreign)

    assert to_bytes(foreign) == buffer.getvalue()
    assert to_bytes(foreign).count(b"\r\n") == buffer.getvalue().count(b"\n")
