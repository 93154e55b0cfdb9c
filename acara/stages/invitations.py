"""The invitation stage: invite everyone once, tell them of every change, cancel.

Owing and sending are separate steps: owing is one transaction derived from the state
(who is not yet invited, whose calendar holds an older SEQUENCE), sending works off the
outbox. Both are idempotent, so a crash, a retried task or a second run sends nothing twice.
"""

from __future__ import annotations

import logging
from contextlib import suppress
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlmodel import col, func, select

from acara import bus
from acara.db import unit_of_work
from acara.messages.composers import compose
from acara.messages.delivery import DeliveryStopped, DeliverySummary, Progress, deliver
from acara.messages.message import ComposedMessage
from acara.stages.plan import Change, Note, Plan, outbox_mark
from acara.stages.unit import change
from models import invitations
from models.clock import utcnow
from models.errors import N_, IllegalTransition, NotFound
from models.event import Event, EventStatus
from models.outbox import Channel, Message, MessageStatus, count_by_status, queue_again
from models.people import Participant, Person
from models.queries import get_event

log = logging.getLogger(__name__)

CALENDAR_PURPOSES = invitations.CALENDAR_PURPOSES


@dataclass(frozen=True, slots=True)
class Owed:
    """What a step put in the outbox for an event."""

    event_id: int
    event_code: str
    messages: int
    plan: Plan
    handed_over: bool = False  # a Prefect server received the announcement: its flow sends


def owe_invitations(event: str | int, *, actor: str, dry_run: bool = False) -> Owed:
    """Announce a draft event; owe invitations to the uninvited and news to the outdated.

    The announcement is published, but not reacted to here: the caller sends next.
    """
    with change(react=False, dry_run=dry_run) as (session, published):
        target = get_event(session, event)
        plan = Plan.of("invite", target)
        if target.status is EventStatus.DRAFT:
            plan.changes.append(
                Change(N_("status"), target.status.value, "announced", kind="status")
            )
        mark = outbox_mark(session)
        added = invitations.invite(session, target, actor=actor)
        added += invitations.owe_changes(session, target)
        plan.owe(session, mark, target)
        if chat_only := invitations.chat_only(session, target):
            plan.warnings.append(
                Note(
                    N_(
                        "{count} participant(s) without e-mail are reached by chat only: "
                        "nothing is sent to them; give them their links with `acara chat {event}`."
                    ),
                    {"count": str(chat_only), "event": target.code},
                )
            )
        assert target.id is not None
        owed = Owed(target.id, target.code, added, plan)
    report = published.report
    return replace(owed, handed_over=bool(report and report.emit.emitted))


def owe_changes(event: str | int) -> Owed:
    """Owe an update (or a cancellation) to everyone whose own programme changed."""
    with unit_of_work() as session:
        target = get_event(session, event)
        plan = Plan.of("send changes", target)
        mark = outbox_mark(session)
        added = invitations.owe_changes(session, target)
        plan.owe(session, mark, target)
        assert target.id is not None
        return Owed(target.id, target.code, added, plan)


def send_owed(event_id: int, progress: Progress | None = None) -> DeliverySummary:
    """Send the invitations, updates and cancellations owed for an event."""
    return deliver(event_id=event_id, purposes=CALENDAR_PURPOSES, progress=progress)


def left_to_send(plan: Plan, published: bus.Publishing | None = None) -> bool:
    """Whether the caller of a planned command sends what it owed: it owed messages and the
    reaction to its facts did not already send them here."""
    handled = published is not None and published.report is not None and published.report.inline
    return bool(plan.recipients) and not handled


def send_invitations(event_id: int) -> DeliverySummary:
    """Reaction to EventAnnounced: invite everyone not yet invited and send it."""
    owe_invitations(event_id, actor="system")
    return send_owed(event_id)


def send_changes(event_id: int) -> DeliverySummary:
    """Reaction to EventRescheduled and EventCancelled: tell everyone invited."""
    owe_changes(event_id)
    return send_owed(event_id)


def event_code(event_id: int) -> str:
    """The event's code, for names people read (flow runs, logs)."""
    with unit_of_work() as session:
        return get_event(session, event_id).code


# --- the officer's workspace: preview, send in the background or by the service, progress ---


@dataclass(frozen=True, slots=True)
class Preview:
    """A participant's calendar letter composed exactly as the outbox would send it."""

    event: Event
    participant: Participant
    person: Person
    purpose: str  # invitation, update or cancellation; "" when nothing is owed or was sent
    message: ComposedMessage | None  # None: no e-mail is owed to, or was sent to, them


def preview(event: str | int, participant_id: int) -> Preview:
    """What a participant gets by e-mail: the letter the next send owes them, else the last one
    sent. Owed in a rolled-back transaction and composed by the same composer: nothing is kept."""
    with change(dry_run=True) as (session, _):
        target = get_event(session, event)
        participant = session.get(Participant, participant_id)
        if participant is None or participant.event_id != target.id:
            raise NotFound(N_("No participant {id} in this event."), id=participant_id)
        person = session.get(Person, participant.person_id)
        assert person is not None
        # Over or cancelled: nobody is invited any more; news may still be owed.
        with suppress(IllegalTransition):
            invitations.invite(session, target, actor="preview")
        invitations.owe_changes(session, target)
        row = session.exec(
            select(Message)
            .where(
                col(Message.participant_id) == participant_id,
                col(Message.channel) == Channel.EMAIL,
                col(Message.purpose).in_(CALENDAR_PURPOSES),
                col(Message.status) != MessageStatus.SUPERSEDED,
            )
            .order_by(col(Message.id).desc())
        ).first()
        message = compose(session, row) if row is not None else None
        return Preview(target, participant, person, row.purpose if row else "", message)


