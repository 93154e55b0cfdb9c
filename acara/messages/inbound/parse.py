"""Read one e-mail from the organiser's mailbox: what it is and what it says. Bytes in, data out.

Calendar replies come in many shapes, and all of these are read alike:
- Outlook / Exchange: multipart/alternative with text/calendar; method=REPLY (base64), a
  VTIMEZONE with a Windows zone name, `MAILTO:` in capitals, and no ORGANIZER;
- Gmail: text/calendar; method=REPLY inline plus the same calendar as an invite.ics
  attachment (application/ics);
- Thunderbird: multipart/mixed[alternative[text/plain, text/calendar; method=REPLY],
  application/ics invite.ics], 8bit UTF-8;
- Apple Calendar: the calendar only as an attachment, METHOD only in its body, CN quoted;
- METHOD only in the MIME header (the VCALENDAR lacks it) is taken from there.

`read` never raises: a message it cannot make sense of comes back as `kind=MALFORMED` with
the reason in `problem`.
"""

from __future__ import annotations

import email
import email.policy
import logging
import re
from datetime import UTC, date, datetime
from email.message import EmailMessage, Message
from email.utils import parseaddr, parsedate_to_datetime
from typing import Any

from icalendar import Calendar

from models.errors import N_
from models.inbound import ReplyKind
from models.replies import CalendarReply, DeliveryFailure, MailRead, ReplyAttendee

log = logging.getLogger(__name__)

_CALENDAR_TYPES = ("text/calendar", "application/ics", "text/x-vcalendar")
_MESSAGE_ID = re.compile(r"<[^<>\s]{1,250}>")
_STATUS = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
# Subjects of automatic answers, in the languages the office's guests write in.
_AUTO_SUBJECT = re.compile(
    r"^\s*(auto(matic)?\s*(reply|response|antwort)|out of (the )?office|abwesend|"
    r"balasan otomatis|sedang cuti|di luar kantor|autoreply|auto:)",
    re.IGNORECASE,
)
_EXCERPT = 400


def read(raw: bytes, *, size: int | None = None, too_large: bool = False) -> MailRead:
    """What a message is; `too_large`: only its header was fetched (it is set aside)."""
    size = len(raw) if size is None else size
    try:
        message = email.message_from_bytes(raw, policy=email.policy.default)
    except Exception as exc:  # the stdlib parser is lenient; this is a last resort
        return MailRead(
            ReplyKind.MALFORMED,
            problem=N_("not an e-mail message: {error}"),
            problem_params={"error": str(exc)[:300]},
            size=size,
        )
    base = _envelope(message, size)
    if too_large:
        return _with(
            base,
            kind=ReplyKind.MALFORMED,
            problem=N_("too large ({size})"),
            problem_params={"size": _megabytes(size)},
        )
    try:
        return _classify(message, base)
    except Exception as exc:  # a hostile structure must never stop the reader
        log.warning("message %s cannot be read: %s", base.message_id or "?", exc)
        return _with(
            base,
            kind=ReplyKind.MALFORMED,
            problem=N_("cannot be read: {error}"),
            problem_params={"error": str(exc)[:300]},
        )


def _classify(message: EmailMessage, base: MailRead) -> MailRead:
    if _is_report(message):
        failures, original = _delivery_status(message)
        refs = base.references + ((original,) if original else ())
        return _with(base, kind=ReplyKind.BOUNCE, failures=tuple(failures), references=refs)
    parts = _calendar_parts(message)
    if parts:
        problems = []
        for part in parts:
            try:
                reply = _calendar(part)
            except ValueError as exc:
                problems.append(str(exc))
                continue
            kind = {"COUNTER": ReplyKind.COUNTER, "REFRESH": ReplyKind.REFRESH}.get(
                reply.method, ReplyKind.CALENDAR
            )
            return _with(base, kind=kind, calendar=reply)
        return _with(
            base,
            kind=ReplyKind.MALFORMED,
            problem=N_("broken calendar: {error}"),
            problem_params={"error": problems[0][:300]},
        )
    kind = ReplyKind.AUTOMATIC if _is_automatic(message, base.subject) else ReplyKind.TYPED
    return _with(base, kind=kind, excerpt=_excerpt(message))


# --- the envelope ----------------------------------------------------------------------------


