"""Signed survey links: {base_url}/survey/{token}, scoped to one participant of one event."""

from __future__ import annotations

from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeSerializer

from acara.settings import get_settings
from acara.tokens import TokenInvalid
from models.errors import N_

SURVEY_SALT = "acara.survey.v1"  # a different salt: an RSVP token is never a survey token
SURVEY_PATH = "/survey/{token}"


@dataclass(frozen=True, slots=True)
class SurveyClaim:
    """Whose survey a valid token opens."""

    participant_id: int
    event_id: int


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(get_settings().secret_key.get_secret_value(), salt=SURVEY_SALT)


def make_survey_token(participant_id: int, event_id: int) -> str:
    """The token in one participant's survey link (the survey window is the event's rule)."""
    return str(_serializer().dumps([int(participant_id), int(event_id)]))


def read_survey_token(token: str) -> SurveyClaim:
    """The claim in a token; TokenInvalid when it was altered or is not a survey token."""
    try:
        payload = _serializer().loads(token)
    except BadSignature:
        raise TokenInvalid(N_("This survey link is not valid or has been altered.")) from None
    if (
        not isinstance(payload, list)
        or len(payload) != 2
        or not all(isinstance(x, int) and not isinstance(x, bool) for x in payload)
    ):
        raise TokenInvalid(N_("This survey link is not valid."))
    return SurveyClaim(payload[0], payload[1])


def survey_url(participant_id: int, event_id: int) -> str:
    """The personal survey page of a participant."""
    base = get_settings().base_url.rstrip("/")
    return base + SURVEY_PATH.format(token=make_survey_token(participant_id, event_id))