# Where sending runs: the service's flow (`acara serve`), or the caller's background.
BY_SERVICE = "service"
HERE = "here"


@dataclass(frozen=True, slots=True)
class Started:
    """What a confirmed send did: the messages owed, and who sends them."""

    owed: Owed
    runs: str  # BY_SERVICE or HERE (the caller then runs `send_in_background`)


def start_sending(event: str | int, *, actor: str) -> Started:
    """Owe what the plan showed, queue what waits for a retry, and hand the sending to the
    running service's flow.

    With `acara serve` running, the announcement's trigger starts `send-invitations`; an event
    already announced gets a run of that deployment started. Without a service the caller
    sends (`send_in_background`); either way the outbox shows the progress (`progress`).
    """
    from acara.stages.reactions import REACTIONS
    from models.events import EventAnnounced

    owed = owe_invitations(event, actor=actor)
    with change() as (session, _):
        queue_again(
            session, event_id=owed.event_id, purposes=CALENDAR_PURPOSES, channel=Channel.EMAIL
        )
    if owed.handed_over:
        return Started(owed, BY_SERVICE)
    deployment = REACTIONS[EventAnnounced].deployment
    if bus.start_deployment(deployment, deployment, {"event_id": owed.event_id}):
        return Started(owed, BY_SERVICE)
    return Started(owed, HERE)


def send_in_background(event_id: int) -> None:
    """Send what is owed, for a caller that does not wait (the web app): a stop is logged,
    and what was not sent stays queued for the next send or sweep."""
    try:
        summary = send_owed(event_id)
    except DeliveryStopped as stopped:
        log.warning("sending the invitations of event %s stopped: %s", event_id, stopped)
        return
    log.info("invitations of event %s: %s", event_id, summary)


STALLED_AFTER = timedelta(minutes=2)  # queued messages nobody touched this long: not sending


@dataclass(frozen=True, slots=True)
class Unsent:
    """A message that did not go out, and why."""

    recipient: str
    purpose: str
    status: MessageStatus
    reason: str


@dataclass(frozen=True, slots=True)
class SendingProgress:
    """The event's calendar e-mails in the outbox: how many in each state, and the failures."""

    event: Event
    counts: dict[MessageStatus, int]
    unsent: list[Unsent]
    last_activity: datetime | None
    letters_owed: int  # letters on paper still to be handed over (`acara letters`)

    @property
    def total(self) -> int:
        """Every calendar message owed for the event, superseded ones aside."""
        return sum(n for s, n in self.counts.items() if s is not MessageStatus.SUPERSEDED)

    @property
    def waiting(self) -> int:
        """Messages queued or in flight."""
        return self.counts.get(MessageStatus.QUEUED, 0) + self.counts.get(MessageStatus.SENDING, 0)

    @property
    def unsent_now(self) -> int:
        """Messages a send would take now: queued, or waiting to be tried again."""
        return self.counts.get(MessageStatus.QUEUED, 0) + self.counts.get(MessageStatus.RETRY, 0)

    @property
    def finished(self) -> bool:
        """Nothing is queued or in flight (retries wait for the sweep)."""
        return self.waiting == 0

    @property
    def stalled(self) -> bool:
        """Messages wait but nothing has moved for a while: no sender is at work."""
        if self.finished or self.counts.get(MessageStatus.SENDING, 0):
            return False
        return self.last_activity is None or utcnow() - self.last_activity > STALLED_AFTER

    @property
    def percent(self) -> int:
        """How far the sending is, for the progress bar."""
        return round(100 * (self.total - self.waiting) / self.total) if self.total else 100


def progress(event: str | int) -> SendingProgress:
    """The state of the event's invitations, updates and cancellations in the outbox."""
    with unit_of_work() as session:
        target = get_event(session, event)
        scope = (
            col(Message.event_id) == target.id,
            col(Message.channel) == Channel.EMAIL,
            col(Message.purpose).in_(CALENDAR_PURPOSES),
        )
        counts = count_by_status(
            session, event_id=target.id, purposes=CALENDAR_PURPOSES, channel=Channel.EMAIL
        )
        rows = session.exec(
            select(Message.recipient, Message.purpose, Message.status, Message.last_error)
            .where(
                *scope,
                col(Message.status).in_([MessageStatus.FAILED, MessageStatus.RETRY]),
            )
            .order_by(col(Message.id))
        ).all()
        moments = session.exec(
            select(
                func.max(Message.created_at),
                func.max(Message.claimed_at),
                func.max(Message.sent_at),
            ).where(*scope)
        ).one()
        last = max((m for m in moments if m is not None), default=None)
        unsent = [Unsent(r, p, s, e or "") for r, p, s, e in rows]
        on_paper = count_by_status(
            session, event_id=target.id, purposes=CALENDAR_PURPOSES, channel=Channel.LETTER
        )
        letters = on_paper.get(MessageStatus.QUEUED, 0) + on_paper.get(MessageStatus.RETRY, 0)
        return SendingProgress(target, counts, unsent, last, letters)
