"""Answers an officer records for someone (phone, WhatsApp, letter) follow the RSVP page's rules.

On SQLite and PostgreSQL, with a real SMTP server: the same seats, waiting list, letters and
facts as an answer given on the participant's own page.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from acara.links import make_rsvp_token
from acara.stages import planning
from acara.stages import rsvp as stage
from models.audit import AuditEntry, DomainEvent
from models.errors import NotFound
from models.event import Event
from models.events import InvitationAnswered
from models.people import Participant, Person, RsvpStatus
from models.rsvp import AmbiguousPerson, Answer, Via, waiting_list
from models.timing import AlreadyOver
from tests.smtp_server import SmtpSink
from tests.web_helpers import days_ahead, participant, participants_in_order, seed_event

OFFICER = "Rina Marlina"
KUMPEH = "camat.kumpeh@jambiprov.go.id"  # Kelompok 1 - Pamulang of the Jambi visit


def email_of(session: Session, row: Participant) -> str:
    person = session.get(Person, row.person_id)
    assert person is not None
    return person.email


@pytest.mark.parametrize("by", ["web", "phone"])
def test_an_answer_by_phone_takes_a_seat_or_waits_exactly_as_one_on_the_web(
    session: Session, client: TestClient, sink: SmtpSink, by: str
) -> None:
    event = seed_event(session, "fgd-halifax.yaml", capacity=2)
    with days_ahead(event):
        first, second, third, fourth = participants_in_order(session, event)[:4]

        def answers(row: Participant, choice: Answer, how: str) -> None:
            if how == "web":
                token = make_rsvp_token(row.id, event.id)
                assert (
                    client.post(f"/rsvp/{token}", data={"answer": choice.value}).status_code == 200
                )
            else:
                stage.answer_for(event.code, email_of(session, row), choice, actor=OFFICER)

        answers(first, Answer.ACCEPT, "web")
        answers(second, Answer.ACCEPT, by)
        answers(third, Answer.ACCEPT, by)  # the event is full: the waiting list
        answers(fourth, Answer.ACCEPT, "web")
        answers(first, Answer.DECLINE, by)  # the first on the waiting list gets the seat

        counts = planning.dashboard(event.code).overall.rsvp
        assert (counts["accepted"], counts["waitlisted"], counts["declined"]) == (2, 1, 1)
        session.expire_all()
        assert [row.id for row in waiting_list(session, event.id)] == [fourth.id]
        (seat,) = sink.received_by(email_of(session, third))
        assert "daftar tunggu" in seat.message().get_body(("plain",)).get_content()
        channels = [
            fact.payload["channel"]
            for fact in session.exec(
                select(DomainEvent)
                .where(DomainEvent.name == InvitationAnswered.name)
                .order_by(col(DomainEvent.id))
            )
        ]
        assert channels == ["web", by, by, "web", by]


def test_a_representative_named_on_the_phone_gets_an_invitation_of_their_own(
    session: Session, sink: SmtpSink
) -> None:
    event = seed_event(session, "kunjungan-camat-jambi.yaml")
    with days_ahead(event):
        answered = stage.answer_for(
            event.code,
            "+62 812-7000-000",  # the camat's phone, written as the officer's contacts have it
            Answer.REPRESENT,
            actor=OFFICER,
            via=Via.WHATSAPP,
            stand_in=stage.StandIn(
                "Rahmat Hidayat, S.STP.",
                "Sekretaris Kecamatan Kumpeh",
                "sekcam.kumpeh@jambiprov.go.id",
            ),
            note="Pesan WhatsApp dari ajudan",
        )
        assert answered.outcome.status is RsvpStatus.REPRESENTED
        (invitation,) = sink.received_by("sekcam.kumpeh@jambiprov.go.id")
        mail = invitation.message()
        assert "text/calendar" in {part.get_content_type() for part in mail.walk()}
        assert "Rahmat Hidayat" in mail.get_body(("plain",)).get_content()
        fact = session.exec(
            select(DomainEvent).where(DomainEvent.name == InvitationAnswered.name)
        ).one()
        assert fact.payload["channel"] == "whatsapp" and fact.payload["actor"] == OFFICER
        audit = session.exec(select(AuditEntry).where(AuditEntry.action == "rsvp.represent")).one()
        assert audit.actor == OFFICER
        assert audit.detail["via"] == "whatsapp"
        assert audit.detail["note"] == "Pesan WhatsApp dari ajudan"


def test_a_name_shared_by_several_is_refused_naming_each_and_nobody_is_not_found(
    session: Session,
) -> None:
    event = seed_event(session, "kunjungan-camat-jambi.yaml")
    with days_ahead(event):
        with pytest.raises(AmbiguousPerson) as refused:
            stage.answer_for(event.code, "drs.", Answer.ACCEPT, actor=OFFICER)
        assert len(refused.value.candidates) == 5  # four camat and the host's Drs. H. Muhamad
        assert "Drs. Fitri Handayani, S.IP. (Camat Betara, camat.betara@jambiprov.go.id)" in (
            refused.value.candidates
        )
        with pytest.raises(NotFound):
            stage.answer_for(event.code, "nobody@example.org", Answer.ACCEPT, actor=OFFICER)
        assert (
            participant(session, event, "camat.betara@jambiprov.go.id").rsvp is RsvpStatus.PENDING
        )


def test_an_answer_after_the_event_ended_needs_force_and_its_reason_is_audited(
    session: Session,
) -> None:
    event = seed_event(session, "fgd-halifax.yaml")
    with days_ahead(event):
        after = event.ends_at + timedelta(hours=1)
        with pytest.raises(AlreadyOver):
            stage.answer_for(
                event.code, "mark.gilbert@dal.ca", Answer.DECLINE, actor=OFFICER, at=after
            )
        stage.answer_for(
            event.code,
            "mark.gilbert@dal.ca",
            Answer.DECLINE,
            actor=OFFICER,
            via=Via.LETTER,
            at=after,
            force="Surat tertanggal 8 Desember, baru diterima",
        )
        audit = session.exec(select(AuditEntry).where(AuditEntry.action == "rsvp.decline")).one()
        assert audit.detail["forced"] == "Surat tertanggal 8 Desember, baru diterima"
        assert audit.detail["via"] == "letter"


def test_a_dry_run_shows_the_change_and_records_nothing(session: Session) -> None:
    event = seed_event(session, "fgd-halifax.yaml")
    with days_ahead(event):
        planned = stage.answer_for(
            event.code, "Gilbert", Answer.ACCEPT, actor=OFFICER, dry_run=True
        )
        (change,) = planned.plan.changes
        assert (change.before, change.after) == ("pending", "accepted")
        assert change.params["name"] == "Prof. Mark Gilbert, Ph.D."
        session.expire_all()
        assert session.get(Event, event.id) is not None
        assert participant(session, event, "mark.gilbert@dal.ca").rsvp is RsvpStatus.PENDING


def test_someone_without_email_answers_by_phone_and_counts_like_everyone(
    session: Session, tmp_path: Path
) -> None:
    event = seed_event(session, "fgd-halifax.yaml")
    listed = tmp_path / "tambahan.csv"
    listed.write_text(
        "nama,sapaan,jabatan,telepon,alamat,peran\n"
        "Sutrisno,Bapak,Ketua RW 07 Kelurahan Sukaasih,0812 9000 0777,"
        "Jl. Mawar No. 7 Sukaasih,community\n",
        encoding="utf-8",
    )
    planning.import_participants(event.code, listed, skip_invalid=False, actor=OFFICER)
    with days_ahead(event):
        answered = stage.answer_for(event.code, "+62 812-9000-0777", Answer.ACCEPT, actor=OFFICER)
    assert (answered.name, answered.outcome.status) == ("Sutrisno", RsvpStatus.ACCEPTED)
    assert planning.dashboard(event.code).overall.rsvp["accepted"] == 1
