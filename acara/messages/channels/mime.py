"""E-mail MIME assembly: one OutgoingMessage in, one RFC 5322 message out; no I/O.

to_email gives the OutgoingMessage for a composer's channel-neutral ComposedMessage.

Layout (CalConnect iMIP best practice)::

    multipart/mixed
      multipart/alternative
        text/plain; charset="utf-8"                      quoted-printable
        text/html; charset="utf-8"                       quoted-printable
        text/calendar; method=REQUEST; charset="UTF-8"   base64
      application/ics; name="invite.ics"                 base64, attachment
      further attachments (e.g. the PDF minutes)         base64, attachment

Without an ics the message is the multipart/alternative (wrapped in multipart/mixed
only when there are attachments).

Speed: a fan-out builds thousands of these. Built the usual way (EmailMessage.set_content,
add_alternative, BytesGenerator) an invitation took about 4.5 ms here, nearly all of it
header parsing and refolding, the pure-Python quoted-printable encoder and line-by-line
body writes; built as below it takes about 0.1 ms. Each header value is encoded and
folded once, cached when it repeats (From, Subject, the part headers), and stored as a
pre-folded ``_Folded`` string that ``_FastPolicy`` and ``to_bytes`` write out verbatim;
bodies are encoded with binascii. Readers still get real header objects
(``msg["To"].addresses`` works).

Correctness: display names and subjects are encoded here (RFC 2047, "B" words split at
character boundaries) rather than by the stdlib folder, which drops the quotes around a
long display name containing a comma (one recipient becomes two) and loses or adds the
spaces between encoded words. Attachment file names (RFC 2231) do use the stdlib.
Tests read every header back with the stdlib parsers, against hypothesis-made input.
"""

from __future__ import annotations

import base64
import binascii
import email.policy
import hashlib
import io
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.generator import BytesGenerator
from email.headerregistry import Address
from email.message import EmailMessage, Message, MIMEPart
from email.policy import EmailPolicy
from email.utils import format_datetime
from functools import lru_cache
from typing import Any

from acara.messages.message import (
    UNSAFE_CATEGORIES,
    Attachment,
    ComposedMessage,
    Contact,
    sanitize_display,
)

__all__ = [
    "ITIP_METHODS",
    "OutgoingMessage",
    "build_message",
    "ics_method",
    "mailbox",
    "message_id",
    "render",
    "to_bytes",
    "to_email",
]

# iTIP (RFC 5546) methods; anything else in METHOD is a bug upstream.
ITIP_METHODS = frozenset(
    {"PUBLISH", "REQUEST", "REPLY", "ADD", "CANCEL", "REFRESH", "COUNTER", "DECLINECOUNTER"}
)


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """One e-mail to one recipient, as the outbox owes it: the input of build_message."""

    key: str  # idempotency key of the outbox row; the Message-ID derives from it
    sender: Address  # the ORGANIZER mailbox; also the SMTP envelope sender
    recipient: Address
    subject: str
    text: str
    html: str  # "" leaves the HTML alternative out
    ics: bytes | None = None  # full VCALENDAR, already built
    ics_method: str | None = None  # must equal METHOD inside ics; read from ics when None
    attachments: tuple[Attachment, ...] = ()
    reply_to: Address | None = None
    headers: Mapping[str, str] = field(default_factory=dict, hash=False)  # e.g. X-Acara-Key


# ---------------------------------------------------------------------------------------
# Public functions


def to_email(msg: ComposedMessage) -> OutgoingMessage:
    """The e-mail a composed message stands for; ValueError for an address it cannot carry."""
    calendar = msg.calendar
    return OutgoingMessage(
        key=msg.key,
        sender=mailbox(msg.sender),
        recipient=mailbox(msg.recipient),
        subject=msg.subject,
        text=msg.text,
        html=msg.html,
        ics=calendar.ics if calendar is not None else None,
        ics_method=calendar.method if calendar is not None else None,
        attachments=msg.attachments,
        headers={f"X-Acara-{name}": value for name, value in msg.labels.items()},
    )


@lru_cache(maxsize=4096)
def mailbox(contact: Contact) -> Address:
    """An Address built from parts (the stdlib quotes and encodes the name when it writes it)."""
    username, _, domain = contact.email.strip().rpartition("@")
    # A line break in a name would be a header injection: Address refuses it, we flatten it.
    return Address(display_name=sanitize_display(contact.name), username=username, domain=domain)


