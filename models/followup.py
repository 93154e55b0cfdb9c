"""After the event: what is owed to whom, and when.

The rules are pure functions of dates and `now` (tests pass a controlled clock):
- the thank-you letter goes to the guest delegation once the minutes are approved, or
  without them when the minutes take longer than `thank_you_wait_days` after the event;
- the feedback survey goes to everyone present once the event is over;
- an action-item owner is reminded `remind_before_days` before the due date, then the day
  after it and every `remind_every_days` while the item is open; the host official(s) are
  told once when it is `escalate_after_days` overdue.
Each message has its own outbox key (purpose, action item, reminder day), so each step is
sent once however often the sweep runs. `plan_follow_up` applies the rules to one event and
queues what is due.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, func, select

from models.audit import record
from models.clock import require_aware
from models.errors import N_, NotFound
from models.event import Event, EventStatus
from models.events import ActionItemOverdue
from models.lifecycle import Action, apply
from models.minutes import ActionItem, ActionStatus, Minutes, MinutesStatus
from models.minutes_rules import Recipient, minutes_of, open_action_items, present_participants
from models.outbox import Message, enqueue, supersede
from models.people import Attendance, AttendanceStatus, Participant, Person, Role, RsvpStatus
from models.queries import organisation_name

THANK_YOU = "thank-you"
SURVEY = "survey"
ACTION_REMINDER = "action-reminder"
ESCALATION = "escalation"
# Purposes the follow-up sends (each picks its composer).
FOLLOW_UP_PURPOSES = (THANK_YOU, SURVEY, ACTION_REMINDER, ESCALATION)
# Only events that took place are followed up; reported ones still chase their action items.
FOLLOWED_UP = frozenset({EventStatus.HELD, EventStatus.REPORTED})


@dataclass(frozen=True, slots=True)
class FollowUpPolicy:
    """How long to wait and how often to remind (days); from settings in production."""

    remind_before_days: int = 3
    remind_every_days: int = 7
    escalate_after_days: int = 7
    thank_you_wait_days: int = 3
    survey_open_days: int = 30


# --- pure rules ---------------------------------------------------------------------------


def local_today(now: datetime, zone: str) -> date:
    """The calendar day it is in the event's zone (due dates are days there)."""
    return require_aware(now, "now").astimezone(ZoneInfo(zone)).date()


@dataclass(frozen=True, slots=True)
class ReminderStep:
    """A reminder owed for an action item: its day (part of the outbox key) and kind."""

    on: date
    overdue: bool


def action_reminder_step(due_on: date, today: date, policy: FollowUpPolicy) -> ReminderStep | None:
    """The latest reminder step reached by today, or None while nothing is due yet.

    Steps: due - remind_before_days; then due + 1, due + 1 + every, due + 1 + 2*every ...
    Only the latest step counts: a sweep that missed days sends one reminder, not a backlog.
    """
    before = due_on - timedelta(days=policy.remind_before_days)
    if today < before:
        return None
    if today <= due_on:
        return ReminderStep(before, overdue=False)
    first_overdue = due_on + timedelta(days=1)
    every = max(policy.remind_every_days, 1)
    steps = (today - first_overdue).days // every
    return ReminderStep(first_overdue + timedelta(days=steps * every), overdue=True)


def escalation_due(due_on: date, today: date, policy: FollowUpPolicy) -> bool:
    """True once an open item is escalate_after_days past its due date."""
    return today >= due_on + timedelta(days=policy.escalate_after_days)


def days_overdue(due_on: date, today: date) -> int:
    """Days past the due date (0 on or before it)."""
    return max((today - due_on).days, 0)


def thank_you_due(
    status: EventStatus,
    ends_at: datetime,
    minutes_approved: bool,
    now: datetime,
    policy: FollowUpPolicy,
) -> bool:
    """The thank-you goes with the approved minutes, or alone once waiting is pointless."""
    if status not in FOLLOWED_UP:
        return False
    return minutes_approved or now >= ends_at + timedelta(days=policy.thank_you_wait_days)


def survey_due(status: EventStatus, ends_at: datetime, now: datetime) -> bool:
    """The survey invitation goes out once the event is over."""
    return status in FOLLOWED_UP and now >= ends_at


def survey_open(ends_at: datetime, now: datetime, policy: FollowUpPolicy) -> bool:
    """Answers are taken from the end of the event for survey_open_days."""
    return ends_at <= now < ends_at + timedelta(days=policy.survey_open_days)


def survey_opens_later(status: EventStatus, ends_at: datetime, now: datetime) -> bool:
    """Whether a survey not open now still will: the event has yet to end or to be held."""
    before_held = status in (EventStatus.DRAFT, EventStatus.ANNOUNCED, EventStatus.ONGOING)
    return before_held or (status in FOLLOWED_UP and now < ends_at)


def ready_to_report(
    status: EventStatus,
    minutes_approved: bool,
    thank_you_queued: bool,
    survey_queued: bool,
    press_release_written: bool,
) -> bool:
    """Held -> reported once the minutes are approved and the follow-up is under way."""
    return (
        status is EventStatus.HELD
        and minutes_approved
        and thank_you_queued
        and survey_queued
        and press_release_written
    )


