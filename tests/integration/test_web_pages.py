"""The web app over HTTP (TestClient) on SQLite and PostgreSQL: links, login, desk, dashboard."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email import policy
from email.parser import BytesParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from acara.links import checkin_code, make_rsvp_token
from models.audit import DomainEvent
from models.event import Event
from models.officers import Role
from models.outbox import Message, MessageStatus
from models.people import Attendance, AttendanceStatus, Participant, RsvpStatus
from tests.web_helpers import (
    PASSWORD,
    add_officer,
    alert_text,
    log_in,
    on_the_day,
    participant,
    participants_in_order,
    seed_event,
)

GILBERT = "mark.gilbert@dal.ca"  # the English-speaking professor of the Halifax FGD
KUMPEH = "camat.kumpeh@jambiprov.go.id"  # Kelompok 1 - Pamulang of the Jambi visit


def link(session: Session, event: Event, email: str) -> str:
    person = participant(session, event, email)
    return f"/rsvp/{make_rsvp_token(person.id, event.id)}"


def refreshed(session: Session, row: Participant) -> Participant:
    session.refresh(row)
    return row


# --- the RSVP page ---------------------------------------------------------------------------


def test_the_rsvp_page_shows_the_guests_own_invitation_in_english(
    session: Session, client: TestClient
) -> None:
    event = seed_event(session, "fgd-halifax.yaml")
    page = client.get(link(session, event, GILBERT))
    assert page.status_code == 200
    html = page.text
    assert 'lang="en"' in html and "Will you attend?" in html
    assert "Prof. Mark Gilbert, Ph.D." in html
    assert "Thursday, 10 December 2026, 09:00–12:00 WIB (UTC+7)" in html
    assert "09:30–10:30 WIB (UTC+7)" in html and "Tangerang Live Room (TLR)" in html
    # Only his own data: nobody else's name or address.
    for other in ("Sarah Thompson", "sarah.thompson@dal.ca", "Dedi Suhendi", "redaksi@"):
        assert other not in html


def test_an_indonesian_invitee_reads_the_page_in_indonesian_with_their_groups_agenda(
    session: Session, client: TestClient
) -> None:
    event = seed_event(session, "kunjungan-camat-jambi.yaml")
    html = client.get(link(session, event, KUMPEH)).text
    assert "Apakah Anda akan hadir?" in html and "Yth. Bapak Ahmad Hidayat" in html
    assert "Observasi layanan Kecamatan Pamulang" in html
    assert "Observasi layanan Kecamatan Setu" not in html  # another group's visit
    assert "11.00–14.00 WIB" in html


def test_accepting_records_the_answer_and_the_responded_fact(
    session: Session, client: TestClient
) -> None:
    event = seed_event(session, "fgd-halifax.yaml")
    guest = participant(session, event, GILBERT)
    page = client.post(link(session, event, GILBERT), data={"answer": "accept"})
    assert page.status_code == 200 and "done=accepted" in str(page.url)
    assert "We have noted that you will attend." in alert_text(page.text)
    assert re.search(r'id="status">Attending<', page.text)
    assert refreshed(session, guest).rsvp == RsvpStatus.ACCEPTED
    fact = session.exec(select(DomainEvent).where(DomainEvent.event_id == event.id)).all()[-1]
    assert fact.name == "acara.invitation.answered" and fact.payload["participant_id"] == guest.id


def test_a_full_event_puts_the_next_acceptance_on_the_waiting_list(
    session: Session, client: TestClient
) -> None:
    event = seed_event(session, "fgd-halifax.yaml", capacity=1)
    first, second = participants_in_order(session, event)[:2]
    client.post(f"/rsvp/{make_rsvp_token(first.id, event.id)}", data={"answer": "accept"})
    page = client.post(f"/rsvp/{make_rsvp_token(second.id, event.id)}", data={"answer": "accept"})
    assert "you are on the waiting list" in alert_text(page.text)  # the professor reads English
    assert refreshed(session, second).rsvp == RsvpStatus.WAITLISTED


def test_sending_a_representative_invites_them_with_their_own_message(
    session: Session, client: TestClient, acara_env: Path
) -> None:
    event = seed_event(session, "kunjungan-camat-jambi.yaml")
    camat = participant(session, event, KUMPEH)
    page = client.post(
        link(session, event, KUMPEH),
        data={
            "answer": "represent",
            "name": "Rahmat Hidayat, S.STP.",
            "position": "Sekretaris Kecamatan Kumpeh",
            "email": "sekcam.kumpeh@jambiprov.go.id",
        },
    )
    assert page.status_code == 200
    assert "Diwakili oleh" in page.text and "Rahmat Hidayat, S.STP." in page.text
    assert refreshed(session, camat).rsvp == RsvpStatus.REPRESENTED
    invitation = session.exec(
        select(Message).where(Message.recipient == "sekcam.kumpeh@jambiprov.go.id")
    ).one()
    stand_in = session.get(Participant, invitation.participant_id)
    assert invitation.purpose == "representative" and stand_in.represents_id == camat.id
    # Delivered after the answer was committed: a real invitation letter with a calendar invite.
    session.refresh(invitation)
    assert invitation.status == MessageStatus.SENT, invitation.last_error
    (letter,) = [
        BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        for path in (acara_env / "outbox" / "new").iterdir()
        if b"sekcam.kumpeh@jambiprov.go.id" in path.read_bytes()
    ]
    parts = {part.get_content_type() for part in letter.walk()}
    assert "text/calendar" in parts
    assert "Rahmat Hidayat" in letter.get_body(("plain",)).get_content()


def test_a_representative_without_an_email_address_gets_a_clear_422_page(
    session: Session, client: TestClient
) -> None:
    event = seed_event(session, "kunjungan-camat-jambi.yaml")
    page = client.post(
        link(session, event, KUMPEH),
        data={"answer": "represent", "name": "Rahmat", "position": "Sekcam", "email": "rahmat@"},
    )
    assert page.status_code == 422
    assert "E-mail" in page.text and "Traceback" not in page.text
    assert refreshed(session, participant(session, event, KUMPEH)).rsvp == RsvpStatus.PENDING


# --- links that must not work ----------------------------------------------------------------


def test_a_tampered_link_gets_a_403_page(session: Session, client: TestClient) -> None:
    event = seed_event(session, "fgd-halifax.yaml")
    token = link(session, event, GILBERT).removeprefix("/rsvp/")
    other = participant(session, event, "sarah.thompson@dal.ca")
    forged = make_rsvp_token(other.id, event.id).split(".")[0] + token[token.index(".") :]
    for bad in (forged, token[:-2] + ("xy" if not token.endswith("xy") else "yz"), "garbage"):
        page = client.get(f"/rsvp/{bad}")
        assert page.status_code == 403
        assert "Tautan ini tidak sah" in alert_text(page.text)
        assert "Traceback" not in page.text
    assert client.post(f"/rsvp/{forged}", data={"answer": "decline"}).status_code == 403
    assert refreshed(session, other).rsvp == RsvpStatus.PENDING


def test_an_expired_link_gets_a_410_page(session: Session, client: TestClient) -> None:
    event = seed_event(session, "fgd-halifax.yaml")
    guest = participant(session, event, GILBERT)
    old = make_rsvp_token(guest.id, event.id, issued_at=datetime.now(UTC) - timedelta(days=400))
    page = client.post(f"/rsvp/{old}", data={"answer": "accept"})
    assert page.status_code == 410 and "kedaluwarsa" in alert_text(page.text)
    assert refreshed(session, guest).rsvp == RsvpStatus.PENDING


def test_a_link_naming_another_event_gets_a_404_page(session: Session, client: TestClient) -> None:
    fgd = seed_event(session, "fgd-halifax.yaml")
    jambi = seed_event(session, "kunjungan-camat-jambi.yaml")
    guest = participant(session, fgd, GILBERT)
    page = client.post(f"/rsvp/{make_rsvp_token(guest.id, jambi.id)}", data={"answer": "accept"})
    assert page.status_code == 404
    assert refreshed(session, guest).rsvp == RsvpStatus.PENDING


def test_reusing_the_link_after_naming_a_representative_is_refused(
    session: Session, client: TestClient
) -> None:
    event = seed_event(session, "fgd-halifax.yaml")
    url = link(session, event, GILBERT)
    client.post(
        url,
        data={
            "answer": "represent",
            "name": "Sarah Connor",
            "position": "Associate Professor",
            "email": "s.connor@dal.ca",
        },
    )
    page = client.post(url, data={"answer": "accept"})
    assert page.status_code == 409
    assert "You already named a representative" in alert_text(page.text)
    assert "Will you attend?" not in client.get(url).text  # no more answer buttons


def test_answering_after_the_event_was_held_is_refused(
    session: Session, client: TestClient
) -> None:
    from models.lifecycle import Action, apply

    event = seed_event(session, "fgd-halifax.yaml")
    apply(session, event, Action.HOLD, actor="test", now=event.ends_at)
    session.commit()
    url = link(session, event, GILBERT)
    assert client.post(url, data={"answer": "accept"}).status_code == 409
    assert "Answers to this invitation are closed." in client.get(url).text


def test_a_cancelled_events_page_says_it_is_cancelled_and_why_instead_of_the_agenda(
    session: Session, client: TestClient
) -> None:
    from models.lifecycle import cancel

    event = seed_event(session, "fgd-halifax.yaml")
    cancel(session, event, actor="test", reason="Prof. Gilbert's flight was cancelled")
    session.commit()
    url = link(session, event, GILBERT)
    english = client.get(f"{url}?answer=accept").text
    assert "This event has been cancelled." in english
    assert "Reason: Prof. Gilbert&#39;s flight was cancelled" in english
    assert "Your agenda" not in english and "Public service in Halifax" not in english
    assert "Answers to this invitation are closed." not in english
    assert "Will you attend?" not in english and "has not been recorded yet" not in english
    nurdin = client.get(link(session, event, "walikota@tangerangkota.go.id")).text
    assert "Kegiatan ini dibatalkan." in nurdin and "Alasan: Prof. Gilbert" in nurdin


# --- officers --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/events", "/events/1", "/events/1/desk", "/events/1/attendance"])
def test_officer_pages_send_a_visitor_to_the_login_form(
    session: Session, client: TestClient, path: str
) -> None:
    seed_event(session, "fgd-halifax.yaml")
    page = client.get(path, follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == f"/login?next={path.replace('/', '%2F')}"


def test_officer_actions_without_login_are_refused_with_401(
    session: Session, client: TestClient
) -> None:
    event = seed_event(session, "fgd-halifax.yaml")
    guest = participant(session, event, GILBERT)
    code = checkin_code(guest.id, event.id)
    for path, data in (
        (f"/events/{event.id}/desk", {"code": code}),
        (f"/checkin/{code}", {}),
        (f"/events/{event.id}/attendance", {"status": "absent", "participant": [str(guest.id)]}),
    ):
        page = client.post(path, data=data)
        assert page.status_code == 401, path
    assert session.exec(select(Attendance)).all() == []


def test_a_made_up_session_cookie_is_not_a_login(session: Session, client: TestClient) -> None:
    seed_event(session, "fgd-halifax.yaml")
    add_officer("Rina")
    client.cookies.set("acara_session", "eyJuIjoiUmluYSJ9.forged.cookie")
    assert client.get("/events", follow_redirects=False).status_code == 303
    client.cookies.clear()
    log_in(client)
    assert client.get("/events", follow_redirects=False).status_code == 200


def test_a_wrong_password_is_refused_and_next_stays_on_this_site(
    session: Session, client: TestClient
) -> None:
    add_officer("Rina")
    wrong = client.post("/login", data={"name": "Rina", "password": "tebakan-salah"})
    assert wrong.status_code == 401 and "Nama atau kata sandi salah." in alert_text(wrong.text)
    page = client.post(
        "/login",
        data={"name": "rina", "password": PASSWORD, "next": "//evil.example/x"},
        follow_redirects=False,
    )
    assert page.headers["location"] == "/events"


def test_the_event_list_and_dashboard_show_counts_per_group_and_the_timetable(
    session: Session, officer: TestClient
) -> None:
    event = seed_event(session, "kunjungan-camat-jambi.yaml")
    officer.post(link(session, event, KUMPEH), data={"answer": "accept"})
    officer.post(link(session, event, "camat.sekernan@jambiprov.go.id"), data={"answer": "decline"})
    listing = officer.get("/events").text
    assert "Kunjungan Kerja Camat se-Provinsi Jambi" in listing
    page = officer.get(f"/events/{event.id}?by=group")
    assert page.status_code == 200
    chart = page.text.split('id="rsvp-chart"')[1].split('id="attendance-chart"')[0]
    assert 'data-count="accepted">1<' in chart and 'data-count="declined">1<' in chart
    assert 'data-count="pending">32<' in chart
    pamulang = re.search(r'data-group="Kelompok 1 - Pamulang">(.*?)</div>\s*</div>', chart, re.S)
    assert pamulang and 'class="seg-accepted"' in pamulang[1]
    grid = page.text.split('id="agenda"')[1]
    assert grid.index("Kelompok 1 - Pamulang") < grid.index("Kelompok 2 - Setu")
    assert "grid-column: 2 / 5" in grid  # plenary welcome spans the three groups


def test_a_second_scan_at_the_desk_says_already_checked_in_with_the_time(
    session: Session, officer: TestClient
) -> None:
    event = seed_event(session, "penandatanganan-mou-ombudsman.yaml", timezone="WITA")
    guest = participants_in_order(session, event)[1]
    code = checkin_code(guest.id, event.id)
    with on_the_day(event):
        log_in(officer)
        first = officer.post(f"/events/{event.id}/desk", data={"code": code})
        assert first.status_code == 200 and alert_text(first.text).startswith("Selamat datang")
        second = officer.post(f"/events/{event.id}/desk", data={"code": f"http://x/checkin/{code}"})
    notice = alert_text(second.text)
    row = session.exec(select(Attendance).where(Attendance.participant_id == guest.id)).one()
    local = row.checked_in_at.astimezone(ZoneInfo("Asia/Makassar"))
    assert "sudah registrasi" in notice and f"{local:%H.%M} WITA" in notice
    assert row.status == AttendanceStatus.PRESENT and row.recorded_by == "Rina"


def test_the_desk_refuses_a_code_from_another_event_and_a_mistyped_one(
    session: Session, officer: TestClient
) -> None:
    fgd = seed_event(session, "fgd-halifax.yaml")
    jambi = seed_event(session, "kunjungan-camat-jambi.yaml")
    guest = participant(session, fgd, GILBERT)
    foreign = officer.post(
        f"/events/{jambi.id}/desk", data={"code": checkin_code(guest.id, fgd.id)}
    )
    assert foreign.status_code == 409
    assert "acara lain: Focus Group Discussion" in alert_text(foreign.text)
    typo = officer.post(f"/events/{jambi.id}/desk", data={"code": "2-5-ABCDEFGH"})
    assert typo.status_code == 400 and 'name="code" autofocus' in typo.text  # keep scanning
    assert session.exec(select(Attendance)).all() == []


def test_officers_mark_ticked_participants_excused_in_one_go(
    session: Session, officer: TestClient
) -> None:
    event = seed_event(session, "kunjungan-camat-jambi.yaml")
    ticked = [p.id for p in participants_in_order(session, event)[5:9]]
    with on_the_day(event):
        log_in(officer)
        page = officer.post(
            f"/events/{event.id}/attendance",
            data={"status": "excused", "participant": [str(i) for i in ticked]},
        )
    assert page.status_code == 200 and "4 peserta ditandai: Izin." in alert_text(page.text)
    rows = session.exec(select(Attendance)).all()
    assert sorted(r.participant_id for r in rows) == ticked
    assert {r.status for r in rows} == {AttendanceStatus.EXCUSED}


def test_the_check_in_card_shows_the_qr_and_only_officers_can_mark_present(
    session: Session, client: TestClient
) -> None:
    event = seed_event(session, "fgd-halifax.yaml")
    guest = participant(session, event, GILBERT)
    code = checkin_code(guest.id, event.id)
    card = client.get(f"/checkin/{code}")
    assert card.status_code == 200 and "<svg" in card.text and code in card.text
    assert "Show this code at the registration desk." in card.text
    assert "mark-present" not in card.text
    assert client.get(f"/checkin/{code}/qr.png").content.startswith(b"\x89PNG")
    add_officer("Dedi", Role.DESK)
    with on_the_day(event):
        log_in(client, "Dedi")
        assert "mark-present" in client.get(f"/checkin/{code}").text
        marked = client.post(f"/checkin/{code}")
    assert marked.status_code == 200 and 'id="checked-in"' in marked.text
    row = session.exec(select(Attendance).where(Attendance.participant_id == guest.id)).one()
    assert row.recorded_by == "Dedi"


# --- every page is a page ------------------------------------------------------------------


def test_unknown_pages_and_bugs_are_html_pages_without_a_traceback(
    session: Session, officer: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_event(session, "fgd-halifax.yaml")
    missing = officer.get("/events/no-such-event")
    assert missing.status_code == 404 and "Tidak ada acara dengan id atau kode" in missing.text
    assert officer.get("/nowhere").status_code == 404

    def broken(*_: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr("acara.stages.planning.tally", broken)
    page = officer.get("/events")
    assert page.status_code == 500 and "text/html" in page.headers["content-type"]
    assert "secret internals" not in page.text and "Traceback" not in page.text


def test_pages_are_not_cached_framed_or_leaking_the_link_as_referrer(
    session: Session, client: TestClient
) -> None:
    event = seed_event(session, "fgd-halifax.yaml")
    page = client.get(link(session, event, GILBERT))
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "same-origin"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]


def test_an_officer_can_switch_the_pages_to_english_and_it_sticks(
    session: Session, officer: TestClient
) -> None:
    event = seed_event(session, "kunjungan-camat-jambi.yaml")
    assert "Konfirmasi kehadiran per kelompok" in officer.get(f"/events/{event.id}").text
    english = officer.get(f"/events/{event.id}?lang=en").text
    assert "Answers per group" in english and "Tuesday, 8 December 2026" in english
    assert "Registration desk" in officer.get(f"/events/{event.id}/desk").text


def test_the_links_in_the_letter_preselect_the_choice_without_answering(
    session: Session, client: TestClient
) -> None:
    event = seed_event(session, "kunjungan-camat-jambi.yaml")
    camat = participant(session, event, KUMPEH)
    represent = client.get(f"{link(session, event, KUMPEH)}?answer=represent").text
    assert re.search(r'<details class="represent"\s+open', represent)
    accept = client.get(f"{link(session, event, KUMPEH)}?answer=accept").text
    assert re.search(r'id="accept" autofocus', accept) and 'id="decline" autofocus' not in accept
    # It says plainly that the answer still waits for one more click.
    assert "Jawaban Anda belum tercatat: tekan “Ya, saya hadir” di bawah ini" in accept
    plain = client.get(link(session, event, KUMPEH)).text
    assert "belum tercatat" not in plain
    # Following a link is not an answer: a mail scanner that opens it changes nothing.
    assert refreshed(session, camat).rsvp == RsvpStatus.PENDING


def test_a_decline_gives_the_seat_to_the_waiting_list_and_tells_them_by_letter(
    session: Session, client: TestClient, acara_env: Path
) -> None:
    event = seed_event(session, "fgd-halifax.yaml", capacity=1)
    first, second = participants_in_order(session, event)[:2]
    client.post(f"/rsvp/{make_rsvp_token(first.id, event.id)}", data={"answer": "accept"})
    client.post(f"/rsvp/{make_rsvp_token(second.id, event.id)}", data={"answer": "accept"})
    client.post(f"/rsvp/{make_rsvp_token(first.id, event.id)}", data={"answer": "decline"})
    assert refreshed(session, second).rsvp == RsvpStatus.ACCEPTED
    (seat,) = session.exec(select(Message).where(Message.purpose == "seat")).all()
    assert seat.participant_id == second.id and seat.status == MessageStatus.SENT
    letters = [
        BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        for path in (acara_env / "outbox" / "new").iterdir()
    ]
    (letter,) = [m for m in letters if m["To"].addresses[0].addr_spec == seat.recipient]
    body = letter.get_body(("plain",)).get_content()
    assert "waiting list" in body or "daftar tunggu" in body
    assert "/rsvp/" in body and "answer=decline" in body
