"""Minutes on SQLite and PostgreSQL: recording, approval, who is owed them, the documents."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from acara.documents.attendance import attendance_csv, attendance_pdf
from acara.documents.minutes import minutes_html, write_minutes
from acara.documents.press import press_release
from acara.messages.composers import compose
from acara.render import render as render_email
from acara.stages import minutes as minutes_stage
from models.audit import DomainEvent
from models.errors import IllegalTransition, NotFound
from models.minutes import ActionItem, Decision, Minutes
from models.minutes_rules import MinutesAlreadyApproved, approve_minutes, minutes_of
from models.outbox import Message
from tests.followup_helpers import (
    ABSENT,
    ENDS,
    EXCUSED,
    HUMAS,
    KUMPEH,
    SEKDA,
    count,
    held_visit,
    owed,
    pdf_text,
    record_example_minutes,
    record_minutes_text,
    visit_on_the_day,
)

APPROVED_AT = ENDS + timedelta(hours=2)


def test_recording_the_minutes_again_replaces_the_draft(session: Session) -> None:
    event = visit_on_the_day(session)
    record_example_minutes(session, event)
    record_example_minutes(session, event)
    assert count(session, Minutes) == 1
    assert count(session, Decision) == 3
    assert count(session, ActionItem, col(ActionItem.event_id) == event.id) == 3


def test_approved_minutes_cannot_be_replaced(session: Session) -> None:
    event = held_visit(session)
    approve_minutes(session, event, actor="test", now=APPROVED_AT)
    session.commit()
    with pytest.raises(MinutesAlreadyApproved, match="approved and sent; they cannot be replaced"):
        record_example_minutes(session, event)


def test_minutes_are_approved_only_once_the_event_is_held(session: Session) -> None:
    event = visit_on_the_day(session)
    record_example_minutes(session, event)
    with pytest.raises(IllegalTransition, match="once it is held"):
        approve_minutes(session, event, actor="test", now=APPROVED_AT)


def test_approving_without_minutes_says_how_to_record_them(session: Session) -> None:
    event = held_visit(session, minutes=False)
    with pytest.raises(NotFound, match="acara minutes record kunker-camat-jambi-2026 FILE"):
        approve_minutes(session, event, actor="test", now=APPROVED_AT)


def test_approval_owes_the_minutes_once_to_everyone_present_and_every_owner(
    session: Session,
) -> None:
    event = held_visit(session)
    first = approve_minutes(session, event, actor="test", now=APPROVED_AT)
    session.commit()
    again = approve_minutes(session, event, actor="test", now=APPROVED_AT + timedelta(days=1))
    session.commit()
    assert first.newly_approved and first.queued == 31
    assert not again.newly_approved and again.queued == 0
    rows = owed(session, event, "minutes")
    recipients = {m.recipient for m in rows}
    assert len(rows) == 31 == len(recipients)
    assert {SEKDA, HUMAS, KUMPEH} <= recipients  # present, two of them own action items
    assert not recipients & {ABSENT, *EXCUSED}
    facts = session.exec(
        select(DomainEvent).where(DomainEvent.name == "acara.minutes.approved")
    ).all()
    assert len(facts) == 1 and facts[0].payload["event_id"] == event.id
    assert minutes_of(session, event).approved_at == APPROVED_AT  # type: ignore[union-attr]


def test_an_action_item_owner_from_outside_the_event_gets_the_minutes_too(
    session: Session,
) -> None:
    event = visit_on_the_day(session)
    record_minutes_text(
        session,
        event,
        "---\naction_items:\n  - description: Menyiapkan MoU\n    owner: Dr. Siti Aminah\n"
        "    email: siti.aminah@kemendagri.go.id\n    due: 2026-12-20\n---\n"
        "## Ringkasan\n\nRapat.\n",
    )
    from models.lifecycle import Action, apply

    apply(session, event, Action.HOLD, actor="test", now=APPROVED_AT)
    approve_minutes(session, event, actor="test", now=APPROVED_AT)
    session.commit()
    outsider = next(m for m in owed(session, event, "minutes") if m.recipient.startswith("siti"))
    assert outsider.participant_id is None
    mail = compose(session, outsider)
    assert mail.recipient.name == "Dr. Siti Aminah"
    assert "Menyiapkan MoU (batas waktu: Minggu, 20 Desember 2026)" in mail.text
    assert [a.filename for a in mail.attachments] == ["notulen-kunker-camat-jambi-2026.pdf"]


def test_the_minutes_pdf_carries_decisions_action_items_and_the_attendance_list(
    session: Session, acara_env: Path
) -> None:
    event = held_visit(session)
    approve_minutes(session, event, actor="cli", now=APPROVED_AT)
    session.commit()
    files = write_minutes(session, event, now=APPROVED_AT)
    assert files.pdf == acara_env / "documents" / event.code / f"notulen-{event.code}.pdf"
    text = pdf_text(files.pdf)
    assert "NOTULEN" in text and "Kunjungan Kerja Camat se-Provinsi Jambi" in text
    assert "Hari/Tanggal : Selasa, 8 Desember 2026" in text
    assert "Kedua pihak menjajaki kunjungan balasan pada triwulan pertama 2027." in text
    assert "Rina Marlina, S.I.Kom." in text and "Selasa, 15 Desember 2026" in text
    assert "Kami punya tujuh kecamatan" in text
    assert "Tangerang Selatan, 8 Desember 2026" in text  # signed where and when approved
    assert "DRAF" not in text
    # The attendance list is attached: names, statuses, signature column.
    assert "Lampiran: Daftar Hadir" in text and "Tanda Tangan" in text
    assert "Taufik Sembiring, S.IP." in text and "Izin" in text and "Tidak hadir" in text
    assert text.count("DAFTAR HADIR") == 4  # plenary and three groups


def test_draft_minutes_are_marked_as_a_draft(session: Session) -> None:
    event = held_visit(session)
    html = minutes_html(session, event, minutes_of(session, event), now=ENDS)  # type: ignore[arg-type]
    assert "DRAF — belum disetujui" in html


def test_user_text_in_the_minutes_is_shown_not_interpreted(session: Session) -> None:
    event = visit_on_the_day(session)
    record_minutes_text(
        session, event, "## Ringkasan\n\nRapat <script>alert(1)</script> **penting**.\n"
    )
    html = minutes_html(session, event, minutes_of(session, event), now=ENDS)  # type: ignore[arg-type]
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<strong>penting</strong>" in html


def test_the_attendance_pdf_lists_every_group_with_status_and_a_signature_column(
    session: Session,
) -> None:
    event = held_visit(session)
    text = pdf_text(attendance_pdf(session, event, now=ENDS))
    assert text.count("DAFTAR HADIR") == 4
    assert "PEMERINTAH KOTA TANGERANG SELATAN" in text
    assert "Hari/Tanggal : Selasa, 8 Desember 2026" in text
    assert "Tempat : Kantor Kecamatan Setu, Jl. Raya Puspiptek, Setu" in text
    assert "Kelompok : Kelompok 3 - Serpong Utara" in text
    assert "Jam Hadir (WIB)" in text and "Tanda Tangan" in text
    assert "Drs. H. Muhamad, M.Si." in text and "08.47" in text
    assert "Hasan Hasibuan, S.T., M.T." in text  # excused, in Kelompok 1
    for label in ("Hadir", "Izin", "Tidak hadir"):
        assert label in text


def test_the_attendance_csv_gives_status_codes_and_times_in_the_events_zone(
    session: Session,
) -> None:
    event = visit_on_the_day(session, timezone="WITA")
    rows = attendance_csv(session, event).splitlines()
    assert rows[0] == (
        "group,no,name,position,organisation,role,status,checked_in_at,represents,email,"
        "phone,address"
    )
    by_email = {row.rsplit(",", 3)[1]: row for row in rows[1:]}
    assert len(by_email) == 34
    assert ",present,2026-12-08 09:47 WITA," in by_email[SEKDA]  # 01.47 UTC is 09.47 WITA
    assert by_email[SEKDA].startswith('Pleno,1,"Drs. H. Muhamad, M.Si."')
    assert ",excused,," in by_email[EXCUSED[0]] and ",absent,," in by_email[ABSENT]


def test_someone_without_a_record_is_listed_as_unknown(session: Session) -> None:
    from tests.web_helpers import seed_event

    event = seed_event(session, "kunjungan-camat-jambi.yaml")
    rows = attendance_csv(session, event).splitlines()[1:]
    assert len(rows) == 34 and all(",unknown,," in row for row in rows)


def test_the_press_release_says_who_what_where_when_and_quotes_the_speakers(
    session: Session,
) -> None:
    event = held_visit(session)
    approve_minutes(session, event, actor="test", now=APPROVED_AT)
    session.commit()
    draft = press_release(session, event, now=APPROVED_AT).markdown
    assert "# Pemkot Tangerang Selatan Terima Kunjungan Kerja Camat se-Provinsi Jambi" in draft
    assert (
        "TANGERANG SELATAN – Pemerintah Kota (Pemkot) Tangerang Selatan menerima Kunjungan Kerja "
        "Camat se-Provinsi Jambi dari Badan Pengembangan Sumber Daya Manusia Provinsi Jambi "
        "di Ruang Blandongan, Balai Kota Tangerang Selatan, Selasa (8/12/2026)."
    ) in draft
    assert (
        "untuk diklat kali ini,” kata Sekretaris Daerah Kota Tangerang Selatan, "
        "Drs. H. Muhamad, di Ruang Blandongan"
    ) in draft
    assert "Sementara itu, Kepala BPSDM Provinsi Jambi, AM Iskandar Nasution," in draft
    assert "sudah berjalan dengan baik,” terangnya." in draft
    assert "dihadiri oleh 31 peserta" in draft
    assert "dibagi menjadi tiga kelompok yang mengunjungi Kantor Kecamatan Pamulang, " in draft
    assert "- Kedua pihak menjajaki kunjungan balasan pada triwulan pertama 2027." in draft
    assert "(notulen belum disetujui)" not in draft


def test_approve_writes_the_documents_and_a_rerun_owes_nothing_new(
    session: Session, acara_env: Path
) -> None:
    event = held_visit(session)
    first = minutes_stage.approve(event.code, actor="cli", now=APPROVED_AT, follow_up=False)
    second = minutes_stage.approve(event.code, actor="cli", now=APPROVED_AT, follow_up=False)
    assert first.newly_approved and first.queued == 31
    assert not second.newly_approved and second.queued == 0
    folder = acara_env / "documents" / event.code
    assert first.pdf == folder / f"notulen-{event.code}.pdf" and first.pdf.stat().st_size > 0
    assert first.html.read_text(encoding="utf-8").count("Tanda Tangan") == 4
    assert count(session, Message, col(Message.purpose) == "minutes") == 31


def test_the_minutes_letter_speaks_english_to_an_english_reader(session: Session) -> None:
    rendered = render_email(
        "minutes",
        "en",
        {
            "lang": "en",
            "host": "Pemerintah Kota Tangerang",
            "guest": "Dalhousie University",
            "sender": {"name": "Bagian Protokol", "email": "protokol@tangerangkota.go.id"},
            "letter": {
                "kop": ["PEMERINTAH KOTA TANGERANG"],
                "contact": "",
                "place": "Tangerang",
                "number": "",
                "subject": "FGD",
                "date": "10 December 2026",
            },
            "event": {
                "title": "FGD Halifax",
                "date_line": "Thursday, 10 December 2026",
                "time_line": "09:00–12:00 WIB",
                "place": "Tangerang Live Room (TLR)",
                "address": "",
            },
            "recipient": {
                "name": "Prof. Mark Gilbert, Ph.D.",
                "honorific": "",
                "addressed": "Prof. Mark Gilbert",
                "you": "you",
                "position": "",
                "organisation": "Dalhousie University",
            },
            "decisions": ["Both cities exchange their service standards."],
            "my_actions": [
                {
                    "description": "Send the Halifax 311 case study",
                    "due": "Friday, 18 December 2026",
                }
            ],
            "attachment": "notulen-fgd-halifax-2026.pdf",
        },
    )
    assert rendered.subject == "Minutes: FGD Halifax"
    assert "Dear Prof. Mark Gilbert," in rendered.text
    assert "Send the Halifax 311 case study (due Friday, 18 December 2026)" in rendered.text
    assert "invite.ics" not in rendered.text  # no calendar invite in this letter


def test_press_releases_of_a_forum_and_a_signing_read_like_the_citys_news(
    session: Session,
) -> None:
    from tests.web_helpers import seed_event

    forum = press_release(session, seed_event(session, "fkp-volume-3.yaml"), now=ENDS).markdown
    assert (
        "TANGERANG – Pemerintah Kota (Pemkot) Tangerang melalui Dinas Komunikasi dan Informatika "
        "Kota Tangerang kembali menggelar Forum Komunikasi Publik (FKP) Volume-3 yang mengambil "
        "tema “Peningkatan Kualitas Pelayanan Publik Menggunakan Standar Pelayanan Prima” di "
        "Aula Al-Amanah, Pusat Pemerintahan Kota Tangerang, Rabu (13/1/2027)."
    ) in forum
    assert "(notulen belum disetujui)" in forum  # no minutes yet: the PR office is told
    mou = seed_event(session, "penandatanganan-mou-ombudsman.yaml")
    signing = press_release(session, mou, now=ENDS).markdown
    assert "Banten menandatangani Nota Kesepahaman Pemerintah Kota Tangerang" in signing
    assert "Tandatangani Nota Kesepahaman" in signing  # not "Tandatangani Penandatanganan"
    assert "Tandatangani Penandatanganan" not in signing
