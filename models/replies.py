"""What a message read back from the organiser's mailbox does to an event.

The reader (acara.messages.inbound) turns each mail into plain data: a `MailRead` with, when
it carries one, a `CalendarReply` (iMIP REPLY, COUNTER or REFRESH) or the `DeliveryFailure`s
of a bounce. `apply` decides, inside the caller's transaction, under the RSVP page's rules:

- a REPLY finds the event by its UID and the participant by the ATTENDEE (case-insensitive);
  the From address must be that ATTENDEE (or its SENT-BY), else the reply is held;
- PARTSTAT ACCEPTED, DECLINED, TENTATIVE, DELEGATED (with DELEGATED-TO) become accept,
  decline, tentative, represent; a reply to an older SEQUENCE than the participant's latest
  letter is kept in the history and changes nothing;
- a COUNTER is held for the officer; a REFRESH owes the participant the current REQUEST;
- a bounce marks the address; typed and automatic replies are held, attached to their sender.

Nothing here raises for a bad message: every case ends in an outcome with one line of reason:
an English template (the catalog's msgid) with its params, kept on the row beside the English
line, so whoever reads it later reads it in their own language (`reason_of`, acara.i18n.filled).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, func, select

from models.audit import DomainEvent, record
from models.errors import N_, AcaraError
from models.event import Event, EventStatus
from models.events import InvitationAnswered
from models.inbound import InboundMessage, MailBounce, ReplyKind, ReplyOutcome
from models.invitations import INVITATION, REPRESENTATIVE, UPDATE
from models.outbox import Message, MessageStatus, Owed, enqueue_many
from models.people import Participant, Person, RsvpStatus
from models.rsvp import Answer, Responded, representative_spec, respond

REFRESH = "refresh"  # outbox purpose: the current REQUEST again, for a participant who asked
# Letters that put a SEQUENCE of the event into the participant's calendar.
_LETTERS = (INVITATION, REPRESENTATIVE, UPDATE, REFRESH)
_MAY_HAVE_ARRIVED = (MessageStatus.SENT, MessageStatus.SENDING, MessageStatus.RETRY)
_ANSWERS = {
    "ACCEPTED": Answer.ACCEPT,
    "DECLINED": Answer.DECLINE,
    "TENTATIVE": Answer.TENTATIVE,
    "DELEGATED": Answer.REPRESENT,
}
_TERMINAL = (EventStatus.HELD, EventStatus.REPORTED, EventStatus.CLOSED)


@dataclass(frozen=True, slots=True)
class ReplyAttendee:
    """One ATTENDEE line of a calendar reply."""

    email: str  # lower-case, without mailto:
    name: str = ""  # CN
    partstat: str = "NEEDS-ACTION"
    delegated_to: tuple[str, ...] = ()  # lower-case addresses
    sent_by: str = ""  # SENT-BY: who answered on the attendee's behalf (a secretary)


@dataclass(frozen=True, slots=True)
class CalendarReply:
    """The parts of an iMIP message acara acts on."""

    method: str  # REPLY, COUNTER, REFRESH (or anything else, which is set aside)
    uid: str
    sequence: int
    attendees: tuple[ReplyAttendee, ...]
    start: datetime | None = None  # proposed times (COUNTER); aware, or naive = floating
    end: datetime | None = None
    comment: str = ""


@dataclass(frozen=True, slots=True)
class DeliveryFailure:
    """One recipient of a delivery status notification (RFC 3464)."""

    address: str  # lower-case
    status: str  # e.g. 5.1.1
    action: str = "failed"  # failed, delayed, delivered, relayed, expanded
    diagnostic: str = ""

    @property
    def permanent(self) -> bool:
        """5.x.x: the address does not work; 4.x.x may work later."""
        return self.status.startswith("5")

    @property
    def failed(self) -> bool:
        """Did it fail (now or for a while), rather than report a delivery?"""
        return self.action in ("failed", "delayed") or self.status[:1] in ("4", "5")


@dataclass(frozen=True, slots=True)
class MailRead:
    """A message as the reader understood it; never an exception, at worst `kind=MALFORMED`."""

    kind: ReplyKind
    message_id: str = ""
    sender: str = ""  # From address, lower-case
    sender_name: str = ""
    subject: str = ""
    sent_at: datetime | None = None
    references: tuple[str, ...] = ()  # Message-IDs it answers (In-Reply-To, References, DSN)
    calendar: CalendarReply | None = None
    failures: tuple[DeliveryFailure, ...] = ()
    excerpt: str = ""  # the first lines of a typed or automatic reply
    problem: str = ""  # why it could not be read (MALFORMED): an English template, N_()
    size: int = 0
    problem_params: Mapping[str, Any] = field(default_factory=dict)  # what fills `problem`

    @property
    def why(self) -> str:
        """Why it could not be read, in English, filled in."""
        return worded(self.problem, self.problem_params)


@dataclass(slots=True)
class Decided:
    """What applying one message did; `owed` lists outbox purposes to deliver after the commit."""

    outcome: ReplyOutcome
    template: str  # why, in English with {name} placeholders (the catalog's msgid)
    responded: Responded | None = None
    owed: tuple[str, ...] = ()
    detail: dict[str, Any] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)  # what fills the template

    @property
    def reason(self) -> str:
        """Why, in English, filled in (for logs and the audit)."""
        return worded(self.template, self.params)


def worded(template: str, params: Mapping[str, Any], lookup: Callable[[str], str] = str) -> str:
    """A reason filled in: `lookup` (gettext, at an edge) turns each English template into the
    reader's language; a param that is itself a reason ({"template", "params"}) is worded first."""
    filled = {
        name: worded(value["template"], value.get("params") or {}, lookup)
        if isinstance(value, dict) and isinstance(value.get("template"), str)
        else value
        for name, value in params.items()
    }
    text = lookup(template)
    return text.format(**filled) if filled else text


