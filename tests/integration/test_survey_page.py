"""The feedback survey page over HTTP, on SQLite and PostgreSQL, and its summary."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session

from acara.links import make_rsvp_token, make_survey_token
from models.clock import utcnow
from models.event import Event
from models.survey import SurveyResponse, summarise
from tests.followup_helpers import KUMPEH, SEKDA, count, held_visit
from tests.web_helpers import participant, seed_event

GOOD = {"overall": "5", "content": "4", "organisation": "5", "comment": "Sangat bermanfaat."}


def ended(session: Session, days_ago: float = 1) -> Event:
    """The held visit, moved so that it ended `days_ago` days before the real clock."""
    event = held_visit(session, minutes=False)
    shift = (utcnow() - timedelta(days=days_ago)) - event.ends_at
    event.starts_at += shift
    event.ends_at += shift
    session.add(event)
    session.commit()
    return event


def link(session: Session, event: Event, email: str) -> str:
    return f"/survey/{make_survey_token(participant(session, event, email).id or 0, event.id or 0)}"


def test_a_participant_answers_the_survey_and_the_summary_counts_it(
    session: Session, client: TestClient
) -> None:
    event = ended(session)
    url = link(session, event, KUMPEH)
    page = client.get(url)
    assert page.status_code == 200
    assert "Yth. Ahmad Hidayat, S.Sos., M.Si." in page.text
    assert "Secara keseluruhan, seberapa puas Anda dengan kegiatan ini?" in page.text
    sent = client.post(url, data=GOOD, follow_redirects=False)
    assert sent.status_code == 303 and sent.headers["location"] == f"{url}?done=1"
    thanks = client.get(sent.headers["location"])
    assert "Terima kasih!" in thanks.text and 'value="5" required checked' in thanks.text
    client.post(link(session, event, SEKDA), data={**GOOD, "overall": "3", "comment": ""})
    summary = summarise(session, event)
    assert summary.responses == 2
    assert summary.averages["overall"] == 4.0 and summary.counts["overall"][3] == 1
    assert summary.comments == ["Sangat bermanfaat."]


def test_answering_again_replaces_the_earlier_answer(session: Session, client: TestClient) -> None:
    event = ended(session)
    url = link(session, event, KUMPEH)
    client.post(url, data=GOOD)
    client.post(url, data={**GOOD, "overall": "2"})
    assert count(session, SurveyResponse) == 1
    assert summarise(session, event).averages["overall"] == 2.0


def test_an_incomplete_form_is_shown_again_with_what_is_missing(
    session: Session, client: TestClient
) -> None:
    event = ended(session)
    response = client.post(link(session, event, KUMPEH), data={**GOOD, "content": ""})
    assert response.status_code == 422
    assert "Mohon jawab setiap pertanyaan." in response.text
    assert "please choose a rating from 1 to 5" in response.text
    assert "Sangat bermanfaat." in response.text  # what was typed is kept
    assert count(session, SurveyResponse) == 0


def test_a_tampered_token_or_an_rsvp_token_opens_no_survey(
    session: Session, client: TestClient
) -> None:
    event = ended(session)
    url = link(session, event, KUMPEH)
    assert client.get(url[:-2] + "xx").status_code == 403
    someone = participant(session, event, KUMPEH)
    rsvp_token = make_rsvp_token(someone.id or 0, event.id or 0)
    assert client.get(f"/survey/{rsvp_token}").status_code == 403
    assert client.post(url[:-2] + "xx", data=GOOD).status_code == 403
    assert count(session, SurveyResponse) == 0


def test_the_survey_is_closed_before_the_event_ends_and_a_month_after(
    session: Session, client: TestClient
) -> None:
    event = ended(session, days_ago=31)
    url = link(session, event, KUMPEH)
    closed = client.get(url)
    assert closed.status_code == 410 and "tidak dibuka" in closed.text
    assert client.post(url, data=GOOD).status_code == 410
    assert count(session, SurveyResponse) == 0


def test_a_survey_link_opened_before_the_event_says_when_the_survey_opens(
    session: Session, client: TestClient
) -> None:
    event = seed_event(session, "kunjungan-camat-jambi.yaml")  # announced, Tuesday 8 December
    url = link(session, event, KUMPEH)
    early = client.get(url)
    assert early.status_code == 200 and "kedaluwarsa" not in early.text
    assert (
        "Survei ini dibuka setelah kegiatan selesai, pada Selasa, 8 Desember 2026 pukul "
        "15.30 WIB." in early.text
    )
    assert 'id="send"' not in early.text  # no form to fill in yet
    refused = client.post(url, data=GOOD)
    assert refused.status_code == 409 and "Survei belum dibuka" in refused.text
    assert count(session, SurveyResponse) == 0


def test_a_survey_link_opened_after_the_event_but_before_it_is_held_says_it_opens_soon(
    session: Session, client: TestClient
) -> None:
    event = seed_event(session, "kunjungan-camat-jambi.yaml")
    shift = (utcnow() - timedelta(hours=1)) - event.ends_at
    event.starts_at += shift
    event.ends_at += shift
    session.add(event)
    session.commit()
    page = client.get(link(session, event, KUMPEH))
    assert page.status_code == 200
    assert "Survei ini dibuka segera setelah kegiatan tercatat telah terlaksana." in page.text