def _envelope(message: EmailMessage, size: int) -> MailRead:
    name, address = parseaddr(_header(message, "From"))
    references = tuple(
        dict.fromkeys(
            _MESSAGE_ID.findall(
                " ".join((_header(message, "In-Reply-To"), _header(message, "References")))
            )
        )
    )
    return MailRead(
        ReplyKind.TYPED,
        message_id=_header(message, "Message-ID").strip()[:300],
        sender=address.strip().lower() if "@" in address else "",
        sender_name=" ".join(name.split())[:300],
        subject=" ".join(_header(message, "Subject").split())[:500],
        sent_at=_date(_header(message, "Date")),
        references=references,
        size=size,
    )


def _header(message: Message, name: str) -> str:
    try:
        value = message.get(name)
    except Exception:  # a header the policy cannot parse (bad encoded words, defects)
        value = message.get_all(name, [None])[0] if hasattr(message, "get_all") else None
    return str(value) if value is not None else ""


def _date(value: str) -> datetime | None:
    try:
        moment = parsedate_to_datetime(value) if value else None
    except (TypeError, ValueError, IndexError):
        return None
    if moment is None:
        return None
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _with(base: MailRead, **changes: Any) -> MailRead:
    values = {name: getattr(base, name) for name in MailRead.__dataclass_fields__}
    values.update(changes)
    return MailRead(**values)


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


# --- calendar parts ----------------------------------------------------------------------------


def _calendar_parts(message: EmailMessage) -> list[Message]:
    """Every part that holds a calendar: inline text/calendar first, then .ics attachments."""
    inline, attached = [], []
    for part in message.walk():
        if part.is_multipart():
            continue
        content_type = part.get_content_type()
        filename = (part.get_filename() or "").lower()
        if content_type in _CALENDAR_TYPES or filename.endswith((".ics", ".vcs")):
            (attached if part.get_content_disposition() == "attachment" else inline).append(part)
    return inline + attached


def _calendar(part: Message) -> CalendarReply:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes) or not payload.strip():
        raise ValueError("the calendar part is empty")
    charset = part.get_content_charset() or "utf-8"
    try:
        text = payload.decode(charset, errors="replace")
    except LookupError:
        text = payload.decode("utf-8", errors="replace")
    try:
        calendars = Calendar.from_ical(text, multiple=True)
    except Exception as exc:
        raise ValueError(f"the calendar cannot be parsed ({exc})") from None
    if not calendars:
        raise ValueError("no VCALENDAR in the calendar part")
    calendar = calendars[0]
    header_method = str(part.get_param("method") or "").strip().upper()
    body_method = str(calendar.get("METHOD") or "").strip().upper()
    method = body_method or header_method
    events = [c for c in calendar.walk("VEVENT")]
    if not events:
        raise ValueError("the calendar holds no VEVENT")
    # The event itself, not one occurrence of it (acara's events do not repeat).
    event = next((e for e in events if "RECURRENCE-ID" not in e), events[0])
    return CalendarReply(
        method=method,
        uid=" ".join(str(event.get("UID") or "").split())[:200],
        sequence=_sequence(event),
        attendees=tuple(_attendees(event)),
        start=_instant(event, "DTSTART"),
        end=_instant(event, "DTEND"),
        comment=" ".join(str(event.get("COMMENT") or "").split())[:500],
    )


def _sequence(event: Any) -> int:
    for name in ("SEQUENCE", "X-MICROSOFT-CDO-APPT-SEQUENCE"):
        try:
            return max(int(str(event.get(name))), 0) if event.get(name) is not None else 0
        except ValueError:
            continue
    return 0


def _attendees(event: Any) -> list[ReplyAttendee]:
    lines = event.get("ATTENDEE")
    if lines is None:
        return []
    if not isinstance(lines, list):
        lines = [lines]
    found = []
    for line in lines:
        params = getattr(line, "params", {})
        address = _address(str(line)) or _address(str(params.get("EMAIL") or ""))
        if not address:
            continue
        found.append(
            ReplyAttendee(
                email=address,
                name=_param_text(params.get("CN")),
                partstat=str(params.get("PARTSTAT") or "NEEDS-ACTION").upper(),
                delegated_to=tuple(_addresses(params.get("DELEGATED-TO"))),
                sent_by=_address(str(params.get("SENT-BY") or "")),
            )
        )
    return found


def _param_text(value: Any) -> str:
    # An unquoted CN with a comma comes back as a list of its pieces: put it together again.
    if isinstance(value, (list, tuple)):
        value = ",".join(str(v) for v in value)
    return " ".join(str(value or "").strip('"').split())[:300]