def reason_of(row: InboundMessage) -> tuple[str, dict[str, Any]]:
    """The template and params of a stored message's reason, to show in a reader's language
    (rows read before reasons kept their template give their English line)."""
    kept = row.detail.get("reason") if isinstance(row.detail, dict) else None
    if isinstance(kept, dict) and isinstance(kept.get("template"), str):
        return kept["template"], dict(kept.get("params") or {})
    return row.reason, {}


def apply(session: Session, row: InboundMessage, mail: MailRead, *, now: datetime) -> Decided:
    """Decide what a claimed message does, record it on its row; flushes, never commits."""
    row.message_id = mail.message_id[:300]
    row.sender = mail.sender[:320]
    row.sender_name = mail.sender_name[:300]
    row.subject = mail.subject[:500]
    row.sent_at = mail.sent_at
    row.kind = mail.kind
    row.detail = {"size": mail.size}
    if mail.excerpt:
        row.detail["excerpt"] = mail.excerpt
    if mail.kind is ReplyKind.MALFORMED:
        decided = Decided(
            ReplyOutcome.SET_ASIDE,
            mail.problem or N_("the message cannot be read"),
            params=dict(mail.problem_params) if mail.problem else {},
        )
    elif mail.calendar is not None:
        decided = _calendar(session, row, mail, mail.calendar, now)
    elif mail.kind is ReplyKind.BOUNCE:
        decided = _bounce(session, row, mail, now)
    else:
        decided = _for_the_officer(session, row, mail)
    row.outcome = decided.outcome
    row.reason = decided.reason[:500]
    row.detail = {
        **row.detail,
        **decided.detail,
        "reason": {"template": decided.template, "params": decided.params},
    }
    session.add(row)
    session.flush()
    record(
        session,
        actor=f"mail:{mail.sender or 'unknown'}"[:120],
        action=f"reply.{row.kind.value}",
        event_id=row.event_id,
        detail={
            "inbound_id": row.id,
            "outcome": decided.outcome.value,
            "reason": row.reason,
            "participant_id": row.participant_id,
        },
    )
    return decided


