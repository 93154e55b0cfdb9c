"""Helpers shared by the web tests: seed events from the examples, find people, read pages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import time_machine
from fastapi.testclient import TestClient
from playwright.sync_api import Page, expect
from sqlmodel import Session, col, select

from acara.eventfile import read_event_file
from acara.stages import officers
from models.event import Event
from models.lifecycle import Action, apply
from models.officers import Role
from models.people import Participant, Person
from models.planning import import_event
from tests.conftest import EXAMPLES


def seed_event(
    session: Session,
    example: str,
    *,
    capacity: int | None = None,
    timezone: str | None = None,
    announce: bool = True,
) -> Event:
    """Import an example event (optionally with a seat limit or zone) and announce it; committed."""
    spec, rows = read_event_file(EXAMPLES / example)
    if capacity is not None:
        spec = spec.model_copy(update={"capacity": capacity})
    if timezone is not None:
        spec = spec.model_copy(update={"timezone": timezone})
    result = import_event(session, spec, rows, actor="test")
    event = session.get(Event, result.event_id)
    assert event is not None
    if announce:
        apply(session, event, Action.ANNOUNCE, actor="test")
    session.commit()
    return event


@contextmanager
def on_the_day(event: Event) -> Iterator[None]:
    """The clock (and the app's) moved to ten minutes after the event's start, and running on:
    the desk is open. An officer logs in again inside: a session cookie is only good for a day."""
    with time_machine.travel(event.starts_at + timedelta(minutes=10), tick=True):
        yield


@contextmanager
def days_ahead(event: Event, days: int = 5) -> Iterator[None]:
    """The clock moved to some days before the event, and running on: invitations and answers
    are open whatever today's date (the seed events are in December 2026)."""
    with time_machine.travel(event.starts_at - timedelta(days=days), tick=True):
        yield


PASSWORD = "rahasia-petugas-1"  # every test officer's password


def add_officer(name: str = "Rina", role: Role = Role.OFFICER) -> None:
    """An officer account with the test password (the settings' database)."""
    officers.add(name, role, PASSWORD, actor="test")


def log_in(client: TestClient, name: str = "Rina") -> str:
    """Log a test client in; its later requests carry the session's CSRF token as a header
    (a browser sends it in the form's hidden field). Returns the token."""
    page = client.post("/login", data={"name": name, "password": PASSWORD})
    assert page.status_code == 200, page.text
    token = csrf_token(page.text)
    client.headers["X-CSRF-Token"] = token
    return token


def csrf_token(html: str) -> str:
    """The CSRF token in a page's forms."""
    match = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    assert match, "the page has no CSRF field"
    return match[1]


def participant(session: Session, event: Event, email: str) -> Participant:
    """The participant of the event with this e-mail address."""
    row = session.exec(
        select(Participant)
        .join(Person, col(Person.id) == Participant.person_id)
        .where(Participant.event_id == event.id, Person.email == email)
    ).one()
    return row


def participants_in_order(session: Session, event: Event) -> list[Participant]:
    """Every participant of the event, in import order."""
    return list(
        session.exec(
            select(Participant)
            .where(Participant.event_id == event.id)
            .order_by(col(Participant.id))
        )
    )


def alert_text(html: str) -> str:
    """The text of the page's error or status notice, whitespace collapsed."""
    match = re.search(r'<div class="notice[^"]*"[^>]*>(.*?)</div>', html, re.S)
    assert match, "the page has no notice"
    return " ".join(re.sub(r"<[^>]+>", " ", match[1]).split())


def browser_log_in(page: Page, base: str, target: str, name: str = "Rina") -> None:
    """Open an officer page, get sent to the login form, log in, land back on the page."""
    page.goto(f"{base}{target}")
    expect(page).to_have_url(f"{base}/login?next={target.replace('/', '%2F')}")
    page.get_by_label("Nama petugas").fill(name)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page).to_have_url(f"{base}{target}")


def jambi_in_2099(folder: Path, roster: str | None = None) -> tuple[Path, Path]:
    """The Jambi visit and its list moved to 2099 (the real clock never gets in the way);
    `roster` replaces the list's text."""
    for name in ("kunjungan-camat-jambi.yaml", "camat_jambi.csv"):
        text = (EXAMPLES / name).read_text(encoding="utf-8").replace("2026-", "2099-")
        (folder / name).write_text(text, encoding="utf-8")
    if roster is not None:
        (folder / "camat_jambi.csv").write_text(roster, encoding="utf-8")
    return folder / "kunjungan-camat-jambi.yaml", folder / "camat_jambi.csv"


def upload(page: Page, event_file: Path, roster: Path) -> None:
    """Choose an event file and its participant list on the new-event page and read them."""
    page.get_by_label("Berkas acara (YAML)").set_input_files(event_file)
    page.get_by_label("Daftar peserta (CSV atau XLSX)").set_input_files(roster)
    page.get_by_role("button", name="Baca berkas").click()