def build_message(
    msg: OutgoingMessage, *, domain: str, now: datetime | None = None
) -> EmailMessage:
    """Build the MIME message for one recipient; ValueError on inconsistent input."""
    method = _resolve_method(msg)
    if now is None:
        now = datetime.now(UTC)
    elif now.tzinfo is None:
        raise ValueError("now must be timezone-aware")

    root = EmailMessage(policy=_POLICY)
    root["From"] = _address_header("From", msg.sender)
    root["To"] = _address_header("To", msg.recipient)
    if msg.reply_to is not None:
        root["Reply-To"] = _address_header("Reply-To", msg.reply_to)
    root["Subject"] = _unstructured("Subject", sanitize_display(msg.subject))
    root["Date"] = _Folded(format_datetime(now))
    root["Message-ID"] = _Folded(message_id(msg.key, domain))
    root["MIME-Version"] = _MIME_VERSION
    for name, value in _extra_headers(msg.headers):
        root[name] = value

    alternatives = [_text_part(_TEXT_PLAIN, msg.text)]
    if msg.html:
        alternatives.append(_text_part(_TEXT_HTML, msg.html))
    tail: list[MIMEPart] = []
    if method is not None and msg.ics is not None:
        inline, attached = _calendar_parts(msg.ics, method)
        alternatives.append(inline)
        tail.append(attached)
    tail.extend(_attachment_part(a) for a in msg.attachments)

    if len(alternatives) == 1:
        body = alternatives[0]
    else:
        body = MIMEPart(policy=_POLICY)
        body["Content-Type"] = _ALT_TYPE
        for part in alternatives:
            body.attach(part)
    if tail:
        root["Content-Type"] = _MIXED_TYPE
        root.attach(body)
        for part in tail:
            root.attach(part)
    else:
        # No wrapper: the body part's headers and payload become the message's own.
        for name, value in body.raw_items():
            root[name] = value
        root.set_payload(body.get_payload())
    return root


def to_bytes(msg: Message) -> bytes:
    """Serialise a message with CRLF line ends, ready for SMTP DATA."""
    chunks: list[str] = []
    try:
        _flatten(msg, chunks)
        return "".join(chunks).encode("ascii")
    except (_NotOurs, UnicodeEncodeError):
        pass
    buffer = io.BytesIO()
    _Generator(buffer, mangle_from_=False, policy=_POLICY).flatten(msg)
    return buffer.getvalue()


def render(msg: OutgoingMessage, *, domain: str, now: datetime | None = None) -> bytes:
    """Build and serialise in one step: what the transports send."""
    return to_bytes(build_message(msg, domain=domain, now=now))


def message_id(key: str, domain: str) -> str:
    """Return the Message-ID for an outbox key: the same key always gives the same id."""
    _check_domain(domain)
    digest = hashlib.blake2b(key.encode(), digest_size=6).hexdigest()
    # Readable part first so an officer can match a bounce to its row; the digest keeps
    # apart keys that sanitise alike. Kept short enough that the header never folds.
    room = max(0, _MAX_LINE - len("Message-ID: <acara..@>") - len(digest) - len(domain))
    readable = _ID_UNSAFE.sub(".", key).strip(".")[:room].strip(".")
    left = f"acara.{readable}.{digest}" if readable else f"acara.{digest}"
    return f"<{left}@{domain}>"


def ics_method(ics: bytes) -> str:
    """Return the METHOD of a VCALENDAR; ValueError when missing, repeated or unknown."""
    unfolded = ics.replace(b"\r\n", b"\n").replace(b"\n ", b"").replace(b"\n\t", b"")
    lines = [line for line in unfolded.split(b"\n") if line]
    if not lines or lines[0].strip().upper() != b"BEGIN:VCALENDAR":
        raise ValueError("ics does not start with BEGIN:VCALENDAR")
    depth = 0
    methods: list[bytes] = []
    for line in lines:
        head, _, value = line.partition(b":")
        prop = head.split(b";", 1)[0].strip().upper()
        if prop == b"BEGIN":
            depth += 1
        elif prop == b"END":
            depth -= 1
        elif prop == b"METHOD" and depth == 1:
            methods.append(value.strip())
    if len(methods) != 1:
        raise ValueError(f"ics must have exactly one METHOD, found {len(methods)}")
    method = methods[0].decode("ascii", "replace")
    if method not in ITIP_METHODS:
        raise ValueError(f"ics METHOD must be an uppercase iTIP method, got {method!r}")
    return method


