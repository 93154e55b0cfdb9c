"""Check-in codes: short, signed, typeable ('3-128-K7QX3MAB') and printed as a QR code."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import re
from dataclasses import dataclass

import segno

from acara.settings import get_settings
from models.errors import N_, AcaraError

_SALT = b"acara.checkin.v1"
_MAC_LENGTH = 8  # base32 characters: 40 bits, plenty for a code that only works at a desk
_CODE = re.compile(rf"^(\d{{1,9}})-(\d{{1,12}})-([A-Z0-9]{{{_MAC_LENGTH}}})$")


class BadCheckInCode(AcaraError):
    """A scanned or typed code that is not one of ours (mistyped, altered, foreign)."""

    code = "bad-checkin-code"
    public = N_("The code {code} is not known. Check it or scan again.")
    http_status = 400


@dataclass(frozen=True, slots=True)
class CheckInCode:
    """Whose code it is: one participant of one event."""

    event_id: int
    participant_id: int

    def __str__(self) -> str:
        return f"{self.event_id}-{self.participant_id}-{_mac(self.event_id, self.participant_id)}"


def _mac(event_id: int, participant_id: int) -> str:
    key = get_settings().secret_key.get_secret_value().encode()
    digest = hmac.new(key, _SALT + f":{event_id}:{participant_id}".encode(), hashlib.sha256)
    return base64.b32encode(digest.digest()).decode()[:_MAC_LENGTH]


def checkin_code(participant_id: int, event_id: int) -> str:
    """The code printed under the QR and typed at the desk when a scanner fails."""
    return str(CheckInCode(int(event_id), int(participant_id)))


def checkin_url(participant_id: int, event_id: int, base_url: str | None = None) -> str:
    """The link inside the QR code: opens the participant's check-in card in a browser."""
    base = (base_url or get_settings().base_url).rstrip("/")
    return f"{base}/checkin/{checkin_code(participant_id, event_id)}"


def read_checkin_code(text: str) -> CheckInCode:
    """Parse what a scanner or an officer typed: a bare code or the whole check-in URL."""
    raw = (text or "").strip()
    if "/checkin/" in raw:
        raw = raw.rsplit("/checkin/", 1)[1].split("?", 1)[0].strip("/")
    raw = raw.upper().replace(" ", "")
    match = _CODE.match(raw)
    if match is None:
        raise BadCheckInCode(
            N_("{code!r} is not a check-in code (like 3-128-K7QX3MAB)."),
            code=text.strip()[:60],
        )
    event_id, participant_id = int(match[1]), int(match[2])
    # Base32 has no 0, 1 or 8: read them as the letters people mistake them for.
    given = match[3]
    expected = _mac(event_id, participant_id)
    if not hmac.compare_digest(given.translate(str.maketrans("018", "OIB")), expected):
        raise BadCheckInCode(
            N_("{code!r} is not a valid check-in code (mistyped or altered)."), code=raw
        )
    return CheckInCode(event_id, participant_id)


def checkin_qr_png(participant_id: int, event_id: int, *, scale: int = 8) -> bytes:
    """The participant's check-in QR code as PNG bytes (for the last reminder e-mail)."""
    buffer = io.BytesIO()
    _qr(participant_id, event_id).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


def checkin_qr_svg(participant_id: int, event_id: int, *, scale: int = 6) -> str:
    """The same QR code as inline SVG markup for a web page."""
    return _qr(participant_id, event_id).svg_inline(scale=scale, border=4)


def _qr(participant_id: int, event_id: int) -> segno.QRCode:
    return segno.make(checkin_url(participant_id, event_id), error="m")
