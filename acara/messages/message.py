"""The channel-neutral message: what a composer writes and a channel's transport sends.

A ComposedMessage knows nothing of MIME, paper or chat: subject, text, HTML, attachments and
an optional calendar part, plus who it is from and to as plain data. Each channel turns it into
its own medium (the e-mail channel into MIME; a printed letter would lay it out as a PDF).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

# Control characters, and the Unicode line and paragraph separators that str.splitlines()
# (and so the email package) treats as line ends.
UNSAFE_CATEGORIES = frozenset({"Cc", "Zl", "Zp"})


@dataclass(frozen=True, slots=True)
class Contact:
    """Someone a message is from or to: a name and where to reach them."""

    name: str
    email: str  # lower-case address for recipients; the sender's mailbox for the sender


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file sent with a message, e.g. the PDF minutes or the check-in QR code."""

    filename: str
    content: bytes
    mimetype: str = "application/octet-stream"


@dataclass(frozen=True, slots=True)
class CalendarPart:
    """A calendar object sent with a message: the full VCALENDAR and its iTIP METHOD."""

    ics: bytes
    method: str  # REQUEST, CANCEL, ...: equal to METHOD inside ics


@dataclass(frozen=True, slots=True)
class ComposedMessage:
    """One message to one recipient, as an outbox row owes it, in no channel's form yet."""

    key: str  # idempotency key of the outbox row; the same row always gets the same key
    sender: Contact
    recipient: Contact
    subject: str
    text: str
    html: str  # "" when there is only the text
    attachments: tuple[Attachment, ...] = ()
    calendar: CalendarPart | None = None
    # Facts a channel may carry along for the office's own tools (e-mail: X-Acara-<Name>).
    labels: Mapping[str, str] = field(default_factory=dict, hash=False)


@lru_cache(maxsize=4096)
def sanitize_display(text: str) -> str:
    """Replace control characters and line breaks with spaces and collapse whitespace."""
    # isprintable() is False for every character the slow path would touch.
    if text.isprintable() and "  " not in text and text == text.strip():
        return text
    cleaned = "".join(" " if unicodedata.category(ch) in UNSAFE_CATEGORIES else ch for ch in text)
    return " ".join(cleaned.split())