# ---------------------------------------------------------------------------------------
# Headers

_MAX_LINE = 78  # RFC 5322's recommended line length, as email.policy.SMTP folds to
_HARD_LINE = 998  # RFC 5322's limit
_WORD_BYTES = 39  # 52 base64 characters: "Reply-To: " plus one encoded word fits in a line
_CRLF = "\r\n"
_RESERVED_HEADERS = frozenset(
    {
        "from",
        "to",
        "cc",
        "bcc",
        "reply-to",
        "sender",
        "subject",
        "date",
        "message-id",
        "mime-version",
        "return-path",
        "received",
        "in-reply-to",
        "references",
    }
)
_HEADER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,75}\Z")
_MIMETYPE = re.compile(r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*\Z")
_DOMAIN = re.compile(
    r"(?=.{1,253}\Z)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\Z"
)
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_+-]+")
_ANY_NEWLINE = re.compile(r"\r\n|\r")
_SMTP = email.policy.SMTP


class _Folded(str):
    """A header value already folded to RFC 5322: ASCII, continuation lines after "\\n"."""

    __slots__ = ()


class _FastPolicy(EmailPolicy):
    """email.policy.SMTP that stores and writes ``_Folded`` values without reparsing."""

    def header_store_parse(self, name: str, value: Any) -> tuple[str, Any]:
        """Keep pre-folded values as they are; anything else goes the stdlib way."""
        if type(value) is _Folded:
            return (name, value)
        return super().header_store_parse(name, value)

    def header_fetch_parse(self, name: str, value: Any) -> Any:
        """Give readers a real header object, parsing each distinct folded value once."""
        if type(value) is _Folded:
            return _parse_folded(name.lower(), value)
        return super().header_fetch_parse(name, value)

    def header_max_count(self, name: str) -> int | None:
        """Answer as the stdlib does, without building a header class on every call."""
        return _max_count(name.lower())

    def fold(self, name: str, value: Any) -> str:
        """Write a pre-folded value verbatim."""
        if type(value) is _Folded:
            return f"{name}: {value.replace(chr(10), self.linesep)}{self.linesep}"
        return super().fold(name, value)

    def fold_binary(self, name: str, value: Any) -> bytes:
        """Write a pre-folded value verbatim."""
        if type(value) is _Folded:
            return self.fold(name, value).encode("ascii")
        return super().fold_binary(name, value)


_POLICY = _FastPolicy(linesep=_CRLF)  # otherwise the settings of email.policy.SMTP


@lru_cache(maxsize=64)
def _max_count(name: str) -> int | None:
    return _SMTP.header_max_count(name)


@lru_cache(maxsize=4096)
def _parse_folded(name: str, value: str) -> Any:
    # Sharing header objects between messages is safe: they are immutable str subclasses.
    return _SMTP.header_factory(name, "".join(value.splitlines()))


def _stdlib_fold(name: str, value: Any) -> _Folded:
    folded = _SMTP.header_factory(name, value).fold(policy=_SMTP)
    body = folded[len(name) + 1 :].removesuffix(_CRLF).replace(_CRLF, "\n")
    return _Folded(body.removeprefix(" "))


def _is_plain_ascii(value: str) -> bool:
    # "=?" would be read back as the start of an RFC 2047 encoded word.
    return value.isascii() and value.isprintable() and "=?" not in value


def _encoded_words(text: str) -> str:
    """RFC 2047 "B" encoded words for text, each short enough to start a folded line."""
    # Readers drop the whitespace between two encoded words (RFC 2047 6.2), so the
    # text's own spaces travel inside the words; a word ends after a space when it can.
    # The stdlib folder gets this wrong for long values (it loses or adds spaces).
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for char in text:
        width = len(char.encode())
        if size + width > _WORD_BYTES and current:
            cut = len(current)
            if " " in current[1:]:
                cut = len(current) - current[::-1].index(" ")
            chunks.append("".join(current[:cut]))
            current = current[cut:]
            size = len("".join(current).encode())
        current.append(char)
        size += width
    chunks.append("".join(current))
    return " ".join(
        f"=?utf-8?b?{base64.b64encode(chunk.encode()).decode('ascii')}?=" for chunk in chunks
    )


