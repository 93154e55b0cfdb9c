"""Signed links: every personal URL acara sends, each scoped to one participant of one event.

- RSVP: {base_url}/rsvp/{token}, an itsdangerous timed token (old links expire);
- survey: {base_url}/survey/{token}, an itsdangerous token under another salt, so an RSVP
  token is never a survey token (the survey window is the event's rule, not the token's);
- check-in: {base_url}/checkin/{code}, a short code with its own HMAC ('3-128-K7QX3MAB'),
  short enough to type at the desk when a scanner fails, and printed as a QR code;
- an officer's password: {base_url}/officer/password/{token}, timed (48 h) and single-use
  (it carries the account's current random nonce, which setting the password clears);
- letter check: {base_url}/verify/{code}, the outbox row's id and an HMAC under another salt
  ('S1042-K7QX3MAB'), printed with a QR on every official letter.

Tokens already sent in letters must keep working: their formats never change.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

import segno
from itsdangerous import (
    BadSignature,
    SignatureExpired,
    TimestampSigner,
    URLSafeSerializer,
    URLSafeTimedSerializer,
)
from itsdangerous.encoding import base64_encode

from acara.settings import get_settings
from models.errors import N_, AcaraError

RSVP_SALT = "acara.rsvp.v1"
SURVEY_SALT = "acara.survey.v1"
PASSWORD_SALT = "acara.officer-password.v1"
PASSWORD_LINK_MAX_AGE = timedelta(hours=48)  # a one-time link to set an officer's password
PASSWORD_PATH = "/officer/password/{token}"
_CHECKIN_SALT = b"acara.checkin.v1"
_LETTER_SALT = b"acara.letter.v1"
# Long enough for an invitation sent weeks ahead; the event's own state closes answers earlier.
RSVP_MAX_AGE = timedelta(days=180)
# The web app serves the RSVP page here; `?answer=` preselects a choice on that page (the
# answer is only recorded when the invitee confirms it, so link scanners change nothing).
RSVP_PATH = "/rsvp/{token}"
SURVEY_PATH = "/survey/{token}"
CHECKIN_PATH = "/checkin/{code}"
VERIFY_PATH = "/verify/{code}"
ANSWERS = ("accept", "decline", "represent")
_MAC_LENGTH = 8  # base32 characters: 40 bits, plenty for a code that only works at a desk
_CODE = re.compile(rf"^(\d{{1,9}})-(\d{{1,12}})-([A-Z0-9]{{{_MAC_LENGTH}}})$")
_LETTER_CODE = re.compile(rf"^S(\d{{1,12}})-([A-Z0-9]{{{_MAC_LENGTH}}})$")
# Base32 has no 0, 1 or 8: a typed code reads them as the letters people mistake them for.
_MISREAD = str.maketrans("018", "OIB")


class TokenInvalid(AcaraError):
    """A link that was altered, mistyped or signed with another key."""

    code = "invalid-link"
    http_status = 403


class TokenExpired(TokenInvalid):
    """A genuine link that is too old to be used."""

    code = "expired-link"
    http_status = 410


class BadCheckInCode(AcaraError):
    """A scanned or typed code that is not one of ours (mistyped, altered, foreign)."""

    code = "bad-checkin-code"
    public = N_("The code {code} is not known. Check it or scan again.")
    http_status = 400


@dataclass(frozen=True, slots=True)
class RsvpClaim:
    """What a valid RSVP token says: whose invitation, to which event, issued when."""

    participant_id: int
    event_id: int
    issued_at: datetime


@dataclass(frozen=True, slots=True)
class SurveyClaim:
    """Whose survey a valid token opens."""

    participant_id: int
    event_id: int


@dataclass(frozen=True, slots=True)
class CheckInCode:
    """Whose code it is: one participant of one event."""

    event_id: int
    participant_id: int

    def __str__(self) -> str:
        return f"{self.event_id}-{self.participant_id}-{_mac(self.event_id, self.participant_id)}"


def _secret() -> str:
    return get_settings().secret_key.get_secret_value()


def _url(path: str) -> str:
    return get_settings().base_url.rstrip("/") + path


def _ids(payload: Any) -> tuple[int, int] | None:
    """(participant id, event id) from a token's payload, or None when it is not that."""
    if (
        isinstance(payload, list)
        and len(payload) == 2
        and all(isinstance(x, int) and not isinstance(x, bool) for x in payload)
    ):
        return payload[0], payload[1]
    return None