# --- who receives what -----------------------------------------------------------------


def _recipient(participant: Participant, person: Person) -> Recipient:
    return Recipient(person.email, participant.id, person.full_name.with_titles, person.language)


def _people(session: Session, event: Event) -> list[tuple[Participant, Person, Attendance | None]]:
    return list(
        session.exec(
            select(Participant, Person, Attendance)
            .join(Person, col(Person.id) == Participant.person_id)
            .outerjoin(Attendance, col(Attendance.participant_id) == Participant.id)
            .where(Participant.event_id == event.id)
            .order_by(col(Person.name))
        ).all()
    )


def is_visitor(role: Role, organisation: str, guest_org: str, host_org: str) -> bool:
    """A guest, someone of the guest organisation, or a speaker from outside the host."""
    own = organisation.strip().lower()
    if role is Role.GUEST or (guest_org and own.startswith(guest_org.lower())):
        return True
    return role is Role.SPEAKER and bool(own) and not own.startswith(host_org.lower() or "\0")


def guest_delegation(session: Session, event: Event) -> list[Recipient]:
    """The visitors to thank (guests, their organisation, outside speakers) who came."""
    guest_org = organisation_name(session, event.guest_id)
    host_org = organisation_name(session, event.host_id)
    out = []
    for participant, person, mark in _people(session, event):
        is_guest = is_visitor(participant.role, person.organisation, guest_org, host_org)
        stayed_away = participant.rsvp is RsvpStatus.DECLINED or (
            mark is not None
            and mark.status
            in (AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED, AttendanceStatus.REPRESENTED)
        )
        if is_guest and not stayed_away:
            out.append(_recipient(participant, person))
    return out


def survey_recipients(session: Session, event: Event) -> list[Recipient]:
    """Everyone marked present, except the office's own minute-taker."""
    return [
        _recipient(participant, person)
        for participant, person in present_participants(session, event)
        if participant.role is not Role.MINUTE_TAKER
    ]


def host_officials(session: Session, event: Event) -> list[Recipient]:
    """The host's officials in the event: they hear about overdue action items."""
    return [
        _recipient(participant, person)
        for participant, person, _ in _people(session, event)
        if participant.role is Role.HOST_OFFICIAL
    ]


# --- applying the rules to one event ---------------------------------------------------


@dataclass(slots=True)
class FollowUpPlan:
    """What one run queued (new rows only) and what it is still waiting for."""

    event_id: int
    thank_you: int = 0
    survey: int = 0
    reminders: int = 0
    escalations: int = 0
    newly_overdue: list[int] = field(default_factory=list)  # action item ids
    waiting: list[str] = field(default_factory=list)  # human-readable notes
    without_email: int = 0  # messages not owed: the recipient has no e-mail address

    @property
    def queued(self) -> int:
        """Messages newly owed by this run."""
        return self.thank_you + self.survey + self.reminders + self.escalations


def _queue(
    session: Session,
    event: Event,
    people: list[Recipient],
    purpose: str,
    plan: FollowUpPlan,
    action_item_id: int = 0,
) -> int:
    """Owe `purpose` to everyone with an e-mail address; count the others in the plan."""
    assert event.id is not None
    reachable = _reachable(people)
    plan.without_email += len(people) - len(reachable)
    return sum(
        enqueue(
            session,
            event_id=event.id,
            recipient=r.email,
            purpose=purpose,
            sequence=0,
            participant_id=r.participant_id,
            action_item_id=action_item_id,
        )
        for r in reachable
    )


def plan_follow_up(
    session: Session,
    event: Event,
    *,
    now: datetime,
    policy: FollowUpPolicy,
    actor: str = "system",
) -> FollowUpPlan:
    """Queue every follow-up message that is due for one event; safe to run any number of times."""
    require_aware(now, "now")
    assert event.id is not None
    plan = FollowUpPlan(event.id)
    if event.status not in FOLLOWED_UP:
        plan.waiting.append(f"the event is {event.status.value}, not held")
        return plan
    minutes = minutes_of(session, event)
    approved = minutes is not None and minutes.status is MinutesStatus.APPROVED
    if thank_you_due(event.status, event.ends_at, approved, now, policy):
        plan.thank_you = _queue(session, event, guest_delegation(session, event), THANK_YOU, plan)
    else:
        plan.waiting.append("the thank-you letter waits for the approved minutes")
    if survey_due(event.status, event.ends_at, now):
        plan.survey = _queue(session, event, survey_recipients(session, event), SURVEY, plan)
    today = local_today(now, event.timezone)
    hosts = host_officials(session, event)
    for item in open_action_items(session, event):
        _chase(session, event, item, today, now, policy, hosts, plan, actor)
    session.flush()
    return plan


