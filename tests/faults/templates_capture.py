"""Every e-mail acara writes, driven through its real composers once, with what each template got.

The fault tests then render the same templates with the captured contexts' strings replaced
by hostile text, so every template is tried with exactly the shape of data it really gets.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

import acara.messages.composers
import acara.render as rendering
from acara.i18n import LANGUAGES
from acara.messages.channels.maildir import MaildirTransport
from acara.messages.composers import NotOwed, compose
from acara.messages.delivery import deliver
from acara.stages import followup, invitations, planning
from acara.stages import minutes as minutes_stage
from acara.stages.reminders import owe_due_reminders
from models.event import Event
from models.lifecycle import reschedule
from models.outbox import Message
from models.people import Language, Participant, Person
from models.rsvp import Answer, respond
from tests.faults.conftest import invite_example
from tests.followup_helpers import ENDS, held_visit

EMAIL_TEMPLATES = Path(rendering.TEMPLATES) / "email"


@dataclass(frozen=True, slots=True)
class Captured:
    """One call of acara.render.render: template name, language and its context."""

    name: str
    language: str
    context: dict[str, Any]


def template_names() -> set[tuple[str, str]]:
    """(name, language) of every e-mail template pair on disk (partials start with "_") in
    every language acara speaks."""
    return {
        (path.name.split(".")[0], language)
        for path in EMAIL_TEMPLATES.glob("*.txt")
        if not path.name.startswith("_")
        for language in LANGUAGES
    }


def _owe_everything(session: Session, db_url: str, data: Path) -> None:
    """Queue one of every kind of message: the letters' whole life, on four example events."""
    data.mkdir(parents=True, exist_ok=True)
    forum = invite_example(session, db_url)  # invitations
    # Reminders and updates go to those whose invitation went out: send them (to a maildir).
    deliver(event_id=forum.event_id, transport=MaildirTransport(data / "outbox"))
    fgd = invite_example(session, db_url, "fgd-halifax.yaml")  # an English-speaking guest
    _free_a_seat(session, fgd.event_id)  # the waiting list's seat letter
    event = session.get(Event, forum.event_id)
    assert event is not None
    owe_due_reminders(event.starts_at - timedelta(days=3) + timedelta(minutes=5))  # nudge
    owe_due_reminders(event.starts_at - timedelta(days=1) + timedelta(minutes=5))  # reminder
    session.expire_all()
    event = session.get(Event, forum.event_id)
    assert event is not None
    reschedule(session, event, event.starts_at + timedelta(hours=1), actor="test")
    session.commit()
    invitations.owe_changes(forum.event_id)  # updates
    ceremony = invite_example(session, db_url, "penandatanganan-mou-ombudsman.yaml")
    deliver(event_id=ceremony.event_id, transport=MaildirTransport(data / "outbox"))
    planning.cancel(ceremony.event_id, reason="Wali Kota berhalangan", actor="test", react=False)
    visit = held_visit(session)  # minutes, then the follow-up
    minutes_stage.approve(visit.code, actor="test", now=ENDS + timedelta(hours=2), send_now=False)
    for days in (3, 10, 40):
        followup.owe(visit.id or 0, ENDS + timedelta(days=days))


def _free_a_seat(session: Session, event_id: int) -> None:
    """Fill a one-seat event, wait-list the next guest, then free the seat for them."""
    event = session.get(Event, event_id)
    assert event is not None
    event.capacity = 1
    first, second = session.exec(
        select(Participant.id).where(Participant.event_id == event_id).order_by(col(Participant.id))
    ).all()[:2]
    for participant_id, answer in (
        (first, Answer.ACCEPT),
        (second, Answer.ACCEPT),
        (first, Answer.DECLINE),
    ):
        respond(
            session, event_id=event_id, participant_id=participant_id, answer=answer, actor="test"
        )
    session.commit()


def capture_all(session: Session, db_url: str, data: Path) -> list[Captured]:
    """Owe every kind of message, compose each row, and record what reached the templates."""
    _owe_everything(session, db_url, data)
    seen: list[Captured] = []
    original = rendering.render

    def recording(name: str, language: str, context: Any) -> Any:
        seen.append(Captured(name, language, dict(context)))
        return original(name, language, context)

    # Composers may hold their own reference to render(): replace every one of them.
    modules = [rendering] + [
        importlib.import_module(f"acara.messages.composers.{m.name}")
        for m in pkgutil.iter_modules(acara.messages.composers.__path__)
    ]
    patched = [m for m in modules if getattr(m, "render", None) is original]
    for module in patched:
        module.render = recording  # type: ignore[attr-defined]
    try:
        # Every row twice: as if everyone read Indonesian, then as if everyone read English.
        for language in Language:
            session.execute(update(Person).values(language=language))
            session.commit()
            session.info.clear()  # composers cache per run in the session
            session.expire_all()
            for message in session.exec(select(Message).order_by(col(Message.id))).all():
                try:
                    compose(session, message)
                except NotOwed:
                    continue
    finally:
        for module in patched:
            module.render = original  # type: ignore[attr-defined]
    return seen
