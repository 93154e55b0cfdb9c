"""Officer accounts over HTTP (TestClient) and from a shell script: the login limit, sessions
that end on logout, disable and reset, CSRF tokens, and what a desk account may reach."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from acara.settings import get_settings
from acara.stages import officers
from acara.web import create_app
from acara.web.deps import require_role
from models.audit import AuditEntry
from models.clock import utcnow
from models.officers import Role
from models.people import Attendance
from tests.preloaded import ACARA
from tests.web_helpers import (
    PASSWORD,
    add_officer,
    alert_text,
    log_in,
    on_the_day,
    participants_in_order,
    seed_event,
)


def _wrong(client: TestClient, name: str = "Rina") -> int:
    return client.post("/login", data={"name": name, "password": "bukan-sandinya"}).status_code


def test_the_eleventh_wrong_login_within_a_minute_gets_429_until_the_window_passes(
    session: Session, client: TestClient
) -> None:
    add_officer("Rina")
    with time_machine.travel(utcnow(), tick=False) as clock:
        assert [_wrong(client) for _ in range(10)] == [401] * 10
        refused = client.post("/login", data={"name": "Rina", "password": PASSWORD})
        assert refused.status_code == 429  # even the right password, for now
        assert refused.headers["retry-after"] == "60"
        assert "Coba lagi dalam 60 detik" in alert_text(refused.text)
        clock.shift(timedelta(seconds=61))
        log_in(client)
    assert client.get("/events", follow_redirects=False).status_code == 200


def test_wrong_logins_from_one_address_are_limited_whatever_name_they_try(
    session: Session, client: TestClient
) -> None:
    add_officer("Rina")
    with time_machine.travel(utcnow(), tick=False) as clock:
        assert [_wrong(client, f"tebakan{i}") for i in range(10)] == [401] * 10
        assert _wrong(client, "Rina") == 429
        clock.shift(timedelta(seconds=30))
        assert _wrong(client, "lain") == 429
        assert client.post("/login", data={"name": "Rina", "password": PASSWORD}).status_code == 429


def test_logout_ends_the_session_on_the_server(session: Session, client: TestClient) -> None:
    event = seed_event(session, "kunjungan-camat-jambi.yaml")
    add_officer("Rina")
    log_in(client)
    first = client.cookies["acara_session"]
    log_in(client)  # again in the same browser: a new session id, and the first one ends
    old = client.cookies["acara_session"]
    assert old != first and officers.signed_in(first) is None
    assert client.post("/logout", follow_redirects=False).status_code == 303
    client.cookies.set("acara_session", old)  # the cookie kept from before logging out
    assert client.get("/events", follow_redirects=False).status_code == 303
    marked = client.post(f"/events/{event.id}/attendance", data={"status": "absent"})
    assert marked.status_code == 401


def test_disabling_or_resetting_an_account_ends_its_sessions_everywhere(
    session: Session, db_url: str
) -> None:
    add_officer("Rina")
    add_officer("Dedi", Role.DESK)
    with (
        TestClient(create_app()) as laptop,
        TestClient(create_app()) as phone,
        TestClient(create_app()) as desk,
    ):
        for client, name in ((laptop, "Rina"), (phone, "Rina"), (desk, "Dedi")):
            log_in(client, name)
        account, ended = officers.disable("Rina", actor="admin")
        assert ended == 2 and not account.active
        for client in (laptop, phone):
            assert client.get("/events", follow_redirects=False).status_code == 303
        assert _wrong(laptop) == 401  # a disabled account's right password is refused too
        assert desk.get("/events", follow_redirects=False).status_code == 200
        reset = officers.reset("Dedi", None, actor="admin")
        assert reset.sessions_ended == 1 and reset.link
        assert desk.get("/events", follow_redirects=False).status_code == 303
    actions = session.exec(select(AuditEntry.action, AuditEntry.actor)).all()
    assert ("officer.disabled", "admin") in actions and ("officer.reset", "admin") in actions


def test_a_form_without_the_sessions_csrf_token_is_refused(
    session: Session, client: TestClient
) -> None:
    event = seed_event(session, "kunjungan-camat-jambi.yaml")
    add_officer("Rina")
    first = participants_in_order(session, event)[0]
    ticked = {"status": "excused", "participant": [str(first.id)]}
    url = f"/events/{event.id}/attendance"
    with on_the_day(event):
        token = log_in(client)
        del client.headers["X-CSRF-Token"]
        missing = client.post(url, data=ticked)
        assert missing.status_code == 403 and "Formulir ditolak" in missing.text
        assert client.post(url, data={**ticked, "csrf_token": "0" * 64}).status_code == 403
        foreign = client.post(
            url, data={**ticked, "csrf_token": token}, headers={"Origin": "http://127.0.0.1:9999"}
        )
        assert foreign.status_code == 403 and "dikirim dari situs lain" in foreign.text
        assert session.exec(select(Attendance)).all() == []
        sent = client.post(url, data={**ticked, "csrf_token": token})
    assert sent.status_code == 200 and len(session.exec(select(Attendance)).all()) == 1


def _routes(routes: list[Any]) -> Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):  # FastAPI 0.150 includes routers lazily
            yield from _routes(route.original_router.routes)


def _officer_only_routes() -> list[tuple[str, str]]:
    """Every route that needs at least the officer role (those added later included)."""
    needs = {require_role(Role.OFFICER), require_role(Role.ADMIN)}
    return [
        (method, route.path)
        for route in _routes(create_app().routes)
        if any(d.call in needs for d in route.dependant.dependencies)
        for method in sorted(route.methods)
    ]


def test_a_desk_account_reaches_no_officer_page_and_posts_to_none(
    session: Session, client: TestClient
) -> None:
    event = seed_event(session, "kunjungan-camat-jambi.yaml")
    add_officer("Dedi", Role.DESK)
    log_in(client, "Dedi")
    routes = _officer_only_routes()
    assert ("GET", "/events/{ref}") in routes and ("POST", "/events/{ref}/attendance") in routes
    # Sending and approving: the workspace's actions.
    assert ("POST", "/events/{ref}/invitations/send") in routes
    assert ("POST", "/events/{ref}/minutes/approve") in routes
    for method, path in routes:
        url = re.sub(r"\{[^}]+\}", str(event.id), path)
        form = None if method == "GET" else {"status": "absent"}
        answer = client.request(method, url, data=form)
        assert answer.status_code == 403, (method, path)
        assert "Akun Anda (desk) tidak boleh melakukan ini." in answer.text
    assert session.exec(select(Attendance)).all() == []


def test_the_session_cookie_is_secure_on_https(
    session: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACARA_BASE_URL", "https://acara.tangerangkota.go.id")
    monkeypatch.setenv("ACARA_SECRET_KEY", "a-real-secret-for-this-test")
    get_settings.cache_clear()
    add_officer("Rina")
    page = client.post(
        "/login", data={"name": "Rina", "password": PASSWORD}, follow_redirects=False
    )
    cookie = page.headers["set-cookie"]
    assert cookie.startswith("acara_session=") and "HttpOnly" in cookie and "Secure" in cookie
    assert "SameSite=lax" in cookie and PASSWORD not in cookie and "Rina" not in cookie


def test_a_script_adds_an_officer_with_the_password_on_standard_input(
    session: Session, client: TestClient, db_url: str, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACARA_")}
    env.update(ACARA_DATABASE_URL=db_url, ACARA_DATA_DIR=str(tmp_path), ACARA_LANGUAGE="en")
    script = f"""
        set -euo pipefail
        PW=$(printf 'sandi-dari-skrip-%s' 42)
        printf '%s\\n' "$PW" | {ACARA} officer add "Sari Wulandari" --role officer --password-stdin
        printf 'pendek\\n' | {ACARA} officer add Budi --password-stdin || echo "refused: $?"
        {ACARA} officer list
    """
    done = subprocess.run(
        ["bash", "-c", script], env=env, capture_output=True, text=True, timeout=120, check=True
    )
    assert "Officer account Sari Wulandari (officer) added." in done.stdout
    assert "password: at least 10 characters" in done.stderr and "refused: 2" in done.stdout
    assert re.search(r"Sari Wulandari\s+│\s+Officer\s+│\s+Active", done.stdout)
    assert "Budi" not in done.stdout.split("refused")[1]
    page = client.post("/login", data={"name": "sari wulandari", "password": "sandi-dari-skrip-42"})
    assert page.status_code == 200 and "Sari Wulandari" in page.text


def test_an_administrator_adds_resets_and_disables_officers_in_the_browser_page(
    session: Session, db_url: str
) -> None:
    add_officer("Admin", Role.ADMIN)
    add_officer("Rina")
    with TestClient(create_app()) as admin, TestClient(create_app()) as rina:
        log_in(admin, "Admin")
        log_in(rina, "Rina")
        assert rina.get("/officers").status_code == 403  # officers do not manage accounts
        added = admin.post("/officers", data={"name": "Dedi", "role": "desk"})
        assert added.status_code == 200 and "Tautan sekali pakai untuk Dedi" in added.text
        link = re.search(r'id="link-url">([^<]+)<', added.text)
        assert link and "/officer/password/" in link[1]
        rows = admin.get("/officers").text
        assert re.search(r'data-officer="Dedi">\s*<td>Dedi</td>\s*<td>Meja registrasi', rows)
        rina_id = next(a.id for a in officers.accounts() if a.name == "Rina")
        reset = admin.post(f"/officers/{rina_id}/reset")
        assert "Tautan sekali pakai untuk Rina" in reset.text
        assert rina.get("/events", follow_redirects=False).status_code == 303  # session ended
        disabled = admin.post(f"/officers/{rina_id}/disable")
        assert disabled.status_code == 200 and "Akun dinonaktifkan" in disabled.text
    states = {a.name: a.state for a in officers.accounts()}
    assert states == {"Admin": "active", "Dedi": "waiting", "Rina": "disabled"}
    assert ("officer.added", "Admin") in session.exec(
        select(AuditEntry.action, AuditEntry.actor)
    ).all()
