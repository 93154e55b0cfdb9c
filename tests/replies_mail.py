"""Replies as the major clients really send them, for the reader's tests.

Shapes taken from what the clients publish or others recorded:
- Outlook / Exchange: multipart/alternative with a base64 text/calendar; method=REPLY,
  PRODID "Microsoft Exchange Server 2010", a VTIMEZONE with a Windows zone name, MAILTO: in
  capitals and no ORGANIZER (nextcloud/server#53949 and #58904: "Exchange/Outlook strips
  ORGANIZER from iMIP replies");
- Gmail: multipart/mixed[alternative[plain, html, text/calendar; method=REPLY], invite.ics
  as application/ics], PRODID "-//Google Inc//Google Calendar 70.9054//EN", ATTENDEE with
  CUTYPE, ROLE, X-NUM-GUESTS (nextcloud/mail#6782; linagora/tmail-backend#1064);
- Thunderbird: multipart/mixed[alternative[text/plain, text/calendar; method=REPLY, 8bit],
  application/ics; name=invite.ics], as CalItipEmailTransport writes it (comm-central);
- Apple Calendar: the calendar only as an attachment (iCal-*.ics, quoted-printable), no
  method parameter (METHOD only in the body), quoted CN with non-ASCII letters, EMAIL=;
- a client that leaves METHOD out of the VCALENDAR (METHOD only in the MIME header);
- delegation as RFC 5546 section 4.2.5 shows it: PARTSTAT=DELEGATED;DELEGATED-TO on the
  delegator's line, the delegate's own line with DELEGATED-FROM.
"""

from __future__ import annotations

import base64
import quopri
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.header import Header
from email.utils import format_datetime

ORGANIZER = "protokol@tangerangkota.go.id"
_VTIMEZONE_WINDOWS = (
    "BEGIN:VTIMEZONE\r\nTZID:SE Asia Standard Time\r\nBEGIN:STANDARD\r\n"
    "DTSTART:16010101T000000\r\nTZOFFSETFROM:+0700\r\nTZOFFSETTO:+0700\r\n"
    "END:STANDARD\r\nBEGIN:DAYLIGHT\r\nDTSTART:16010101T000000\r\nTZOFFSETFROM:+0700\r\n"
    "TZOFFSETTO:+0700\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n"
)
_VTIMEZONE_JAKARTA = (
    "BEGIN:VTIMEZONE\r\nTZID:Asia/Jakarta\r\nX-LIC-LOCATION:Asia/Jakarta\r\n"
    "BEGIN:STANDARD\r\nTZOFFSETFROM:+0700\r\nTZOFFSETTO:+0700\r\nTZNAME:WIB\r\n"
    "DTSTART:19700101T000000\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
)


@dataclass(frozen=True)
class Answer:
    """Who answers what to which event."""

    uid: str
    email: str  # as the client writes it (case kept)
    name: str
    partstat: str = "ACCEPTED"
    sequence: int = 0
    start: datetime = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    end: datetime = datetime(2026, 12, 1, 5, 0, tzinfo=UTC)
    summary: str = "FGD"
    sender: str | None = None  # From, when not the attendee (a forgery)
    delegate: tuple[str, str] | None = None  # (email, name) for PARTSTAT=DELEGATED
    message_id: str = "<reply-1@client.example>"
    comment: str = ""
    sent: datetime = field(default_factory=lambda: datetime.now(UTC))


def _fold(line: str) -> str:
    out, data = [], line.encode()
    while len(data) > 75:
        cut = 75
        while cut and (data[cut] & 0xC0) == 0x80:  # never inside a UTF-8 sequence
            cut -= 1
        out.append(data[:cut].decode())
        data = b" " + data[cut:]
    out.append(data.decode())
    return "\r\n".join(out) + "\r\n"


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _local(moment: datetime) -> str:
    """Wall-clock time in Jakarta (UTC+7 all year), as the VTIMEZONEs here say."""
    return (moment.astimezone(UTC) + timedelta(hours=7)).strftime("%Y%m%dT%H%M%S")


