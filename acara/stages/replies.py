"""The replies stage: read the organiser's mailbox and let each message do what it says.

Calendar replies (Accept, Decline, Tentative, Delegate in Outlook, Gmail, Apple Calendar,
Thunderbird) go through the RSVP rules and publish InvitationAnswered with channel
"calendar"; a COUNTER, a typed reply, an out-of-office notice, a forged or broken message is
kept for the officer (`acara replies list`); a bounce marks the address.

Each message is one unit of work: claim it (models.inbound.claim), decide, commit, then
publish and send what the answer owes (a representative's invitation, a freed seat's letter,
the REQUEST a REFRESH asked for). Two readers at once claim each message once; a reader
killed before its commit leaves the message for the next run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from acara.db import unit_of_work
from acara.messages.delivery import deliver
from acara.messages.inbound import parse
from acara.messages.inbound.mailboxes import (
    Envelope,
    Mailbox,
    MaildirMailbox,
    mailbox_from_settings,
)
from acara.precedence import precedence
from acara.settings import get_settings
from acara.stages.unit import change
from models.clock import utcnow
from models.errors import N_
from models.event import Event
from models.inbound import (
    FOR_THE_OFFICER,
    InboundMessage,
    ReplyKind,
    ReplyOutcome,
    bounce_state,
    claim,
    known_keys,
)
from models.people import Participant, Person
from models.queries import get_event, participants
from models.replies import MailRead, answered_via, apply, public_answer

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Handled:
    """One message read: what it was and what it did (or that another reader had it)."""

    key: str
    sender: str
    kind: str
    outcome: str
    reason: str  # in English, for logs and flows
    event_code: str = ""
    taken: bool = False  # another reader handled it first: nothing done here
    after: tuple[str, ...] = ()  # what happened after the commit (published, sent)
    template: str = ""  # the reason's English template and params, to word it for a reader
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class ReadReport:
    """What one reading of a mailbox did, message by message."""

    mailbox: str
    handled: list[Handled] = field(default_factory=list)
    problem: str = ""  # why the reading stopped early, if it did (English; a catalog msgid)

    def count(self, outcome: ReplyOutcome) -> int:
        """How many messages ended with this outcome."""
        return sum(1 for h in self.handled if not h.taken and h.outcome == outcome.value)

    def summary(self) -> dict[str, object]:
        """Counts for a flow's result and the CLI's last line."""
        counts = {o.value: self.count(o) for o in ReplyOutcome}
        return {
            "mailbox": self.mailbox,
            "read": sum(1 for h in self.handled if not h.taken),
            **{k: v for k, v in counts.items() if v},
            "problem": self.problem,
        }


Progress = Callable[[Handled], None]


def read_configured(*, limit: int | None = None, on_message: Progress | None = None) -> ReadReport:
    """Read the mailbox of the settings (ACARA_IMAP_URL); nothing when none is configured."""
    mailbox = mailbox_from_settings()
    if mailbox is None:
        return ReadReport("", problem=N_("no mailbox configured (ACARA_IMAP_URL is not set)"))
    return read_mailbox(mailbox, limit=limit, on_message=on_message)


def read_maildir(path: Path, *, on_message: Progress | None = None) -> ReadReport:
    """Read a maildir folder (the demo, the tests, or mail saved from another program)."""
    return read_mailbox(MaildirMailbox(Path(path)), on_message=on_message)


def read_mailbox(
    mailbox: Mailbox, *, limit: int | None = None, on_message: Progress | None = None
) -> ReadReport:
    """Read every message of the mailbox no reader handled yet, each in its own transaction."""
    max_bytes = get_settings().imap_max_bytes
    with mailbox:
        report = ReadReport(mailbox.name)
        with unit_of_work() as session:
            known = known_keys(session, mailbox.name)
        envelopes = mailbox.envelopes(skip=known)
        for envelope in envelopes[:limit] if limit else envelopes:
            handled = _read_one(mailbox, envelope, max_bytes)
            if handled is None:
                continue
            report.handled.append(handled)
            if on_message is not None:
                on_message(handled)
    return report


def _read_one(mailbox: Mailbox, envelope: Envelope, max_bytes: int) -> Handled | None:
    too_large = envelope.size > max_bytes
    raw = mailbox.header(envelope.key) if too_large else mailbox.fetch(envelope.key)
    if raw is None:  # removed from the mailbox meanwhile
        return None
    mail = parse.read(raw, size=envelope.size, too_large=too_large)
    try:
        return handle(mailbox.name, envelope.key, mail)
    except Exception as exc:
        # A bug or a refusal of the database for this one message: record it as set aside
        # (so it is not read again and again) and go on with the next.
        log.exception("message %s of %s could not be handled", envelope.key, mailbox.name)
        broken = MailRead(
            ReplyKind.MALFORMED,
            message_id=mail.message_id,
            sender=mail.sender,
            sender_name=mail.sender_name,
            subject=mail.subject,
            sent_at=mail.sent_at,
            problem=N_("could not be handled: {error}"),
            problem_params={"error": f"{type(exc).__name__}: {exc}"[:300]},
            size=envelope.size,
        )
        return handle(mailbox.name, envelope.key, broken)


def handle(mailbox: str, key: str, mail: MailRead) -> Handled:
    """Claim one message and apply it in one transaction; then publish and send what it owes."""
    with change(defer=True) as (session, published):
        row = claim(session, mailbox, key)
        if row is None:
            return Handled(key, mail.sender, mail.kind.value, "", "", taken=True)
        decided = apply(session, row, mail, now=utcnow())
        event_code = _code(session, row.event_id)
        event_id = row.event_id
    if decided.outcome in FOR_THE_OFFICER:
        log.warning(
            "reply %s from %s %s: %s",
            key,
            mail.sender or "?",
            decided.outcome.value.replace("_", " "),
            decided.reason,
        )
    after: list[str] = []
    try:
        after.extend(published.publish().lines())
    except Exception:
        log.exception("publishing a reply's answer failed; the re-emit sweep will retry")
    if decided.owed and event_id is not None:
        try:
            after.append(str(deliver(event_id=event_id, purposes=list(decided.owed))))
        except Exception:
            log.exception("delivery of %s failed; the outbox keeps it", decided.owed)
            after.append(f"{', '.join(decided.owed)}: kept in the outbox for the next sending")
    return Handled(
        key,
        mail.sender,
        mail.kind.value,
        decided.outcome.value,
        decided.reason,
        event_code,
        after=tuple(after),
        template=decided.template,
        params=decided.params,
    )


def _code(session: Session, event_id: int | None) -> str:
    if event_id is None:
        return ""
    event = session.get(Event, event_id)
    return event.code if event else ""


# --- what the officer reads ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReplyLine:
    """One message read, as `acara replies list` shows it."""

    message: InboundMessage
    event_code: str
    participant: str  # the participant's name, when the sender is known


def listing(event: str | int | None = None, *, everything: bool = False) -> list[ReplyLine]:
    """Messages kept for the officer (of one event, else those of no event), newest first.

    Held and set-aside messages and bounces; `everything` adds the applied answers too.
    """
    with unit_of_work() as session:
        query = (
            select(InboundMessage, Event.code, Person)
            .outerjoin(Event, col(Event.id) == InboundMessage.event_id)
            .outerjoin(Participant, col(Participant.id) == InboundMessage.participant_id)
            .outerjoin(Person, col(Person.id) == Participant.person_id)
            .order_by(col(InboundMessage.id).desc())
        )
        if event is not None:
            query = query.where(InboundMessage.event_id == get_event(session, event).id)
        elif not everything:
            query = query.where(col(InboundMessage.event_id).is_(None))
        if not everything:
            query = query.where(
                col(InboundMessage.outcome).in_(FOR_THE_OFFICER)
                | (col(InboundMessage.kind) == ReplyKind.BOUNCE)
            )
        return [
            ReplyLine(row, code or "", person.full_name.with_titles if person else "")
            for row, code, person in session.exec(query)
        ]


@dataclass(frozen=True, slots=True)
class AnswerLine:
    """A participant with their answer, how it came and whether their address bounced."""

    participant_id: int
    name: str
    position: str
    organisation: str
    email: str  # "" for someone without an address
    phone: str  # E.164, or ""
    role: str
    group: str
    answer: str  # pending, accepted, declined, tentative, represented
    status: str  # the RSVP status itself (waitlisted shows here)
    via: str  # web, calendar, phone, letter ("" while pending)
    bounced: str  # "", "transient", "permanent"
    represents: str  # the principal's name, for a stand-in
    channel: str = "email"  # how they are reached: email, letter, chat, letter+chat


def answers(event: str | int) -> tuple[Event, list[AnswerLine]]:
    """Every participant of an event in protocol order, with their answer, its channel and
    bounces."""
    with unit_of_work() as session:
        target = get_event(session, event)
        lines = participants(session, target, precedence())
        via = answered_via(session, target.id or 0)
        bounced = bounce_state(session, [line.person.email for line in lines if line.person.email])
        names = {line.participant.id: line.person.full_name.with_titles for line in lines}
        out = []
        for line in lines:
            status = line.participant.rsvp
            out.append(
                AnswerLine(
                    participant_id=line.participant.id or 0,
                    name=line.person.full_name.with_titles,
                    position=line.person.position,
                    organisation=line.person.organisation,
                    email=line.person.email or "",
                    phone=line.person.phone,
                    role=line.participant.role.value,
                    group=line.group,
                    answer=public_answer(status),
                    status=status.value,
                    via=via.get(line.participant.id or 0, "") if status.value != "pending" else "",
                    bounced=bounced.get(line.person.email or "", ""),
                    represents=names.get(line.participant.represents_id, "")
                    if line.participant.represents_id
                    else "",
                    channel=line.person.via.value,
                )
            )
        return target, out


def bounced_addresses(event: str | int) -> dict[str, str]:
    """The event's participants' addresses that bounced: "permanent" or "transient"."""
    _, lines = answers(event)
    return {line.email: line.bounced for line in lines if line.bounced}
