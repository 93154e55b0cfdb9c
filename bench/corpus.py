"""Pre-built messages shared by the baselines: the exact bytes acara sends, saved once."""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from email import message_from_bytes, policy
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Built:
    """One message ready for SMTP: envelope and the RFC 5322 bytes."""

    sender: str
    recipient: str
    data: bytes


@dataclass(frozen=True, slots=True)
class Parts:
    """What a Prefect user hands to email_send_message: subject, bodies and the ICS."""

    recipient: str
    subject: str
    html: str
    text: str
    ics: bytes | None


def save(path: Path, messages: list[Built]) -> None:
    """Write the corpus to one file."""
    with path.open("wb") as fh:
        pickle.dump(messages, fh, protocol=pickle.HIGHEST_PROTOCOL)


def load(path: Path) -> list[Built]:
    """Read a corpus written by save()."""
    with path.open("rb") as fh:
        return pickle.load(fh)


def parts(built: Built) -> Parts:
    """Take a built message apart again into subject, text, HTML and calendar."""
    msg = message_from_bytes(built.data, policy=policy.default)
    text = html = ""
    ics = None
    for part in msg.walk():
        kind = part.get_content_type()
        if kind == "text/plain" and not text:
            text = part.get_content()
        elif kind == "text/html" and not html:
            html = part.get_content()
        elif kind == "text/calendar" and ics is None:
            ics = part.get_payload(decode=True)
    return Parts(built.recipient, str(msg["Subject"]), html, text, ics)


def read_maildir(root: Path) -> list[Built]:
    """Every .eml acara's MaildirTransport wrote, with CRLF restored, as SMTP would carry it."""
    built = []
    for path in sorted((root / "new").glob("*.eml")):
        data = path.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        headers = message_from_bytes(data.split(b"\r\n\r\n", 1)[0], policy=policy.default)
        sender = headers["From"].addresses[0].addr_spec
        recipient = headers["To"].addresses[0].addr_spec
        built.append(Built(sender, recipient, data))
    return built