# --- calendar messages ---------------------------------------------------------------------


def _calendar(
    session: Session, row: InboundMessage, mail: MailRead, reply: CalendarReply, now: datetime
) -> Decided:
    detail: dict[str, Any] = {"method": reply.method, "uid": reply.uid, "sequence": reply.sequence}
    if reply.method not in ("REPLY", "COUNTER", "REFRESH"):
        return Decided(
            ReplyOutcome.SET_ASIDE,
            N_("a calendar {method} is not an answer")
            if reply.method
            else N_("a calendar message without METHOD is not an answer"),
            detail=detail,
            params={"method": reply.method} if reply.method else {},
        )
    if not reply.uid:
        return Decided(ReplyOutcome.SET_ASIDE, N_("the calendar reply has no UID"), detail=detail)
    event = session.exec(select(Event).where(Event.calendar_uid == reply.uid)).first()
    if event is None:
        return Decided(
            ReplyOutcome.SET_ASIDE,
            N_("no event has the calendar UID {uid!r}"),
            detail=detail,
            params={"uid": reply.uid},
        )
    row.event_id = event.id
    if not reply.attendees:
        return Decided(
            ReplyOutcome.SET_ASIDE, N_("the calendar reply names no ATTENDEE"), detail=detail
        )
    attendee = _replier(reply, mail.sender)
    detail.update({"attendee": attendee.email, "partstat": attendee.partstat})
    if attendee.email != mail.sender and attendee.sent_by != mail.sender:
        return Decided(
            ReplyOutcome.HELD,
            N_(
                "sent by {sender} for {attendee}: the sender is not the attendee, "
                "so nothing was changed"
            )
            if mail.sender
            else N_(
                "sent by an unknown sender for {attendee}: the sender is not the attendee, "
                "so nothing was changed"
            ),
            detail=detail,
            params={"sender": mail.sender, "attendee": attendee.email}
            if mail.sender
            else {"attendee": attendee.email},
        )
    participant = _participant(session, event.id, attendee.email)
    if participant is None:
        return Decided(
            ReplyOutcome.HELD,
            N_("{attendee} is not invited to {event}"),
            detail=detail,
            params={"attendee": attendee.email, "event": event.code},
        )
    row.participant_id = participant.id
    if reply.method == "COUNTER":
        return _counter(event, reply, detail)
    if reply.method == "REFRESH":
        return _refresh(session, event, participant, attendee.email, now, detail)
    latest = latest_letter(session, event.id, participant.id, attendee.email)
    if latest is not None and reply.sequence < latest:
        detail["latest_sequence"] = latest
        return Decided(
            ReplyOutcome.STALE,
            N_(
                "{partstat} for the letter of SEQUENCE {sequence}; the latest is SEQUENCE "
                "{latest}: kept in the history, not applied"
            ),
            detail=detail,
            params={
                "partstat": attendee.partstat,
                "sequence": reply.sequence,
                "latest": latest,
            },
        )
    answered = participant.responded_at
    # A Date header counts whole seconds: within the same second, the reply is not older.
    if mail.sent_at and answered and mail.sent_at < answered.replace(microsecond=0):
        return Decided(
            ReplyOutcome.STALE,
            N_(
                "{partstat}, written before the answer recorded at {recorded}: kept in the "
                "history, not applied"
            ),
            detail=detail,
            params={"partstat": attendee.partstat, "recorded": _local(event, answered)},
        )
    return _answer(session, event, participant, attendee, reply, now, detail)


def _replier(reply: CalendarReply, sender: str) -> ReplyAttendee:
    """The ATTENDEE who answers: the sender's own line, else the one line that answers."""
    for attendee in reply.attendees:
        if sender and sender in (attendee.email, attendee.sent_by):
            return attendee
    answering = [a for a in reply.attendees if a.partstat != "NEEDS-ACTION"]
    return (answering or list(reply.attendees))[0]