# --- RSVP ---------------------------------------------------------------------------------


class _Serializer(URLSafeTimedSerializer):
    """URLSafeTimedSerializer without the zlib attempt: a two-number payload never shrinks,
    and starting zlib costs more than the rest of the token (it matters for 10,000 letters).
    The tokens are byte-identical, and read by the stock loads."""

    def dump_payload(self, obj: Any) -> bytes:
        return base64_encode(self.serializer.dumps(obj, **self.serializer_kwargs).encode())


@lru_cache(maxsize=4)
def _cached_rsvp_serializer(secret: str) -> URLSafeTimedSerializer:
    return _Serializer(secret, salt=RSVP_SALT)


def _rsvp_serializer(issued_at: datetime | None = None) -> URLSafeTimedSerializer:
    if issued_at is None:
        return _cached_rsvp_serializer(_secret())
    stamp = int(issued_at.timestamp())

    class _IssuedAt(TimestampSigner):
        def get_timestamp(self) -> int:
            return stamp

    return _Serializer(_secret(), salt=RSVP_SALT, signer=_IssuedAt)


def make_rsvp_token(
    participant_id: int, event_id: int, *, issued_at: datetime | None = None
) -> str:
    """The URL-safe token for one participant's invitation ({base_url}/rsvp/{token})."""
    return str(_rsvp_serializer(issued_at).dumps([int(participant_id), int(event_id)]))


def read_rsvp_token(token: str, max_age: int | timedelta = RSVP_MAX_AGE) -> RsvpClaim:
    """The claim in a token; TokenInvalid when altered, TokenExpired when older than max_age."""
    seconds = int(max_age.total_seconds()) if isinstance(max_age, timedelta) else int(max_age)
    try:
        payload, signed_at = _rsvp_serializer().loads(token, max_age=seconds, return_timestamp=True)
    except SignatureExpired:
        raise TokenExpired(
            N_("This link has expired. Please contact the protocol office.")
        ) from None
    except BadSignature:
        raise TokenInvalid(N_("This link is not valid or has been altered.")) from None
    ids = _ids(payload)
    if ids is None:
        raise TokenInvalid(N_("This link is not valid."))
    return RsvpClaim(*ids, signed_at.astimezone(UTC))


def rsvp_links(participant_id: int, event_id: int) -> dict[str, str]:
    """The personal RSVP page and one link per answer, each carrying the signed token."""
    page = _url(RSVP_PATH.format(token=make_rsvp_token(participant_id, event_id)))
    return {"page": page, **{answer: f"{page}?answer={answer}" for answer in ANSWERS}}


# --- survey -------------------------------------------------------------------------------


def _survey_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(_secret(), salt=SURVEY_SALT)


def make_survey_token(participant_id: int, event_id: int) -> str:
    """The token in one participant's survey link (the survey window is the event's rule)."""
    return str(_survey_serializer().dumps([int(participant_id), int(event_id)]))


def read_survey_token(token: str) -> SurveyClaim:
    """The claim in a token; TokenInvalid when it was altered or is not a survey token."""
    try:
        payload = _survey_serializer().loads(token)
    except BadSignature:
        raise TokenInvalid(N_("This survey link is not valid or has been altered.")) from None
    ids = _ids(payload)
    if ids is None:
        raise TokenInvalid(N_("This survey link is not valid."))
    return SurveyClaim(*ids)


def survey_url(participant_id: int, event_id: int) -> str:
    """The personal survey page of a participant."""
    return _url(SURVEY_PATH.format(token=make_survey_token(participant_id, event_id)))


# --- an officer's one-time set-password link -------------------------------------------------


