"""The follow-up stage: after the event the office thanks, asks, chases and reports.

owe: the thank-you letter,
survey invitations, action-item reminders and escalations due now. press: the press-release
draft. send: deliver what the outbox owes for these purposes. report: held -> reported once
the follow-up is done. Every step is safe to run again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session

from acara.db import unit_of_work
from acara.documents.press import press_release_written, write_press_release
from acara.settings import get_settings
from acara.stages.plan import Plan, outbox_mark
from acara.stages.unit import change
from models.clock import Moment, moment, utcnow
from models.errors import N_, AcaraError, NotFound
from models.event import Event
from models.followup import (
    FOLLOW_UP_PURPOSES,
    FOLLOWED_UP,
    FollowUpPlan,
    FollowUpPolicy,
    action_items,
    close_action,
    events_to_follow_up,
    plan_follow_up,
    report_if_done,
    survey_open,
    survey_opens_later,
)
from models.minutes import ActionItem, MinutesStatus
from models.minutes_rules import MINUTES_PURPOSE, minutes_of
from models.people import Participant, Person
from models.queries import get_event
from models.survey import SurveyResponse, SurveySummary, answer_of, parse_answers, submit, summarise

log = logging.getLogger(__name__)


def policy() -> FollowUpPolicy:
    """The follow-up timings from settings (ACARA_ESCALATE_AFTER_DAYS and friends)."""
    settings = get_settings()
    return FollowUpPolicy(
        remind_before_days=settings.action_remind_before_days,
        remind_every_days=settings.action_remind_every_days,
        escalate_after_days=settings.escalate_after_days,
        thank_you_wait_days=settings.thank_you_wait_days,
        survey_open_days=settings.survey_open_days,
    )


@dataclass(slots=True)
class Delivery:
    """What one delivery pass did; `problem` says why it stopped, if it did."""

    sent: int = 0
    retry: int = 0
    failed: int = 0
    problem: str = ""
    summary: str = ""  # the delivery's own one-line summary


def send(event_id: int | None, purposes: list[str], as_of: datetime | None = None) -> Delivery:
    """Deliver what the outbox owes for these purposes; a re-run sends only what is unsent.

    `as_of`: the moment the letters count days from (a simulated --at), else now.
    """
    from acara.messages.delivery import DeliveryStopped, deliver

    try:
        summary = deliver(event_id=event_id, purposes=purposes, as_of=as_of)
    except DeliveryStopped as exc:
        # The server is down or refused the login: what is owed stays queued for the next run.
        log.warning("follow-up delivery stopped: %s", exc)
        return Delivery(problem=str(exc))
    return Delivery(summary.sent, summary.retry, summary.failed, summary=str(summary))


def owe(event_id: int, now: datetime) -> FollowUpPlan:
    """Owe every follow-up message due at `now` for one event."""
    with change() as (session, _):
        event = get_event(session, event_id)
        plan = plan_follow_up(session, event, now=now, policy=policy())
    return plan


def press(event_ref: str | int, now: datetime, *, overwrite: bool = True) -> Path | None:
    """Write the press-release draft; with overwrite=False, only when there is none yet.

    The flow writes it once the minutes are approved (their key statements are its quotes)
    and never overwrites it; `acara followup press` always writes it anew.
    """
    with unit_of_work() as session:
        event = get_event(session, event_ref)
        if not overwrite:
            minutes = minutes_of(session, event)
            if minutes is None or minutes.status is not MinutesStatus.APPROVED:
                return None
            if press_release_written(event):
                return None
        return write_press_release(session, event, now=now).markdown


def report(event_id: int) -> bool:
    """Held -> reported when the minutes are approved and the follow-up is owed and written."""
    with change() as (session, _):
        event = get_event(session, event_id)
        return report_if_done(session, event, press_release_written=press_release_written(event))


def due_events() -> list[int]:
    """The events the daily sweep follows up."""
    with unit_of_work() as session:
        return events_to_follow_up(session)


@dataclass(slots=True)
class FollowUpReport:
    """What one follow-up run of one event did, for the CLI and the flow's result."""

    event_id: int
    code: str
    plan: FollowUpPlan
    press_release: Path | None
    delivery: Delivery
    reported: bool
    status: str

    def __str__(self) -> str:
        """One line, as the bus prints an inline handler's result."""
        p = self.plan
        return (
            f"follow-up of {self.code}: owed {p.queued} message(s), sent {self.delivery.sent}"
            + (", press-release draft written" if self.press_release else "")
            + f"; event is {self.status}"
        )

    def lines(self) -> list[str]:
        """Human-readable lines."""
        p = self.plan
        out = [
            f"{self.code}: owed {p.thank_you} thank-you, {p.survey} survey, "
            f"{p.reminders} action reminder(s), {p.escalations} escalation(s).",
        ]
        out += [f"  waiting: {note}" for note in p.waiting]
        if p.without_email:
            out.append(
                f"  skipped {p.without_email} message(s) to participants without e-mail "
                "(the follow-up goes by e-mail only)"
            )
        if p.newly_overdue:
            out.append(f"  newly overdue action items: {', '.join(map(str, p.newly_overdue))}")
        if self.press_release:
            out.append(f"  press-release draft: {self.press_release}")
        out.append(
            f"  sent {self.delivery.sent}, retry {self.delivery.retry}, "
            f"failed {self.delivery.failed}"
            + (f" ({self.delivery.problem})" if self.delivery.problem else "")
        )
        out.append(
            f"  event is {self.status}" + (" (moved to reported now)" if self.reported else "")
        )
        return out