def _participant(session: Session, event_id: int | None, email: str) -> Participant | None:
    return session.exec(
        select(Participant)
        .join(Person, col(Person.id) == Participant.person_id)
        .where(Participant.event_id == event_id, func.lower(Person.email) == email.lower())
    ).first()


def latest_letter(
    session: Session, event_id: int | None, participant_id: int | None, email: str
) -> int | None:
    """The highest SEQUENCE of a calendar letter that may have reached this participant."""
    return session.exec(
        select(func.max(Message.sequence)).where(
            col(Message.event_id) == event_id,
            col(Message.purpose).in_(_LETTERS),
            col(Message.status).in_(_MAY_HAVE_ARRIVED),
            (col(Message.participant_id) == participant_id) | (col(Message.recipient) == email),
        )
    ).one()


def _answer(
    session: Session,
    event: Event,
    participant: Participant,
    attendee: ReplyAttendee,
    reply: CalendarReply,
    now: datetime,
    detail: dict[str, Any],
) -> Decided:
    choice = _ANSWERS.get(attendee.partstat)
    if choice is None:
        return Decided(
            ReplyOutcome.HELD,
            N_("PARTSTAT {partstat} is not an answer"),
            detail=detail,
            params={"partstat": attendee.partstat},
        )
    stand_in = None
    try:
        if choice is Answer.REPRESENT:
            if not attendee.delegated_to:
                return Decided(
                    ReplyOutcome.HELD, N_("delegated without saying to whom (DELEGATED-TO)"), detail
                )
            stand_in = _stand_in(session, participant, attendee.delegated_to[0], reply)
            detail["delegated_to"] = attendee.delegated_to[0]
        outcome = respond(
            session,
            event_id=event.id or 0,
            participant_id=participant.id or 0,
            answer=choice,
            actor=f"participant:{participant.id}",
            representative=stand_in,
            now=now,
            channel="calendar",
        )
    except AcaraError as refused:  # answers closed, already represented, a bad stand-in
        # The refusal keeps its own template and params: it too is read in the reader's language.
        return Decided(
            ReplyOutcome.HELD,
            N_("not applied: {refusal}"),
            detail=detail,
            params={"refusal": {"template": refused.template, "params": _plain(refused.params)}},
        )
    detail["rsvp"] = outcome.status.value
    moved = {"before": outcome.previous.value, "after": outcome.status.value}
    if not outcome.changed:
        return Decided(ReplyOutcome.UNCHANGED, _AGAIN[choice], outcome, detail=detail, params=moved)
    return Decided(
        ReplyOutcome.APPLIED,
        _CHANGED[choice],
        outcome,
        owed=outcome.owed_purposes,
        detail=detail,
        params=moved,
    )


# {before} and {after} are RSVP statuses (pending, accepted, ...), shown as they are stored.
_CHANGED = {
    Answer.ACCEPT: N_("accepted: {before} -> {after}"),
    Answer.DECLINE: N_("declined: {before} -> {after}"),
    Answer.TENTATIVE: N_("tentative: {before} -> {after}"),
    Answer.REPRESENT: N_("delegated: {before} -> {after}"),
}
_AGAIN = {
    Answer.ACCEPT: N_("accepted again: already {after}"),
    Answer.DECLINE: N_("declined again: already {after}"),
    Answer.TENTATIVE: N_("tentative again: already {after}"),
    Answer.REPRESENT: N_("delegated again: already {after}"),
}


def _plain(params: Mapping[str, Any]) -> dict[str, Any]:
    """Params as JSON keeps them (the row's detail): numbers and text as they are, else text."""
    return {
        name: value if value is None or isinstance(value, str | int | float) else str(value)
        for name, value in params.items()
    }