def _headers(answer: Answer, subject: str, content_type: str, extra: str = "") -> str:
    sender = answer.sender or answer.email
    name = Header(answer.name, "utf-8").encode() if not answer.name.isascii() else answer.name
    return (
        f"From: {name} <{sender}>\r\nTo: {ORGANIZER}\r\n"
        f"Subject: {subject}\r\nDate: {format_datetime(answer.sent)}\r\n"
        f"Message-ID: {answer.message_id}\r\nMIME-Version: 1.0\r\n{extra}"
        f"Content-Type: {content_type}\r\n"
    )


def _b64(text: str) -> str:
    data = base64.b64encode(text.encode()).decode()
    return "\r\n".join(data[i : i + 76] for i in range(0, len(data), 76)) + "\r\n"


def _cn(name: str) -> str:
    """A CN parameter as clients write it: quoted when it holds , ; or : (RFC 5545 3.2)."""
    return f'"{name}"' if any(c in name for c in ",;:") else name


def _delegation(answer: Answer) -> str:
    if not answer.delegate:
        return ""
    email, name = answer.delegate
    return _fold(
        f'ATTENDEE;CN={name};PARTSTAT=NEEDS-ACTION;DELEGATED-FROM="mailto:{answer.email}"'
        f";ROLE=REQ-PARTICIPANT:mailto:{email}"
    )


def _partstat(answer: Answer) -> str:
    if answer.delegate:
        return f'DELEGATED;DELEGATED-TO="mailto:{answer.delegate[0]}"'
    return answer.partstat


