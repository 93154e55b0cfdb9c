"""An event's own pages over HTTP (TestClient): its details edited and the event cancelled,
each planned first and carried out once confirmed; mistakes shown on the form."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from acara.cli import app
from acara.stages import invitations, replies
from models.audit import AuditEntry
from models.event import Event, EventStatus
from models.outbox import Message, MessageStatus
from tests.conftest import EXAMPLES
from tests.web_helpers import seed_event


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def form_errors(html: str) -> str:
    found = re.search(r'id="form-errors">(.*?)</div>', html, re.S)
    assert found, "the page shows no form errors"
    return text(found[1])


def invited(session: Session) -> Event:
    """The Jambi visit announced and every invitation sent (to the maildir)."""
    event = seed_event(session, "kunjungan-camat-jambi.yaml")
    invitations.owe_invitations(event.code, actor="Rina")
    assert event.id is not None and invitations.send_owed(event.id).sent == 34
    return event


def test_a_new_title_is_planned_then_saved_and_audited(
    session: Session, officer: TestClient
) -> None:
    event = invited(session)
    form = {
        "title": "Kunjungan Kerja Camat Provinsi Jambi",
        "subject": event.subject or "",
        "description": event.description,
        "letter_number": event.letter_number or "",
        "capacity": "",
    }
    plan = officer.post(f"/events/{event.id}/edit", data=form)
    assert plan.status_code == 200
    assert "Kunjungan Kerja Camat se-Provinsi Jambi" in text(plan.text)  # now → becomes
    assert "Tidak ada yang dikirimi apa pun." in text(plan.text)
    session.refresh(event)
    assert event.title == "Kunjungan Kerja Camat se-Provinsi Jambi"
    saved = officer.post(f"/events/{event.id}/edit", data={**form, "confirm": "1"})
    assert saved.status_code == 200 and 'id="saved"' in saved.text
    session.refresh(event)
    assert event.title == "Kunjungan Kerja Camat Provinsi Jambi"
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "edit")).one()
    assert entry.actor == "Rina" and entry.detail == {"title": form["title"]}


def test_a_capacity_below_one_is_shown_on_the_form_and_nothing_changes(
    session: Session, officer: TestClient
) -> None:
    event = seed_event(session, "kunjungan-camat-jambi.yaml")
    page = officer.post(
        f"/events/{event.id}/edit", data={"title": event.title, "capacity": "0", "confirm": "1"}
    )
    assert page.status_code == 422
    assert "Kapasitas" in form_errors(page.text)
    session.refresh(event)
    assert event.capacity is None


def test_a_cancellation_is_planned_then_sent_to_everyone_once_confirmed(
    session: Session, officer: TestClient
) -> None:
    event = invited(session)
    reason = {"reason": "Bertepatan dengan agenda Gubernur Jambi"}
    plan = officer.post(f"/events/{event.id}/cancel", data=reason)
    assert "Pembatalan" in text(plan.text) and "34" in text(plan.text)

    def cancellations() -> int:
        session.expire_all()
        return len(
            session.exec(
                select(Message).where(
                    Message.purpose == "cancellation", col(Message.status) == MessageStatus.SENT
                )
            ).all()
        )

    assert cancellations() == 0
    session.refresh(event)
    assert event.status is EventStatus.ANNOUNCED
    officer.post(f"/events/{event.id}/cancel", data={**reason, "confirm": "1"})
    session.refresh(event)
    assert event.status is EventStatus.CANCELLED
    assert event.cancel_reason == reason["reason"]
    assert cancellations() == 34


def test_a_cancellation_without_a_reason_is_refused_on_the_form(
    session: Session, officer: TestClient
) -> None:
    event = seed_event(session, "kunjungan-camat-jambi.yaml")
    page = officer.post(f"/events/{event.id}/cancel", data={"reason": " ", "confirm": "1"})
    assert page.status_code == 422
    assert "Alasan" in form_errors(page.text)
    session.refresh(event)
    assert event.status is EventStatus.ANNOUNCED


def test_a_bad_event_file_is_named_on_the_form_and_nothing_is_imported(
    session: Session, officer: TestClient
) -> None:
    yaml = (EXAMPLES / "kunjungan-camat-jambi.yaml").read_text(encoding="utf-8")
    bad = yaml.replace("kind: visit", "kind: visit\nvenue_typo: Balai Kota", 1)
    files = {"event_file": ("kunker.yaml", bad.encode()), "participant_list": ("", b"")}
    page = officer.post("/events/new", files=files)
    assert page.status_code == 422
    errors = form_errors(page.text)
    assert "kunker.yaml" in errors and "venue_typo" in errors
    assert session.exec(select(Event)).all() == []


def test_the_cli_imports_an_event_with_a_list_named_beside_it_as_the_upload_does(
    session: Session, tmp_path: Path
) -> None:
    listing = tmp_path / "peserta-final.csv"  # not the file's participants_file
    roster = (EXAMPLES / "camat_jambi.csv").read_text(encoding="utf-8").splitlines()
    listing.write_text("\n".join(roster[:6]) + "\n", encoding="utf-8")  # header and 5 camat
    result = CliRunner().invoke(
        app,
        [
            "event",
            "import",
            str(EXAMPLES / "kunjungan-camat-jambi.yaml"),
            "--participants",
            str(listing),
            "--yes",
        ],
    )
    assert result.exit_code == 0, result.output
    event = session.exec(select(Event)).one()
    assert len(replies.answers(event.code)[1]) == 4 + 5  # the file's own four, the list's five