def _stand_in(session: Session, principal: Participant, email: str, reply: CalendarReply) -> Any:
    """The delegate as the RSVP page would take them: name from their ATTENDEE line's CN."""
    person = session.get(Person, principal.person_id)
    assert person is not None
    line = next((a for a in reply.attendees if a.email == email), None)
    name = (line.name if line and line.name else "") or email.split("@", 1)[0]
    # A calendar names no position: the delegate comes in the principal's capacity.
    return representative_spec(
        name=name,
        email=email,
        position=person.position or person.organisation or "-",
        organisation=person.organisation,
        language=person.language.value,
    )


def _counter(event: Event, reply: CalendarReply, detail: dict[str, Any]) -> Decided:
    start, end = reply.start, reply.end
    detail.update(
        {
            "proposed_start": start.isoformat() if start else None,
            "proposed_end": end.isoformat() if end else None,
            "comment": reply.comment[:500],
        }
    )
    when = {"start": _local(event, start), "end": _local(event, end)} if start and end else {}
    note = {"comment": reply.comment[:120]} if reply.comment else {}
    template = {
        (True, True): N_("proposes {start} – {end} ({comment}); nothing was moved"),
        (True, False): N_("proposes {start} – {end}; nothing was moved"),
        (False, True): N_("proposes another time ({comment}); nothing was moved"),
        (False, False): N_("proposes another time; nothing was moved"),
    }[bool(when), bool(note)]
    return Decided(ReplyOutcome.HELD, template, detail=detail, params={**when, **note})


def _local(event: Event, instant: datetime) -> str:
    if instant.tzinfo is None:
        return f"{instant:%Y-%m-%d %H:%M} (floating)"
    return f"{event.local(instant):%Y-%m-%d %H:%M} {event.zone_label}"


def _refresh(
    session: Session,
    event: Event,
    participant: Participant,
    email: str,
    now: datetime,
    detail: dict[str, Any],
) -> Decided:
    # One answer per participant, SEQUENCE and day (the typed key's step day): a loop of
    # REFRESH mail gets one REQUEST a day, never a flood.
    owed = Owed(
        email,
        REFRESH,
        event.sequence,
        participant.id,
        action_step_on=date.fromordinal(event.local(now).toordinal()),
    )
    added = enqueue_many(session, event.id or 0, [owed])
    if not added:
        return Decided(
            ReplyOutcome.NOTED,
            N_("asked for the invitation again: already sent today"),
            detail=detail,
        )
    return Decided(
        ReplyOutcome.NOTED,
        N_("asked for the invitation again: the current one (SEQUENCE {sequence}) is sent"),
        owed=(REFRESH,),
        detail=detail,
        params={"sequence": event.sequence},
    )


# --- bounces, typed and automatic replies ---------------------------------------------------


def _bounce(session: Session, row: InboundMessage, mail: MailRead, now: datetime) -> Decided:
    failures = [f for f in mail.failures if f.failed and f.address]
    if not failures:
        return Decided(ReplyOutcome.NOTED, N_("a delivery report with no failure in it"))
    origin = _origin(session, mail.references)
    if origin is not None:
        row.event_id, row.participant_id = origin.event_id, origin.participant_id
    session.add(row)
    session.flush()
    lines = []
    for failure in failures:
        session.add(
            MailBounce(
                address=failure.address,
                status=failure.status[:20] or ("5.0.0" if failure.action == "failed" else "4.0.0"),
                permanent=failure.permanent or (failure.action == "failed" and not failure.status),
                diagnostic=failure.diagnostic[:500],
                at=mail.sent_at or now,
                inbound_id=row.id or 0,
            )
        )
        lines.append(
            {
                "address": failure.address,
                "status": failure.status or failure.action,
                "permanent": failure.permanent,
            }
        )
        if row.participant_id is None and row.event_id is None:
            found = _latest_participation(session, failure.address)
            if found is not None:
                row.event_id, row.participant_id = found.event_id, found.id
    detail = {
        "failures": [
            {
                "address": f.address,
                "status": f.status,
                "action": f.action,
                "diagnostic": f.diagnostic,
            }
            for f in failures
        ]
    }
    if len(lines) == 1:
        (line,) = lines
        template = (
            N_("{address} bounced ({status}, permanent)")
            if line.pop("permanent")
            else N_("{address} bounced ({status}, transient)")
        )
        return Decided(ReplyOutcome.NOTED, template, detail=detail, params=line)
    return Decided(
        ReplyOutcome.NOTED,
        N_("{addresses} bounced"),
        detail=detail,
        params={"addresses": ", ".join(f"{line['address']} ({line['status']})" for line in lines)},
    )


