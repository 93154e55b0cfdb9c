"""The letter register: every official letter issued (invitation, update, cancellation), once.

A letter is issued for one outbox row (models.outbox.Message) and only once: composing the row
again (a retried delivery, a reprint) finds its letter and prints the same number, date and code.
The code is printed with a QR on the letter and opens the public check page, which says whether
the letter still stands (`standing`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Field, Session, SQLModel, col, select

from models.clock import UTCDateTime, enum_type, utcnow
from models.event import Event, EventStatus
from models.outbox import Channel, Message, MessageStatus


class LetterKind(StrEnum):
    """What a letter tells its reader."""

    INVITATION = "invitation"
    UPDATE = "update"  # a change of schedule or place (a higher calendar SEQUENCE)
    CANCELLATION = "cancellation"


class Standing(StrEnum):
    """What the check page says of a letter."""

    VALID = "valid"
    SUPERSEDED = "superseded"  # a later letter to the same person replaces it
    CANCELLED = "cancelled"  # the event is cancelled (the cancellation letter itself is valid)


# Outbox purposes whose messages carry a letter (models.invitations; "refresh" answers a
# calendar's REFRESH with the current letter).
LETTER_PURPOSES = ("invitation", "representative", "update", "cancellation", "refresh")


class Letter(SQLModel, table=True):
    """One letter issued: to whom, about which event, under which number, and its check code."""

    id: int | None = Field(default=None, primary_key=True)
    # The outbox row the letter was issued for: one letter per message, ever.
    message_id: int = Field(foreign_key="message.id", unique=True, ondelete="CASCADE")
    event_id: int = Field(foreign_key="event.id", index=True, ondelete="CASCADE")
    participant_id: int | None = Field(
        default=None, foreign_key="participant.id", index=True, ondelete="SET NULL"
    )
    recipient: str = Field(max_length=320)  # the outbox row's recipient (address or person key)
    addressee: str = Field(max_length=400)  # the name as the letter addresses it, with titles
    kind: LetterKind = Field(sa_type=enum_type(LetterKind))
    number: str = Field(default="", max_length=120)  # the event's nomor surat at issue
    sequence: int = 0  # the calendar SEQUENCE the letter told
    issued_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    code: str = Field(unique=True, max_length=40)  # printed with the QR: "1042-K7QX3MAB"


@dataclass(frozen=True, slots=True)
class Issue:
    """A letter to issue for one outbox row (its code is made by the caller, who holds the key)."""

    message_id: int
    event_id: int
    participant_id: int | None
    recipient: str
    addressee: str
    kind: LetterKind
    number: str
    sequence: int
    code: str


def _insert(session: Session) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return postgresql_insert(Letter.__table__)
    return sqlite_insert(Letter.__table__)


def issue(session: Session, letter: Issue, now: datetime | None = None) -> Letter:
    """The letter of an outbox row: a new row (in the caller's transaction), or the one already
    issued. Two callers at once still issue it once (the message id is unique)."""
    values = {
        "message_id": letter.message_id,
        "event_id": letter.event_id,
        "participant_id": letter.participant_id,
        "recipient": letter.recipient,
        "addressee": letter.addressee[:400],
        "kind": letter.kind,
        "number": letter.number[:120],
        "sequence": letter.sequence,
        "issued_at": now or utcnow(),
        "code": letter.code,
    }
    table = Letter.__table__
    statement = (
        _insert(session)
        .values(values)
        .on_conflict_do_nothing(index_elements=["message_id"])
        .returning(*table.c)
    )
    inserted = session.execute(statement).first()
    if inserted is not None:
        return Letter.model_validate(dict(inserted._mapping))
    found = issued_for(session, [letter.message_id]).get(letter.message_id)
    assert found is not None
    return found


def issued_for(session: Session, message_ids: list[int]) -> dict[int, Letter]:
    """The letters already issued for these outbox rows, by message id (one query)."""
    if not message_ids:
        return {}
    rows = session.exec(select(Letter).where(col(Letter.message_id).in_(message_ids)))
    return {letter.message_id: letter for letter in rows}


def by_code(session: Session, code: str) -> Letter | None:
    """The letter with this code (the caller has checked the code's MAC)."""
    return session.exec(select(Letter).where(Letter.code == code)).first()


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the check page shows: the letter, its event, whether it stands, what replaced it."""

    letter: Letter
    event: Event
    standing: Standing
    later: Letter | None = None  # the letter that replaces it, once issued


def standing(session: Session, letter: Letter) -> Verdict:
    """Whether a letter still stands: valid; superseded by a later letter to the same person
    (a reschedule's update, or a cancellation); or about an event since cancelled."""
    event = session.get(Event, letter.event_id)
    assert event is not None  # letters are deleted with their event
    if event.status is EventStatus.CANCELLED and letter.kind is not LetterKind.CANCELLATION:
        return Verdict(letter, event, Standing.CANCELLED, _latest(session, letter))
    later = session.exec(
        select(Message.id)
        .where(
            col(Message.event_id) == letter.event_id,
            col(Message.recipient) == letter.recipient,
            col(Message.purpose).in_(LETTER_PURPOSES),
            col(Message.sequence) > letter.sequence,
            col(Message.status) != MessageStatus.SUPERSEDED,
        )
        .limit(1)
    ).first()
    if later is None:
        return Verdict(letter, event, Standing.VALID)
    return Verdict(letter, event, Standing.SUPERSEDED, _latest(session, letter))


def _latest(session: Session, letter: Letter) -> Letter | None:
    """The newest letter issued to the same person for the event, when it is another one."""
    newest = session.exec(
        select(Letter)
        .where(
            col(Letter.event_id) == letter.event_id,
            col(Letter.recipient) == letter.recipient,
            col(Letter.sequence) > letter.sequence,
        )
        .order_by(col(Letter.sequence).desc(), col(Letter.id).desc())
        .limit(1)
    ).first()
    return newest


def hand_over(session: Session, message_ids: list[int], now: datetime | None = None) -> int:
    """Mark printed letters (outbox rows on Channel.LETTER still owed) as handed over, i.e.
    sent; returns how many were marked now. A letter already handed over is not marked again."""
    marked = 0
    for start in range(0, len(message_ids), 500):
        statement = (
            update(Message)
            .where(
                col(Message.id).in_(message_ids[start : start + 500]),
                col(Message.channel) == Channel.LETTER,
                col(Message.status).in_((MessageStatus.QUEUED, MessageStatus.RETRY)),
            )
            .values(status=MessageStatus.SENT, sent_at=now or utcnow(), last_error=None)
            .execution_options(synchronize_session=False)
        )
        marked += session.execute(statement).rowcount
    return marked