def _chase(
    session: Session,
    event: Event,
    item: ActionItem,
    today: date,
    now: datetime,
    policy: FollowUpPolicy,
    hosts: list[Recipient],
    plan: FollowUpPlan,
    actor: str,
) -> None:
    """Queue the reminder step and escalation due today for one open item."""
    assert item.id is not None and event.id is not None
    step = action_reminder_step(item.due_on, today, policy)
    if step is not None:
        plan.reminders += enqueue(
            session,
            event_id=event.id,
            recipient=item.owner_email,
            purpose=ACTION_REMINDER,
            sequence=0,
            action_item_id=item.id,
            action_step_on=step.on,
        )
    if today > item.due_on and item.overdue_at is None:
        item.overdue_at = now
        session.add(item)
        record(
            session,
            actor=actor,
            action="action.overdue",
            event_id=event.id,
            detail={"action_id": item.id, "due_on": item.due_on.isoformat()},
            fact=ActionItemOverdue(
                event_id=event.id, action_id=item.id, due_on=item.due_on.isoformat()
            ),
        )
        plan.newly_overdue.append(item.id)
    if escalation_due(item.due_on, today, policy):
        told = [h for h in hosts if h.email != item.owner_email] or hosts
        plan.escalations += _queue(session, event, told, ESCALATION, plan, item.id)


def _reachable(people: list[Recipient]) -> list[Recipient]:
    """Those who can be sent an e-mail (the follow-up goes by e-mail only)."""
    return [r for r in people if r.email is not None]


def _queued(session: Session, event: Event, purpose: str) -> int:
    return session.exec(
        select(func.count())
        .select_from(Message)
        .where(Message.event_id == event.id, Message.purpose == purpose)
    ).one()


@dataclass(frozen=True, slots=True)
class FollowUpState:
    """Where an event's follow-up stands (for the report and the held -> reported move)."""

    minutes_approved: bool
    thank_you_queued: bool
    survey_queued: bool
    open_actions: int


def follow_up_state(session: Session, event: Event) -> FollowUpState:
    """Minutes approved? Thank-you and survey owed to everyone due? Action items open?"""
    minutes = minutes_of(session, event)
    approved = minutes is not None and minutes.status is MinutesStatus.APPROVED
    guests, attendees = guest_delegation(session, event), survey_recipients(session, event)
    return FollowUpState(
        minutes_approved=approved,
        thank_you_queued=_queued(session, event, THANK_YOU) >= len(_reachable(guests)),
        survey_queued=_queued(session, event, SURVEY) >= len(_reachable(attendees)),
        open_actions=len(open_action_items(session, event)),
    )


def report_if_done(
    session: Session, event: Event, *, press_release_written: bool, actor: str = "system"
) -> bool:
    """Move a held event to reported when its follow-up is done; True when it moved now."""
    state = follow_up_state(session, event)
    if not ready_to_report(
        event.status,
        state.minutes_approved,
        state.thank_you_queued,
        state.survey_queued,
        press_release_written,
    ):
        return False
    apply(session, event, Action.REPORT, actor=actor, detail={"via": "follow-up"})
    return True


def close_action(
    session: Session, item_id: int, *, actor: str, now: datetime
) -> tuple[ActionItem, bool]:
    """Mark an action item done (its reminders stop); False when it already was."""
    require_aware(now, "now")
    item = session.get(ActionItem, item_id)
    if item is None:
        raise NotFound(N_("No action item {id}. `acara action list` shows them."), id=item_id)
    if item.status is ActionStatus.DONE:
        return item, False
    item.status = ActionStatus.DONE
    item.done_at = now
    item.done_by = actor
    session.add(item)
    # Reminders queued but not yet sent are no longer owed.
    supersede(
        session,
        event_id=item.event_id,
        purposes=[ACTION_REMINDER, ESCALATION],
        action_item_id=item.id,
        reason="action item done",
    )
    record(
        session,
        actor=actor,
        action="action.done",
        event_id=item.event_id,
        detail={"action_id": item.id, "due_on": item.due_on.isoformat()},
    )
    session.flush()
    return item, True


def action_items(
    session: Session, event: Event | None = None, *, include_done: bool = False
) -> list[tuple[ActionItem, Event]]:
    """Action items of approved minutes with their event, by due date."""
    query = (
        select(ActionItem, Event)
        .join(Minutes, col(Minutes.id) == ActionItem.minutes_id)
        .join(Event, col(Event.id) == ActionItem.event_id)
        .where(Minutes.status == MinutesStatus.APPROVED)
        .order_by(col(ActionItem.due_on), col(ActionItem.id))
    )
    if event is not None:
        query = query.where(ActionItem.event_id == event.id)
    if not include_done:
        query = query.where(ActionItem.status == ActionStatus.OPEN)
    return list(session.exec(query).all())


def events_to_follow_up(session: Session) -> list[int]:
    """Ids of events the daily sweep looks at: held, or reported with open action items."""
    held = session.exec(select(Event.id).where(Event.status == EventStatus.HELD)).all()
    chasing = session.exec(
        select(ActionItem.event_id)
        .join(Event, col(Event.id) == ActionItem.event_id)
        .where(Event.status == EventStatus.REPORTED, ActionItem.status == ActionStatus.OPEN)
        .distinct()
    ).all()
    return sorted({*(i for i in held if i is not None), *chasing})
