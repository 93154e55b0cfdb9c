"""Signed RSVP tokens: the link in each invitation, scoped to one participant of one event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from itsdangerous.encoding import base64_encode

from acara.settings import get_settings
from models.errors import N_, AcaraError

RSVP_SALT = "acara.rsvp.v1"
# Long enough for an invitation sent weeks ahead; the event's own state closes answers earlier.
RSVP_MAX_AGE = timedelta(days=180)


class TokenInvalid(AcaraError):
    """A link that was altered, mistyped or signed with another key."""

    code = "invalid-link"
    http_status = 403


class TokenExpired(TokenInvalid):
    """A genuine link that is too old to be used."""

    code = "expired-link"
    http_status = 410


@dataclass(frozen=True, slots=True)
class RsvpClaim:
    """What a valid RSVP token says: whose invitation, to which event, issued when."""

    participant_id: int
    event_id: int
    issued_at: datetime


class _Serializer(URLSafeTimedSerializer):
    """URLSafeTimedSerializer without the zlib attempt: a two-number payload never shrinks,
    and starting zlib costs more than the rest of the token (it matters for 10,000 letters).
    The tokens are byte-identical, and read by the stock loads."""

    def dump_payload(self, obj: Any) -> bytes:
        return base64_encode(self.serializer.dumps(obj, **self.serializer_kwargs).encode())


@lru_cache(maxsize=4)
def _cached_serializer(secret: str) -> URLSafeTimedSerializer:
    return _Serializer(secret, salt=RSVP_SALT)


def _serializer(issued_at: datetime | None = None) -> URLSafeTimedSerializer:
    secret = get_settings().secret_key.get_secret_value()
    if issued_at is None:
        return _cached_serializer(secret)
    stamp = int(issued_at.timestamp())

    class _IssuedAt(TimestampSigner):
        def get_timestamp(self) -> int:
            return stamp

    return _Serializer(secret, salt=RSVP_SALT, signer=_IssuedAt)


def make_rsvp_token(
    participant_id: int, event_id: int, *, issued_at: datetime | None = None
) -> str:
    """The URL-safe token for one participant's invitation ({base_url}/rsvp/{token})."""
    return str(_serializer(issued_at).dumps([int(participant_id), int(event_id)]))


def read_rsvp_token(token: str, max_age: int | timedelta = RSVP_MAX_AGE) -> RsvpClaim:
    """The claim in a token; TokenInvalid when altered, TokenExpired when older than max_age."""
    seconds = int(max_age.total_seconds()) if isinstance(max_age, timedelta) else int(max_age)
    try:
        payload, signed_at = _serializer().loads(token, max_age=seconds, return_timestamp=True)
    except SignatureExpired:
        raise TokenExpired(
            N_("This link has expired. Please contact the protocol office.")
        ) from None
    except BadSignature:
        raise TokenInvalid(N_("This link is not valid or has been altered.")) from None
    if (
        not isinstance(payload, list)
        or len(payload) != 2
        or not all(isinstance(x, int) for x in payload)
    ):
        raise TokenInvalid(N_("This link is not valid."))
    return RsvpClaim(payload[0], payload[1], signed_at.astimezone(UTC))