def outlook(answer: Answer, method: str = "REPLY") -> bytes:
    """Outlook / Exchange: no ORGANIZER, MAILTO: in capitals, Windows zone, base64."""
    word = {"ACCEPTED": "Accepted", "DECLINED": "Declined", "TENTATIVE": "Tentative"}.get(
        answer.partstat, "New Time Proposed" if method == "COUNTER" else "Response"
    )
    ics = (
        f"BEGIN:VCALENDAR\r\nMETHOD:{method}\r\nPRODID:Microsoft Exchange Server 2010\r\n"
        f"VERSION:2.0\r\n{_VTIMEZONE_WINDOWS}BEGIN:VEVENT\r\n"
        + _fold(
            f"ATTENDEE;PARTSTAT={_partstat(answer)};CN={_cn(answer.name)}:MAILTO:{answer.email}"
        )
        + _fold(f"COMMENT;LANGUAGE=en-US:{answer.comment}")
        + _fold(f"SUMMARY;LANGUAGE=en-US:{word}: {answer.summary}")
        + f"DTSTART;TZID=SE Asia Standard Time:{_local(answer.start)}\r\n"
        f"DTEND;TZID=SE Asia Standard Time:{_local(answer.end)}\r\n"
        + _fold(f"UID:{answer.uid}")
        + "CLASS:PUBLIC\r\nPRIORITY:5\r\nDTSTAMP:20261120T030000Z\r\nTRANSP:OPAQUE\r\n"
        f"STATUS:CONFIRMED\r\nSEQUENCE:{answer.sequence}\r\nLOCATION:Tangerang Live Room\r\n"
        f"X-MICROSOFT-CDO-APPT-SEQUENCE:{answer.sequence}\r\n"
        "X-MICROSOFT-CDO-OWNERAPPTID:-1234567\r\nX-MICROSOFT-CDO-BUSYSTATUS:BUSY\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    boundary = "_000_SG2PR06MB1234outlook_"
    return (
        _headers(
            answer,
            f"{word}: {answer.summary}",
            f'multipart/alternative; boundary="{boundary}"',
            "Thread-Topic: FGD\r\nContent-class: urn:content-classes:calendarmessage\r\n",
        )
        + f'\r\n--{boundary}\r\nContent-Type: text/plain; charset="us-ascii"\r\n\r\n\r\n'
        f'--{boundary}\r\nContent-Type: text/html; charset="us-ascii"\r\n\r\n<html></html>\r\n'
        f'--{boundary}\r\nContent-Type: text/calendar; charset="utf-8"; method={method}\r\n'
        f"Content-Transfer-Encoding: base64\r\n\r\n{_b64(ics)}\r\n--{boundary}--\r\n"
    ).encode()


def gmail(answer: Answer) -> bytes:
    """Gmail: the REPLY inline and again as invite.ics (application/ics), times in UTC."""
    word = {"ACCEPTED": "Accepted", "DECLINED": "Declined", "TENTATIVE": "Tentative"}[
        answer.partstat
    ]
    attendee = (
        "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT="
        f"{answer.partstat};CN={_cn(answer.name)};X-NUM-GUESTS=0"
        + (f";X-RESPONSE-COMMENT={answer.comment}" if answer.comment else "")
        + f":mailto:{answer.email}"
    )
    ics = (
        "BEGIN:VCALENDAR\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\n"
        "VERSION:2.0\r\nCALSCALE:GREGORIAN\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\n"
        f"DTSTART:{_utc(answer.start)}\r\nDTEND:{_utc(answer.end)}\r\n"
        "DTSTAMP:20261120T030000Z\r\n"
        + _fold(f"ORGANIZER;CN=Bagian Protokol Setda Kota Tangerang:mailto:{ORGANIZER}")
        + _fold(f"UID:{answer.uid}")
        + _fold(attendee)
        + "CREATED:20261110T010000Z\r\nLAST-MODIFIED:20261120T030000Z\r\n"
        f"LOCATION:Tangerang Live Room\r\nSEQUENCE:{answer.sequence}\r\n"
        f"STATUS:CONFIRMED\r\nSUMMARY:{answer.summary}\r\nTRANSP:OPAQUE\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    outer, inner = "000000000000outer5f0a", "000000000000inner5f09"
    return (
        _headers(
            answer,
            f"{word}: {answer.summary} @ Tue 1 Dec 2026 09:00 - 12:00 (WIB) ({ORGANIZER})",
            f'multipart/mixed; boundary="{outer}"',
        )
        + f'\r\n--{outer}\r\nContent-Type: multipart/alternative; boundary="{inner}"\r\n\r\n'
        f'--{inner}\r\nContent-Type: text/plain; charset="UTF-8"\r\n\r\n'
        f"{answer.name} has accepted this invitation.\r\n"
        f'--{inner}\r\nContent-Type: text/html; charset="UTF-8"\r\n\r\n<p>accepted</p>\r\n'
        f'--{inner}\r\nContent-Type: text/calendar; charset="UTF-8"; method=REPLY\r\n'
        f"Content-Transfer-Encoding: 7bit\r\n\r\n{ics}\r\n--{inner}--\r\n"
        f'--{outer}\r\nContent-Type: application/ics; name="invite.ics"\r\n'
        'Content-Disposition: attachment; filename="invite.ics"\r\n'
        f"Content-Transfer-Encoding: base64\r\n\r\n{_b64(ics)}\r\n--{outer}--\r\n"
    ).encode()


def thunderbird(answer: Answer) -> bytes:
    """Thunderbird: 8bit UTF-8, inline text/calendar and invite.ics, ORGANIZER kept."""
    ics = (
        "BEGIN:VCALENDAR\r\nPRODID:-//Mozilla.org/NONSGML Mozilla Calendar V1.1//EN\r\n"
        f"VERSION:2.0\r\nMETHOD:REPLY\r\n{_VTIMEZONE_JAKARTA}BEGIN:VEVENT\r\n"
        "CREATED:20261120T030000Z\r\nLAST-MODIFIED:20261120T030000Z\r\n"
        "DTSTAMP:20261120T030000Z\r\n"
        + _fold(f"UID:{answer.uid}")
        + _fold(f"SUMMARY:{answer.summary}")
        + _fold(f"ORGANIZER;CN=Bagian Protokol:mailto:{ORGANIZER}")
        + _fold(
            f"ATTENDEE;RSVP=TRUE;CN={_cn(answer.name)};PARTSTAT={_partstat(answer)};"
            f"ROLE=REQ-PARTICIPANT:mailto:{answer.email}"
        )
        + _delegation(answer)
        + f"DTSTART;TZID=Asia/Jakarta:{_local(answer.start)}\r\n"
        f"DTEND;TZID=Asia/Jakarta:{_local(answer.end)}\r\n"
        f"SEQUENCE:{answer.sequence}\r\nX-MOZ-RECEIVED-SEQUENCE:{answer.sequence}\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    outer, inner = "Boundary_(ID_qyG4ZdjoAsiZ+Jo19dCbWQ)", "Boundary_(ID_ryU4ZdJoASiZ+Jo21dCbwA)"
    return (
        _headers(answer, f"Accepted: {answer.summary}", f'multipart/mixed; boundary="{outer}"')
        + f'\r\n\r\n--{outer}\r\nContent-type: multipart/alternative;\r\n boundary="{inner}"'
        f"\r\n\r\n\r\n--{inner}\r\nContent-type: text/plain; charset=UTF-8\r\n"
        f"Content-transfer-encoding: 8BIT\r\n\r\n{answer.name} has answered.\r\n\r\n\r\n"
        f"--{inner}\r\nContent-type: text/calendar; method=REPLY; charset=UTF-8\r\n"
        f"Content-transfer-encoding: 8BIT\r\n\r\n{ics}\r\n\r\n--{inner}--\r\n\r\n"
        f"--{outer}\r\nContent-type: application/ics; name=invite.ics\r\n"
        "Content-transfer-encoding: 8BIT\r\nContent-disposition: attachment; "
        f"filename=invite.ics\r\n\r\n{ics}\r\n\r\n--{outer}--\r\n"
    ).encode()


def apple(answer: Answer) -> bytes:
    """Apple Calendar: an attachment only, METHOD only in the body, quoted non-ASCII CN."""
    ics = (
        "BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nVERSION:2.0\r\n"
        "PRODID:-//Apple Inc.//macOS 14.5//EN\r\nCALSCALE:GREGORIAN\r\n"
        f"{_VTIMEZONE_JAKARTA}BEGIN:VEVENT\r\n"
        + _fold(
            f'ATTENDEE;CN="{answer.name}";CUTYPE=INDIVIDUAL;EMAIL="{answer.email}";'
            f"PARTSTAT={answer.partstat}:mailto:{answer.email}"
        )
        + f"DTEND;TZID=Asia/Jakarta:{_local(answer.end)}\r\n"
        + _fold(f"UID:{answer.uid}")
        + "DTSTAMP:20261120T030000Z\r\n"
        f"SEQUENCE:{answer.sequence}\r\nSUMMARY:{answer.summary}\r\n"
        f"DTSTART;TZID=Asia/Jakarta:{_local(answer.start)}\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    encoded = quopri.encodestring(ics.encode()).decode()
    boundary = "Apple-Mail=_5A7B2C1D-0E3F"
    return (
        _headers(
            answer,
            f"Invitation: {answer.summary} ({answer.partstat.title()})",
            f'multipart/mixed; boundary="{boundary}"',
        )
        + f"\r\n--{boundary}\r\nContent-Transfer-Encoding: 7bit\r\n"
        "Content-Type: text/plain; charset=us-ascii\r\n\r\n"
        f"{answer.email} has {answer.partstat.lower()} your event invitation.\r\n"
        f"--{boundary}\r\nContent-Disposition: attachment; filename=iCal-20261120-030000.ics\r\n"
        "Content-Type: text/calendar; charset=utf-8; name=iCal-20261120-030000.ics\r\n"
        f"Content-Transfer-Encoding: quoted-printable\r\n\r\n{encoded}\r\n--{boundary}--\r\n"
    ).encode()


def method_in_header_only(answer: Answer) -> bytes:
    """A bare text/calendar message: METHOD in the MIME header, none in the VCALENDAR."""
    ics = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Lotus Development Corporation//NONSGML "
        "Notes 9.0//EN_R\r\nBEGIN:VEVENT\r\n"
        f"DTSTART:{_utc(answer.start)}\r\nDTEND:{_utc(answer.end)}\r\n"
        + _fold(f"UID:{answer.uid}")
        + f"SEQUENCE:{answer.sequence}\r\n"
        + _fold(f'ATTENDEE;PARTSTAT={answer.partstat};CN="{answer.name}":mailto:{answer.email}')
        + "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    return (
        _headers(
            answer, f"Accepted: {answer.summary}", "text/calendar; method=REPLY; charset=UTF-8"
        )
        + f"Content-Transfer-Encoding: 8bit\r\n\r\n{ics}"
    ).encode()


CLIENTS = {
    "outlook": outlook,
    "gmail": gmail,
    "thunderbird": thunderbird,
    "apple": apple,
    "header-method": method_in_header_only,
}


def dsn(address: str, status: str, original_id: str, *, action: str = "failed") -> bytes:
    """A delivery status notification (RFC 3464) as Postfix writes it."""
    boundary = "8A2B51C0A1.1700000000/mx.tangerangkota.go.id"
    return (
        "From: MAILER-DAEMON@mx.tangerangkota.go.id (Mail Delivery System)\r\n"
        f"To: {ORGANIZER}\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        "Date: Fri, 20 Nov 2026 10:00:00 +0700\r\nMessage-ID: <dsn-1@mx.tangerangkota.go.id>\r\n"
        "Auto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
        f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"\r\n'
        f"\r\n--{boundary}\r\nContent-Description: Notification\r\n"
        "Content-Type: text/plain; charset=us-ascii\r\n\r\n"
        "I'm sorry to have to inform you that your message could not be delivered.\r\n"
        f"\r\n--{boundary}\r\nContent-Description: Delivery report\r\n"
        "Content-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.tangerangkota.go.id\r\nArrival-Date: Fri, 20 Nov 2026\r\n\r\n"
        f"Final-Recipient: rfc822; {address}\r\nOriginal-Recipient: rfc822;{address}\r\n"
        f"Action: {action}\r\nStatus: {status}\r\n"
        f"Diagnostic-Code: smtp; 550 {status} <{address}>: Recipient address rejected\r\n"
        f"\r\n--{boundary}\r\nContent-Description: Undelivered Message Headers\r\n"
        "Content-Type: text/rfc822-headers\r\n\r\n"
        f"From: Bagian Protokol <{ORGANIZER}>\r\nTo: {address}\r\n"
        f"Subject: Undangan\r\nMessage-ID: {original_id}\r\n\r\n--{boundary}--\r\n"
    ).encode()


def typed(sender: str, text: str, *, in_reply_to: str = "", auto: bool = False) -> bytes:
    """A reply written by hand (or an out-of-office notice with `auto`)."""
    subject = "Automatic reply: Undangan" if auto else "Re: Undangan"
    extra = f"In-Reply-To: {in_reply_to}\r\nReferences: {in_reply_to}\r\n" if in_reply_to else ""
    if auto:
        extra += "Auto-Submitted: auto-replied\r\nX-Auto-Response-Suppress: All\r\n"
    return (
        f"From: {sender}\r\nTo: {ORGANIZER}\r\nSubject: {subject}\r\n"
        "Date: Fri, 20 Nov 2026 10:00:00 +0700\r\nMessage-ID: <typed-1@mail.example>\r\n"
        f"{extra}MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
        f"Content-Transfer-Encoding: 8bit\r\n\r\n{text}\r\n\r\n"
        "> Yth. Bapak/Ibu, dengan hormat kami mengundang ...\r\n"
    ).encode()