def _for_the_officer(session: Session, row: InboundMessage, mail: MailRead) -> Decided:
    origin = _origin(session, mail.references)
    participant = None
    if origin is not None and origin.participant_id is not None:
        participant = session.get(Participant, origin.participant_id)
    if participant is None and origin is not None:
        participant = _participant(session, origin.event_id, mail.sender)
    if participant is None:
        participant = _latest_participation(session, mail.sender)
    if participant is not None:
        row.event_id, row.participant_id = participant.event_id, participant.id
    elif origin is not None:
        row.event_id = origin.event_id
    automatic, known = mail.kind is ReplyKind.AUTOMATIC, participant is not None
    template = {
        (True, True): N_("an automatic reply from a participant: for the officer to read"),
        (True, False): N_("an automatic reply from an unknown sender: for the officer to read"),
        (False, True): N_("a typed reply from a participant: for the officer to read"),
        (False, False): N_("a typed reply from an unknown sender: for the officer to read"),
    }[automatic, known]
    return Decided(ReplyOutcome.HELD, template)


def _origin(session: Session, references: tuple[str, ...]) -> Message | None:
    """The outbox row one of these Message-IDs was sent as (bounces and replies quote it)."""
    wanted = [r for r in references if r][:50]
    if not wanted:
        return None
    return session.exec(
        select(Message).where(col(Message.smtp_message_id).in_(wanted)).order_by(col(Message.id))
    ).first()


def _latest_participation(session: Session, email: str) -> Participant | None:
    """The sender's place in their most recent event still open, else their most recent one."""
    if not email:
        return None
    rows = session.exec(
        select(Participant, Event.status)
        .join(Person, col(Person.id) == Participant.person_id)
        .join(Event, col(Event.id) == Participant.event_id)
        .where(func.lower(Person.email) == email.lower())
        .order_by(col(Event.starts_at).desc())
    ).all()
    open_ones = [p for p, status in rows if status not in (*_TERMINAL, EventStatus.CANCELLED)]
    return (open_ones or [p for p, _ in rows] or [None])[0]


# --- what the officer sees --------------------------------------------------------------------


def answered_via(session: Session, event_id: int) -> dict[int, str]:
    """How each participant's current answer came: web, calendar, phone or letter.

    Read from the stored InvitationAnswered facts, newest last; a stand-in named with an
    answer came by the channel of that answer.
    """
    rows = session.exec(
        select(DomainEvent.payload)
        .where(DomainEvent.event_id == event_id, DomainEvent.name == InvitationAnswered.name)
        .order_by(col(DomainEvent.id))
    )
    via: dict[int, str] = {}
    for payload in rows:
        channel = str(payload.get("channel") or "web")
        if isinstance(payload.get("participant_id"), int):
            via[payload["participant_id"]] = channel
        if isinstance(payload.get("representative_id"), int):
            via[payload["representative_id"]] = channel
    return via


def public_answer(status: RsvpStatus) -> str:
    """The answer as the officer's list names it: waitlisted people answered "accepted"."""
    return RsvpStatus.ACCEPTED.value if status is RsvpStatus.WAITLISTED else status.value
