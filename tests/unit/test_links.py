"""Signed links and codes: RSVP tokens and check-in codes refuse anything they did not issue."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from acara.links import (
    BadCheckInCode,
    TokenExpired,
    TokenInvalid,
    checkin_code,
    checkin_qr_png,
    checkin_url,
    make_rsvp_token,
    read_checkin_code,
    read_rsvp_token,
)
from acara.settings import get_settings


@pytest.fixture(autouse=True)
def secret(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("ACARA_SECRET_KEY", "unit-test-secret")
    monkeypatch.setenv("ACARA_BASE_URL", "https://acara.tangerangkota.go.id")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_an_rsvp_token_names_the_participant_and_the_event() -> None:
    claim = read_rsvp_token(make_rsvp_token(128, 3))
    assert (claim.participant_id, claim.event_id) == (128, 3)


def test_a_tampered_rsvp_token_is_refused() -> None:
    token = make_rsvp_token(128, 3)
    _, rest = token.split(".", 1)
    forged = make_rsvp_token(129, 3).split(".", 1)[0] + "." + rest
    with pytest.raises(TokenInvalid) as caught:
        read_rsvp_token(forged)
    assert caught.value.http_status == 403
    with pytest.raises(TokenInvalid):
        read_rsvp_token(token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB"))


def test_an_rsvp_token_signed_with_another_key_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    token = make_rsvp_token(128, 3)
    monkeypatch.setenv("ACARA_SECRET_KEY", "another-secret")
    get_settings.cache_clear()
    with pytest.raises(TokenInvalid):
        read_rsvp_token(token)


def test_an_old_rsvp_token_has_expired() -> None:
    token = make_rsvp_token(128, 3, issued_at=datetime.now(UTC) - timedelta(days=200))
    with pytest.raises(TokenExpired) as caught:
        read_rsvp_token(token)
    assert caught.value.http_status == 410
    assert read_rsvp_token(token, max_age=timedelta(days=365)).participant_id == 128


def test_a_check_in_code_is_short_enough_to_type() -> None:
    code = checkin_code(128, 3)
    assert code.startswith("3-128-") and len(code) == len("3-128-") + 8
    assert read_checkin_code(code).participant_id == 128


def test_a_scanned_check_in_url_and_a_sloppily_typed_code_are_both_read() -> None:
    code = checkin_code(128, 3)
    url = checkin_url(128, 3)
    assert url == f"https://acara.tangerangkota.go.id/checkin/{code}"
    assert read_checkin_code(url).event_id == 3
    assert read_checkin_code(f"  {code.lower()} ").participant_id == 128
    # Base32 has no 0, 1 or 8: people type them for O, I and B.
    confusable = code[:6] + code[6:].replace("O", "0").replace("I", "1").replace("B", "8")
    assert read_checkin_code(confusable).participant_id == 128


@pytest.mark.parametrize(
    "typed",
    ["", "hello", "3-128", "3-129-AAAAAAAA", "4-128-AAAAAAAA", "3-128-AAAAAAA"],
)
def test_a_code_that_was_not_issued_is_refused(typed: str) -> None:
    with pytest.raises(BadCheckInCode):
        read_checkin_code(typed)


def test_changing_the_participant_in_a_real_code_is_detected() -> None:
    event, _, mac = checkin_code(128, 3).split("-")
    with pytest.raises(BadCheckInCode):
        read_checkin_code(f"{event}-129-{mac}")


def test_the_check_in_qr_is_a_png() -> None:
    png = checkin_qr_png(128, 3)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 300