def run(event_ref: str | int, now: Moment = None) -> FollowUpReport:
    """The whole follow-up of one event without Prefect: what the flow does, step by step."""
    with unit_of_work() as session:
        event = get_event(session, event_ref)
    now = moment(now, event.timezone)
    assert event.id is not None
    plan = owe(event.id, now)
    draft = press(event.id, now, overwrite=False)
    delivery = send(event.id, [MINUTES_PURPOSE, *FOLLOW_UP_PURPOSES], as_of=now)
    moved = report(event.id)
    return FollowUpReport(event.id, event.code, plan, draft, delivery, moved, _status(event.id))


def _status(event_id: int) -> str:
    with unit_of_work() as session:
        return get_event(session, event_id).status.value


def plan_run(event_ref: str | int, now: Moment = None) -> Plan:
    """What a follow-up run at `now` would owe, without owing it (a dry run)."""
    with change(dry_run=True) as (session, _):
        event = get_event(session, event_ref)
        plan = Plan.of("followup run", event)
        mark = outbox_mark(session)
        plan_follow_up(session, event, now=moment(now, event.timezone, "--at"), policy=policy())
        plan.owe(session, mark, event)
    return plan


def follow_up(event_id: int) -> FollowUpReport:
    """Reaction to EventHeld and MinutesApproved: thank, ask, chase, draft the press release."""
    return run(event_id)


# --- action items ---------------------------------------------------------------------------


def open_items(event: str | int | None, *, include_done: bool) -> list[tuple[ActionItem, Event]]:
    """Action items of one event (or all), earliest due first; done ones only when asked."""
    with unit_of_work() as session:
        target = get_event(session, event) if event is not None else None
        return action_items(session, target, include_done=include_done)


def close_item(item_id: int, *, actor: str) -> tuple[ActionItem, bool]:
    """Close an action item: its reminders and escalation stop; (item, whether it changed)."""
    with change() as (session, _):
        return close_action(session, item_id, actor=actor, now=utcnow())


# --- the feedback survey --------------------------------------------------------------------


class SurveyClosed(AcaraError):
    """The survey is not open: the event is not over yet, or answers are no longer taken."""

    code = "survey-closed"
    http_status = 410


class SurveyNotOpenYet(AcaraError):
    """The survey opens later: the event has not ended or has not been recorded as held."""

    code = "survey-not-open-yet"
    http_status = 409


@dataclass(frozen=True, slots=True)
class SurveyView:
    """What the survey page shows one participant."""

    event: Event
    person: Person
    answered: SurveyResponse | None
    is_open: bool
    opens_later: bool = False  # not open yet, but it will be
    opens_at: datetime | None = None  # when it opens, if that moment is still to come

    def ensure_open(self) -> None:
        """SurveyNotOpenYet or SurveyClosed unless answers are taken now."""
        if self.opens_later:
            raise SurveyNotOpenYet(
                N_("The survey is not open yet: it opens when the event is over.")
            )
        if not self.is_open:
            raise SurveyClosed(N_("The survey for this event is not open."))


def _survey_of(session: Session, event_id: int, participant_id: int) -> tuple[Event, Participant]:
    event = session.get(Event, event_id)
    participant = session.get(Participant, participant_id)
    if event is None or participant is None or participant.event_id != event.id:
        raise NotFound(N_("This survey does not exist (any more)."))
    return event, participant


def survey(event_id: int, participant_id: int) -> SurveyView:
    """A participant's survey, their earlier answers, and whether it is open now."""
    with unit_of_work() as session:
        event, participant = _survey_of(session, event_id, participant_id)
        person = session.get(Person, participant.person_id)
        assert person is not None and participant.id is not None
        now = utcnow()
        is_open = event.status in FOLLOWED_UP and survey_open(event.ends_at, now, policy())
        later = survey_opens_later(event.status, event.ends_at, now)
        return SurveyView(
            event,
            person,
            answer_of(session, participant.id),
            is_open,
            opens_later=later,
            opens_at=event.ends_at if later and now < event.ends_at else None,
        )


def answer_survey(event_id: int, participant_id: int, form: dict[str, Any]) -> None:
    """Store a participant's answers (replacing earlier ones); InvalidInput names each field."""
    survey(event_id, participant_id).ensure_open()
    answers = parse_answers(form)
    with change() as (session, _):
        _, participant = _survey_of(session, event_id, participant_id)
        submit(session, participant, answers, now=utcnow())


def survey_results(event: str | int) -> tuple[Event, SurveySummary]:
    """What the participants said: averages and spread per question, and the comments."""
    with unit_of_work() as session:
        target = get_event(session, event)
        return target, summarise(session, target)