@dataclass(frozen=True, slots=True)
class PasswordClaim:
    """Whose password a link sets; `nonce` must still be the account's (single use)."""

    officer_id: int
    nonce: str


def _password_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(_secret(), salt=PASSWORD_SALT)


def password_url(officer_id: int, nonce: str) -> str:
    """The one-time link an officer opens to set their password."""
    token = _password_serializer().dumps([int(officer_id), nonce])
    return _url(PASSWORD_PATH.format(token=token))


def read_password_token(token: str) -> PasswordClaim:
    """The claim of a set-password link; TokenInvalid when altered, TokenExpired when old."""
    seconds = int(PASSWORD_LINK_MAX_AGE.total_seconds())
    try:
        payload = _password_serializer().loads(token, max_age=seconds)
    except SignatureExpired:
        raise TokenExpired(
            N_("This link has expired. Ask an administrator for a new one.")
        ) from None
    except BadSignature:
        raise TokenInvalid(N_("This link is not valid or has been altered.")) from None
    if (
        not isinstance(payload, list)
        or len(payload) != 2
        or not isinstance(payload[0], int)
        or not isinstance(payload[1], str)
    ):
        raise TokenInvalid(N_("This link is not valid."))
    return PasswordClaim(payload[0], payload[1])


# --- check-in -----------------------------------------------------------------------------


def _mac(event_id: int, participant_id: int) -> str:
    return _signed(_CHECKIN_SALT + f":{event_id}:{participant_id}".encode())


def _signed(payload: bytes) -> str:
    digest = hmac.new(_secret().encode(), payload, hashlib.sha256)
    return base64.b32encode(digest.digest()).decode()[:_MAC_LENGTH]


def checkin_code(participant_id: int, event_id: int) -> str:
    """The code printed under the QR and typed at the desk when a scanner fails."""
    return str(CheckInCode(int(event_id), int(participant_id)))


def checkin_url(participant_id: int, event_id: int) -> str:
    """The link inside the QR code: opens the participant's check-in card in a browser."""
    return _url(CHECKIN_PATH.format(code=checkin_code(participant_id, event_id)))


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
    if not hmac.compare_digest(given.translate(_MISREAD), expected):
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


# --- letter check ---------------------------------------------------------------------------


def letter_code(message_id: int) -> str:
    """The check code of the letter issued for an outbox row: 'S1042-K7QX3MAB'."""
    return f"S{int(message_id)}-{_signed(_LETTER_SALT + f':{int(message_id)}'.encode())}"


def verify_page() -> str:
    """The public page where a letter's code can be typed in."""
    return _url(VERIFY_PATH.format(code="")).rstrip("/")


def verify_url(code: str) -> str:
    """The public page that says whether a letter is genuine and still stands."""
    return _url(VERIFY_PATH.format(code=code))


def read_letter_code(text: str) -> str:
    """A typed or scanned letter code, normalised ('s1042-k7qx 3mab' reads as 'S1042-K7QX3MAB');
    TokenInvalid when it is not one acara made (mistyped, altered, forged)."""
    raw = (text or "").strip()
    if "/verify/" in raw:
        raw = raw.rsplit("/verify/", 1)[1].split("?", 1)[0].strip("/")
    raw = raw.upper().replace(" ", "")
    match = _LETTER_CODE.match(raw)
    if match is None or not hmac.compare_digest(
        letter_code(int(match[1])), f"S{match[1]}-{match[2].translate(_MISREAD)}"
    ):
        raise TokenInvalid(N_("This letter code is not valid: it was mistyped or altered."))
    return letter_code(int(match[1]))


def letter_qr(code: str) -> segno.QRCode:
    """The QR code of a letter's check page (printed on the letter). One fixed mask: choosing
    the best of eight costs four fifths of stamping a letter, and any mask scans."""
    return segno.make(verify_url(code), error="m", mask=0)


def letter_qr_svg(code: str) -> str:
    """The letter's QR code as SVG markup that fills its box."""
    return letter_qr(code).svg_inline(border=0, omitsize=True)
