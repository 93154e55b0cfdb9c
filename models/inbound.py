"""Mail read back from the organiser's mailbox: each message once, what it was, what it did.

A reader claims a message by adding its row here (unique per mailbox and message key: the
IMAP UIDVALIDITY and UID, or the maildir key) in the same transaction as the answer it
applies. Two readers at once: the second finds the row taken and skips the message. A reader
killed before its commit leaves no row, so the next run reads the message again; nothing is
applied twice and nothing is lost.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Field, Session, SQLModel, col, select

from models.clock import UTCDateTime, enum_type, utcnow


class ReplyKind(StrEnum):
    """What a message read from the mailbox turned out to be."""

    CALENDAR = "calendar"  # an iMIP REPLY: accepted, declined, tentative, delegated
    COUNTER = "counter"  # a proposed new time (iMIP COUNTER)
    REFRESH = "refresh"  # a request for the current invitation (iMIP REFRESH)
    TYPED = "typed"  # written by a person ("Siap hadir, terima kasih")
    AUTOMATIC = "automatic"  # out-of-office and other automatic answers
    BOUNCE = "bounce"  # a delivery status notification (RFC 3464)
    MALFORMED = "malformed"  # could not be read at all


class ReplyOutcome(StrEnum):
    """What reading it did; HELD and SET_ASIDE wait for an officer (`acara replies list`)."""

    APPLIED = "applied"  # the participant's answer changed
    UNCHANGED = "unchanged"  # the same answer again
    STALE = "stale"  # refers to an older letter: kept in the history, overrides nothing
    NOTED = "noted"  # recorded with nothing more to do (a bounce, a REFRESH answered)
    HELD = "held"  # for the officer to read or decide: typed, COUNTER, forged, refused
    SET_ASIDE = "set_aside"  # malformed or hostile: kept for a person, nothing applied


FOR_THE_OFFICER = (ReplyOutcome.HELD, ReplyOutcome.SET_ASIDE)


class InboundMessage(SQLModel, table=True):
    """One message read from the organiser's mailbox, claimed once by the reader that handled it."""

    __table_args__ = (UniqueConstraint("mailbox", "mail_key", name="uq_inbound_once"),)

    id: int | None = Field(default=None, primary_key=True)
    mailbox: str = Field(max_length=300)  # where it was read: imap://host/INBOX, maildir:/path
    mail_key: str = Field(max_length=200)  # IMAP "UIDVALIDITY:UID", or the maildir key
    message_id: str = Field(default="", max_length=300)  # its Message-ID header
    sender: str = Field(default="", max_length=320, index=True)  # From address, lower-case
    sender_name: str = Field(default="", max_length=300)
    subject: str = Field(default="", max_length=500)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # its Date header
    read_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    kind: ReplyKind = Field(sa_type=enum_type(ReplyKind))
    outcome: ReplyOutcome = Field(sa_type=enum_type(ReplyOutcome), index=True)
    reason: str = Field(default="", max_length=500)  # one line for the officer
    event_id: int | None = Field(
        default=None, foreign_key="event.id", index=True, ondelete="SET NULL"
    )
    participant_id: int | None = Field(
        default=None, foreign_key="participant.id", ondelete="SET NULL"
    )
    # What was read: PARTSTAT, SEQUENCE, proposed times, a text excerpt, DSN fields.
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class MailBounce(SQLModel, table=True):
    """A delivery failure reported for an address (one row per address and report)."""

    id: int | None = Field(default=None, primary_key=True)
    address: str = Field(max_length=320, index=True)  # lower-case, as Person.email
    status: str = Field(max_length=20)  # RFC 3463 code, e.g. 5.1.1
    permanent: bool  # 5.x.x: the address does not work; 4.x.x: it may work later
    diagnostic: str = Field(default="", max_length=500)  # the remote server's words
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    inbound_id: int = Field(foreign_key="inboundmessage.id", index=True, ondelete="CASCADE")


def claim(session: Session, mailbox: str, mail_key: str) -> InboundMessage | None:
    """Take a message for this transaction; None when another reader already has it.

    The first statement of the transaction, so SQLite takes its write lock here and a second
    reader waits for the first to commit, then finds the row and skips the message.
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    row = {
        "mailbox": mailbox,
        "mail_key": mail_key,
        "message_id": "",
        "sender": "",
        "sender_name": "",
        "subject": "",
        "read_at": utcnow(),
        "kind": ReplyKind.MALFORMED.value,
        "outcome": ReplyOutcome.SET_ASIDE.value,
        "reason": "being read",
        "detail": {},
    }
    statement = (
        insert(InboundMessage.__table__)
        .values(row)
        .on_conflict_do_nothing(index_elements=["mailbox", "mail_key"])
        .returning(InboundMessage.__table__.c.id)
    )
    new_id = session.execute(statement).scalar()
    if new_id is None:
        return None
    return session.get(InboundMessage, new_id)


def known_keys(session: Session, mailbox: str) -> set[str]:
    """The keys of the messages of a mailbox that some reader already handled."""
    rows = session.exec(select(InboundMessage.mail_key).where(InboundMessage.mailbox == mailbox))
    return set(rows)


def bounce_state(session: Session, addresses: list[str]) -> dict[str, str]:
    """For each address that bounced: "permanent" (any 5.x.x) or "transient" (only 4.x.x)."""
    if not addresses:
        return {}
    rows = session.exec(
        select(MailBounce.address, MailBounce.permanent).where(
            col(MailBounce.address).in_([a.lower() for a in addresses])
        )
    )
    state: dict[str, str] = {}
    for address, permanent in rows:
        if permanent or address not in state:
            state[address] = "permanent" if permanent else state.get(address, "transient")
    return state