def _fold(name: str, value: str) -> _Folded:
    """Fold an ASCII header value at its spaces so lines stay within 78 characters."""
    if len(name) + 2 + len(value) <= _MAX_LINE:
        return _Folded(value)
    # Breaking before a space is always safe here: values are atoms, quoted strings
    # (whose spaces are never part of a quoted-pair) and encoded words, and unfolding
    # (deleting the line break) restores the value exactly.
    lines: list[str] = []
    line = ""
    used = len(name) + 2
    for index, piece in enumerate(value.split(" ")):
        token = piece if index == 0 else " " + piece
        if line.strip() and used + len(token) > _MAX_LINE:
            lines.append(line)
            line, used = "", 0
        line += token
        used += len(token)
    lines.append(line)
    if any(len(line) > _HARD_LINE for line in lines):
        raise ValueError(f"{name} header has an unbreakable part longer than {_HARD_LINE}")
    return _Folded("\n".join(lines))


@lru_cache(maxsize=2048)
def _unstructured(name: str, value: str) -> _Folded:
    return _fold(name, value if _is_plain_ascii(value) else _encoded_words(value))


def _address_header(name: str, address: Address) -> _Folded:
    return _mailbox(name, address.display_name, address.username, address.domain)


@lru_cache(maxsize=4096)
def _mailbox(name: str, display_name: str, username: str, domain: str) -> _Folded:
    address = Address(sanitize_display(display_name), username, domain)
    spec = address.addr_spec
    if not (spec.isascii() and spec.isprintable()) or "@" not in spec:
        raise ValueError(f"unsupported {name} address {spec!r}: ASCII only (no SMTPUTF8)")
    display = address.display_name
    if not display:
        return _fold(name, spec)
    if _is_plain_ascii(display):
        return _fold(name, str(address))  # the stdlib quotes specials
    return _fold(name, f"{_encoded_words(display)} <{spec}>")


@lru_cache(maxsize=64)
def _check_domain(domain: str) -> str:
    if not _DOMAIN.match(domain):
        raise ValueError(f"not a host name for Message-ID: {domain!r}")
    return domain


def _extra_headers(headers: Mapping[str, str]) -> list[tuple[str, _Folded]]:
    out = []
    for name, value in headers.items():
        lname = name.lower()
        if not _HEADER_NAME.match(name) or lname in _RESERVED_HEADERS:
            raise ValueError(f"header name not allowed: {name!r}")
        if lname.startswith("content-"):
            raise ValueError(f"header name not allowed: {name!r}")
        if any(unicodedata.category(ch) in UNSAFE_CATEGORIES for ch in value):
            raise ValueError(f"header {name} contains control characters or line breaks")
        # Trailing blanks could leave a blank continuation line, which RFC 5322 forbids.
        out.append((name, _unstructured(name, value.strip())))
    return out


# ---------------------------------------------------------------------------------------
# Body parts

# Fixed boundaries are safe because every leaf body is quoted-printable or base64, and
# neither can contain "=_" (QP writes "=" as "=3D"; base64 has no "_"). Being fixed,
# the multipart headers are folded and parsed once per process.
_MIXED_BOUNDARY = "=_acara-mixed"
_ALT_BOUNDARY = "=_acara-alt"
_MIXED_TYPE = _Folded(f'multipart/mixed; boundary="{_MIXED_BOUNDARY}"')
_ALT_TYPE = _Folded(f'multipart/alternative; boundary="{_ALT_BOUNDARY}"')
_BOUNDARIES = {_MIXED_TYPE: _MIXED_BOUNDARY, _ALT_TYPE: _ALT_BOUNDARY}
_MIME_VERSION = _Folded("1.0")
_QP = _Folded("quoted-printable")
_B64 = _Folded("base64")
_TEXT_PLAIN = _Folded('text/plain; charset="utf-8"')
_TEXT_HTML = _Folded('text/html; charset="utf-8"')
_ICS_TYPE = _Folded('application/ics; name="invite.ics"')
_ICS_DISPOSITION = _Folded('attachment; filename="invite.ics"')


def _resolve_method(msg: OutgoingMessage) -> str | None:
    if msg.ics is None:
        if msg.ics_method is not None:
            raise ValueError("ics_method given without ics")
        return None
    inside = ics_method(msg.ics)
    if msg.ics_method is not None and msg.ics_method != inside:
        raise ValueError(f"ics_method {msg.ics_method!r} differs from METHOD:{inside} in ics")
    return inside