def _address(value: str) -> str:
    """A calendar address as a lower-case e-mail address ("" when it is none)."""
    value = value.strip().strip('"')
    if value[:7].lower() == "mailto:":
        value = value[7:]
    value = value.strip()
    return value.lower() if re.fullmatch(r"[^\s@<>\"]+@[^\s@<>\"]+", value) else ""


def _addresses(value: Any) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, (list, tuple)) else str(value).split(",")
    return [a for a in (_address(str(item)) for item in items) if a]


def _instant(event: Any, name: str) -> datetime | None:
    if name not in event:
        return None
    try:
        value = event.decoded(name)
    except Exception:
        return None
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    return None


# --- delivery reports -----------------------------------------------------------------------


def _is_report(message: EmailMessage) -> bool:
    if message.get_content_type() == "multipart/report":
        return str(message.get_param("report-type") or "").lower() == "delivery-status"
    return any(part.get_content_type() == "message/delivery-status" for part in message.walk())


def _delivery_status(message: EmailMessage) -> tuple[list[DeliveryFailure], str]:
    failures: list[DeliveryFailure] = []
    original = ""
    for part in message.walk():
        content_type = part.get_content_type()
        if content_type == "message/delivery-status":
            failures.extend(_status_blocks(part))
        elif content_type in ("text/rfc822-headers", "message/rfc822-headers"):
            original = original or _original_id(_text(part))
        elif content_type == "message/rfc822" and not original:
            inner = part.get_payload()
            if isinstance(inner, list) and inner:
                match = _MESSAGE_ID.search(_header(inner[0], "Message-ID"))
                original = match.group(0) if match else ""
    return failures, original


def _status_blocks(part: Message) -> list[DeliveryFailure]:
    """The per-recipient blocks of a message/delivery-status part (RFC 3464 section 2.3)."""
    blocks = part.get_payload()
    if not isinstance(blocks, list):  # a body the parser kept as text: split it by hand
        text = str(blocks or "")
        blocks = [email.message_from_string(b) for b in re.split(r"\r?\n\r?\n", text) if b]
    failures = []
    for block in blocks:
        recipient = _header(block, "Final-Recipient") or _header(block, "Original-Recipient")
        if not recipient:
            continue
        address = _address(recipient.split(";", 1)[-1])
        status_match = _STATUS.search(_header(block, "Status"))
        failures.append(
            DeliveryFailure(
                address=address,
                status=status_match.group(0) if status_match else "",
                action=_header(block, "Action").strip().lower() or "failed",
                diagnostic=" ".join(_header(block, "Diagnostic-Code").split())[:500],
            )
        )
    return failures


def _original_id(headers: str) -> str:
    match = re.search(r"^Message-ID:\s*(<[^<>\s]+>)", headers, re.IGNORECASE | re.MULTILINE)
    return match.group(1) if match else ""


# --- typed and automatic replies ------------------------------------------------------------


def _is_automatic(message: EmailMessage, subject: str) -> bool:
    auto = _header(message, "Auto-Submitted").strip().lower()
    if auto and auto != "no":
        return True
    if any(_header(message, name) for name in ("X-Autoreply", "X-Autorespond", "X-Auto-Reply")):
        return True
    if _header(message, "Precedence").strip().lower() in ("auto_reply", "bulk", "junk"):
        return True
    return bool(_AUTO_SUBJECT.match(subject))


def _excerpt(message: EmailMessage) -> str:
    """The first words of the reply itself: quoted lines and signatures left out."""
    body = None
    try:
        body = message.get_body(preferencelist=("plain", "html"))
    except Exception:
        body = None
    if body is None:
        return ""
    text = _text(body)
    if body.get_content_type() == "text/html":
        text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.I | re.S)
        text = re.sub(r"<br\s*/?>|</p>|</div>", "\n", text, flags=re.I)
        text = re.sub(r"<[^>]+>", " ", text)
    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped == "--":  # the signature starts
            break
        if stripped.startswith(">"):
            continue
        if re.match(r"^(On .+ wrote:|Pada .+ menulis:|-----Original Message-----)", stripped):
            break
        lines.append(stripped)
    return " ".join(" ".join(lines).split())[:_EXCERPT]


def _text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if isinstance(payload, bytes):
        charset = part.get_content_charset() or "utf-8"
        try:
            return payload.decode(charset, errors="replace")
        except LookupError:
            return payload.decode("utf-8", errors="replace")
    return str(part.get_payload() or "")
