"""The officer workspace over HTTP (TestClient): invitations, minutes, follow-up, documents."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import time_machine
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlmodel import Session, col, select

from acara.stages import planning
from models.event import Event, EventStatus
from models.minutes import ActionItem
from models.officers import Role
from models.outbox import Channel, Message, MessageStatus
from models.survey import parse_answers, submit
from tests.conftest import EXAMPLES
from tests.followup_helpers import ENDS, held_visit, pdf_text
from tests.smtp_server import SmtpSink
from tests.web_helpers import (
    add_officer,
    alert_text,
    log_in,
    on_the_day,
    participant,
    participants_in_order,
    seed_event,
)

KUMPEH = "camat.kumpeh@jambiprov.go.id"
JAMBI = "kunjungan-camat-jambi.yaml"
NOTULEN = EXAMPLES / "notulen-kunker-camat-jambi.md"


def outbox(session: Session, event: Event) -> list[Message]:
    session.expire_all()
    return list(session.exec(select(Message).where(Message.event_id == event.id)))


# --- invitations -------------------------------------------------------------------------------


def test_the_preview_is_the_letter_the_composer_writes_and_nothing_is_owed_by_looking(
    session: Session, officer: TestClient
) -> None:
    event = seed_event(session, JAMBI, announce=False)
    camat = participant(session, event, KUMPEH)
    page = officer.get(f"/events/{event.id}/invitations/preview/{camat.id}")
    assert page.status_code == 200, page.text
    assert "Undangan" in page.text and KUMPEH in page.text
    assert "invite.ics" in page.text
    frame = officer.get(f"/events/{event.id}/invitations/preview/{camat.id}/email.html")
    assert frame.status_code == 200 and "Kelompok 1 - Pamulang" in frame.text
    assert "sandbox" in frame.headers["content-security-policy"]
    assert frame.headers["x-frame-options"] == "SAMEORIGIN"
    letter = officer.get(f"/events/{event.id}/invitations/preview/{camat.id}/letter.pdf")
    assert letter.headers["content-type"] == "application/pdf"
    text = pdf_text(letter.content)
    assert "Ahmad Hidayat" in text and "Nomor" in text and "Tangerang Selatan," in text
    assert outbox(session, event) == []
    session.refresh(event)
    assert event.status is EventStatus.DRAFT


def test_sending_needs_the_confirmation_then_sends_in_the_background_to_the_end(
    session: Session, officer: TestClient, sink: SmtpSink
) -> None:
    event = seed_event(session, JAMBI, announce=False)
    page = officer.get(f"/events/{event.id}/invitations")
    assert page.status_code == 200
    assert "Undangan" in page.text and "data-count>34<" in page.text
    refused = officer.post(f"/events/{event.id}/invitations/send", data={"expected": "34"})
    assert refused.status_code == 422 and outbox(session, event) == []
    stale = officer.post(
        f"/events/{event.id}/invitations/send", data={"expected": "33", "confirm": "true"}
    )
    assert stale.status_code == 422 and "34" in alert_text(stale.text)
    sent = officer.post(
        f"/events/{event.id}/invitations/send", data={"expected": "34", "confirm": "true"}
    )
    assert sent.status_code == 200 and sent.url.path.endswith("/invitations/progress")
    assert 'id="finished"' in sent.text and 'http-equiv="refresh"' not in sent.text
    assert 'data-status="sent">34<' in sent.text
    assert sink.count == 34
    assert {m.status for m in outbox(session, event)} == {MessageStatus.SENT}
    session.refresh(event)
    assert event.status is EventStatus.ANNOUNCED
    # Every participant's letter, to print for the file.
    printed = officer.get(f"/events/{event.id}/documents/surat.pdf?everyone=true")
    assert "attachment" in printed.headers["content-disposition"]
    text = pdf_text(printed.content)
    assert "Ahmad Hidayat" in text and "Kelompok 3 - Serpong Utara" in text


def test_a_refused_recipient_shows_as_failed_with_the_servers_reason(
    session: Session, officer: TestClient, sink: SmtpSink
) -> None:
    event = seed_event(session, JAMBI, announce=False)
    sink.refuse(KUMPEH, 550, text="mailbox unknown")
    sent = officer.post(
        f"/events/{event.id}/invitations/send", data={"expected": "34", "confirm": "true"}
    )
    assert 'data-status="failed_permanent">1<' in sent.text
    assert KUMPEH in sent.text and "mailbox unknown" in sent.text


def approve_minutes(officer: TestClient, event: Event) -> TestClient:
    """On the day: upload the Jambi notulen, record the visit as held, approve (confirmed)."""
    with on_the_day(event):
        log_in(officer)
        officer.post(
            f"/events/{event.id}/minutes",
            files={"file": (NOTULEN.name, NOTULEN.read_bytes(), "text/markdown")},
        )
        officer.post(f"/events/{event.id}/hold", data={"confirm": "true"})
        approved = officer.post(f"/events/{event.id}/minutes/approve", data={"confirm": "true"})
        assert approved.status_code == 200, approved.text
    return officer


def test_the_invitations_page_switches_to_english(session: Session, officer: TestClient) -> None:
    event = seed_event(session, JAMBI, announce=False)
    page = officer.get(f"/events/{event.id}/invitations?lang=en")
    assert 'lang="en"' in page.text
    assert "Messages owed" in page.text and "Send 34 messages" in page.text
    assert "<td>Invitation</td>" in page.text and "Draft" in page.text
    later = officer.get(f"/events/{event.id}/documents")
    assert "Attendance list (Daftar Hadir)" in later.text  # the choice sticks


def test_a_camat_without_email_gets_a_printed_letter_handed_over_once_and_a_chat_link(
    session: Session, officer: TestClient, sink: SmtpSink, tmp_path: Path
) -> None:
    for name in (JAMBI, "camat_jambi.csv"):
        text = (EXAMPLES / name).read_text(encoding="utf-8").replace(KUMPEH, "")
        (tmp_path / name).write_text(text, encoding="utf-8")
    event_id = planning.import_event_file(tmp_path / JAMBI, actor="test").result.event_id
    sent = officer.post(
        f"/events/{event_id}/invitations/send", data={"expected": "34", "confirm": "true"}
    )
    assert 'data-status="sent">33<' in sent.text and sink.count == 33
    assert "1 surat harus dicetak" in sent.text
    page = officer.get(f"/events/{event_id}/invitations")
    letters = page.text[page.text.index('id="letters"') : page.text.index('id="chats"')]
    assert "Ahmad Hidayat, S.Sos., M.Si." in letters
    assert "https://wa.me/628127000000?text=" in page.text
    printed = officer.get(f"/events/{event_id}/documents/surat.pdf")
    assert "Ahmad Hidayat" in pdf_text(printed.content)
    nobody = officer.post(f"/events/{event_id}/letters/handed-over", data={"confirm": "true"})
    assert nobody.status_code == 422
    form = {"person": "Ahmad Hidayat, S.Sos., M.Si.", "confirm": "true"}
    handed = officer.post(f"/events/{event_id}/letters/handed-over", data=form)
    assert "1 surat ditandai sudah diserahkan" in handed.text
    assert "Tidak ada surat tercetak yang menunggu" in handed.text
    again = officer.post(f"/events/{event_id}/letters/handed-over", data=form)
    assert "0 surat ditandai" in again.text
    paper = session.exec(select(Message).where(Message.channel == Channel.LETTER)).all()
    assert [m.status for m in paper] == [MessageStatus.SENT]


# --- minutes -----------------------------------------------------------------------------------


def test_a_bad_minutes_file_is_refused_with_its_line_and_a_good_one_is_approved(
    session: Session, officer: TestClient, sink: SmtpSink
) -> None:
    event = seed_event(session, JAMBI)
    bad = NOTULEN.read_text().replace("due: 2026-12-15", "due: 15 Desember", 1)
    refused = officer.post(
        f"/events/{event.id}/minutes",
        files={"file": ("notulen.md", io.BytesIO(bad.encode()), "text/markdown")},
    )
    assert refused.status_code == 422
    assert "notulen.md line" in refused.text
    with on_the_day(event):
        log_in(officer)
        uploaded = officer.post(
            f"/events/{event.id}/minutes",
            files={"file": (NOTULEN.name, NOTULEN.read_bytes(), "text/markdown")},
        )
        assert uploaded.status_code == 200 and 'id="done"' in uploaded.text
        assert 'id="not-yet"' in uploaded.text  # the event is not held yet
        held = officer.post(f"/events/{event.id}/hold", data={"confirm": "true"})
        assert held.status_code == 200
        assert 'id="approve-button"' in held.text
        unconfirmed = officer.post(f"/events/{event.id}/minutes/approve")
        assert unconfirmed.status_code == 422
        approved = officer.post(f"/events/{event.id}/minutes/approve", data={"confirm": "true"})
    log_in(officer)  # the session of the day's clock is not one of today
    assert approved.status_code == 200, approved.text
    assert "Rina" in approved.text and 'id="minutes-status"' in approved.text
    pdf = officer.get(f"/events/{event.id}/documents/notulen.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "NOTULEN" in text.upper()


# --- follow-up ---------------------------------------------------------------------------------


def test_action_items_flag_the_overdue_and_one_is_marked_done(
    session: Session, officer: TestClient, sink: SmtpSink
) -> None:
    event = seed_event(session, JAMBI)
    approve_minutes(officer, event)
    items = session.exec(
        select(ActionItem).where(ActionItem.event_id == event.id).order_by(col(ActionItem.due_on))
    ).all()
    first = items[0]
    with time_machine.travel(datetime.combine(first.due_on, time(12), UTC) + timedelta(days=3)):
        log_in(officer)
        page = officer.get(f"/events/{event.id}/followup")
        row = re.search(rf'<tr data-item="{first.id}" class="overdue">(.*?)</tr>', page.text, re.S)
        assert row and "Terlambat 3 hari" in row[1]
        done = officer.post(f"/events/{event.id}/followup/actions/{first.id}/done")
    assert done.status_code == 200 and "selesai" in alert_text(done.text)
    session.refresh(first)
    assert first.status.value == "done" and first.done_by == "Rina"
    assert f'<tr data-item="{first.id}" class="overdue">' not in done.text


def test_a_desk_account_can_neither_send_nor_approve(session: Session, client: TestClient) -> None:
    event = seed_event(session, JAMBI, announce=False)
    add_officer("Dedi", Role.DESK)
    log_in(client, "Dedi")
    sent = client.post(
        f"/events/{event.id}/invitations/send", data={"expected": "34", "confirm": "true"}
    )
    assert sent.status_code == 403 and outbox(session, event) == []
    approved = client.post(f"/events/{event.id}/minutes/approve", data={"confirm": "true"})
    assert approved.status_code == 403


def test_the_survey_results_show_averages_a_bar_per_question_and_the_comments(
    session: Session, officer: TestClient
) -> None:
    event = held_visit(session)
    ratings = [(5, 4, 5, "Sangat bermanfaat"), (4, 4, 3, ""), (5, 2, 4, "Waktu terlalu singkat")]
    for row, (overall, content, organisation, comment) in zip(
        participants_in_order(session, event), ratings, strict=False
    ):
        answers = parse_answers(
            {
                "overall": overall,
                "content": content,
                "organisation": organisation,
                "comment": comment,
            }
        )
        submit(session, row, answers, now=ENDS)
    session.commit()
    page = officer.get(f"/events/{event.id}/followup")
    assert page.status_code == 200
    assert "3 jawaban" in page.text
    averages = re.findall(r'<td class="total">([0-9.]+)</td>', page.text)
    assert averages == ["4.67", "3.33", "4.00"]
    chart = re.search(r'<div class="chart" id="survey-chart">(.*?)</ul>', page.text, re.S)
    assert chart and chart[1].count('class="row"') == 4  # three questions and all of them
    assert 'data-count="5">3<' in chart[1] and 'data-count="4">4<' in chart[1]
    assert "Waktu terlalu singkat" in page.text and "Sangat bermanfaat" in page.text


# --- documents ---------------------------------------------------------------------------------


def test_each_document_downloads_with_its_text(session: Session, officer: TestClient) -> None:
    event = seed_event(session, JAMBI)
    page = officer.get(f"/events/{event.id}/documents")
    assert page.status_code == 200
    pdf = officer.get(f"/events/{event.id}/documents/daftar-hadir.pdf")
    assert pdf.status_code == 200
    assert "attachment" in pdf.headers["content-disposition"]
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "DAFTAR HADIR" in text.upper()
    csv = officer.get(f"/events/{event.id}/documents/daftar-hadir.csv")
    assert csv.status_code == 200 and "Kumpeh" in csv.content.decode("utf-8-sig")
    press = officer.get(f"/events/{event.id}/documents/siaran-pers.md")
    assert press.status_code == 200 and "Jambi" in press.text
    missing = officer.get(f"/events/{event.id}/documents/notulen.pdf")
    assert missing.status_code == 404