def _text_part(content_type: _Folded, text: str) -> MIMEPart:
    part = MIMEPart(policy=_POLICY)
    part["Content-Type"] = content_type
    part["Content-Transfer-Encoding"] = _QP
    # Every CRLF, CR or LF is a line end; binascii's C encoder, because the content
    # manager's pure-Python one is about twenty times slower.
    body = binascii.b2a_qp(_ANY_NEWLINE.sub("\n", text).encode(), istext=True)
    part.set_payload(body.decode("ascii"))
    return part


def _calendar_parts(ics: bytes, method: str) -> tuple[MIMEPart, MIMEPart]:
    # base64 keeps the ICS bytes exact, CRLF line folding included; Exchange does the same.
    body = _b64(ics)
    inline = MIMEPart(policy=_POLICY)
    inline["Content-Type"] = _Folded(f'text/calendar; method={method}; charset="UTF-8"')
    inline["Content-Transfer-Encoding"] = _B64
    inline.set_payload(body)
    attached = MIMEPart(policy=_POLICY)
    attached["Content-Type"] = _ICS_TYPE
    attached["Content-Transfer-Encoding"] = _B64
    attached["Content-Disposition"] = _ICS_DISPOSITION
    attached.set_payload(body)
    return inline, attached


def _attachment_part(attachment: Attachment) -> MIMEPart:
    content_type, disposition = _attachment_headers(attachment.filename, attachment.mimetype)
    part = MIMEPart(policy=_POLICY)
    part["Content-Type"] = content_type
    part["Content-Transfer-Encoding"] = _B64
    part["Content-Disposition"] = disposition
    part.set_payload(_b64_cached(attachment.content))
    return part


@lru_cache(maxsize=256)
def _attachment_headers(filename: str, mimetype: str) -> tuple[_Folded, _Folded]:
    if not _MIMETYPE.match(mimetype):
        raise ValueError(f"not a MIME type: {mimetype!r}")
    name = sanitize_display(filename) or "attachment"
    # The stdlib quotes the file name and RFC 2231-encodes it when it is not ASCII.
    scratch = MIMEPart(policy=_SMTP)
    scratch["Content-Type"] = mimetype.lower()
    scratch.set_param("name", name)
    scratch["Content-Disposition"] = "attachment"
    scratch.set_param("filename", name, header="Content-Disposition")
    return (
        _stdlib_fold("Content-Type", str(scratch["Content-Type"])),
        _stdlib_fold("Content-Disposition", str(scratch["Content-Disposition"])),
    )


def _b64(data: bytes) -> str:
    return base64.encodebytes(data).decode("ascii")


@lru_cache(maxsize=8)
def _b64_cached(data: bytes) -> str:
    # The same PDF goes to every participant: encode it once per fan-out.
    return _b64(data)


# ---------------------------------------------------------------------------------------
# Serialisation


class _NotOurs(Exception):
    """A part this module did not build: serialise it with the stdlib generator."""


def _flatten(part: Message, out: list[str]) -> None:
    # Writes exactly what _Generator writes (a test compares them), for trees of
    # pre-folded headers and text bodies, without the generator's per-part policy clones
    # and header lookups. Anything else raises _NotOurs.
    content_type = ""
    for name, value in part.raw_items():
        if type(value) is not _Folded:
            raise _NotOurs
        if name.lower() == "content-type":
            content_type = value
        out.append(f"{name}: {value.replace(chr(10), _CRLF)}{_CRLF}")
    out.append(_CRLF)
    payload = part.get_payload()
    if isinstance(payload, list):
        boundary = _BOUNDARIES.get(content_type)
        if boundary is None or part.preamble is not None or part.epilogue is not None:
            raise _NotOurs
        for index, sub in enumerate(payload):
            out.append(f"--{boundary}{_CRLF}" if index == 0 else f"{_CRLF}--{boundary}{_CRLF}")
            _flatten(sub, out)
        out.append(f"{_CRLF}--{boundary}--{_CRLF}")
    elif isinstance(payload, str):
        if "\r" in payload:
            payload = _ANY_NEWLINE.sub("\n", payload)
        out.append(payload.replace("\n", _CRLF))
    elif payload is not None:
        raise _NotOurs


class _Generator(BytesGenerator):
    """BytesGenerator that writes a body in one piece instead of line by line."""

    def _write_lines(self, lines: str) -> None:
        # Same output as the stdlib (every line end becomes self._NL); its per-line
        # writes cost most of the time of serialising an invitation.
        if not lines:
            return
        if "\r" in lines:
            lines = _ANY_NEWLINE.sub("\n", lines)
        self.write(lines.replace("\n", self._NL))
