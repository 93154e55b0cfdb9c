"""Minutes (notulen): the shape of a minutes file, recording a draft, approving it.

A minutes file is read by acara.minutesfile into plain data plus the line each value came
from; this module validates that data against the event and stores it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator
from sqlmodel import Session, col, delete, select

from models.audit import record
from models.clock import require_aware
from models.errors import N_, AcaraError, IllegalTransition, InvalidInput, NotFound, Problem
from models.event import Event, EventStatus
from models.events import MinutesApproved
from models.minutes import ActionItem, ActionStatus, Decision, Minutes, MinutesStatus
from models.outbox import enqueue
from models.people import Attendance, AttendanceStatus, Language, Participant, Person
from models.plan import Text, normalise_email, problems_from
from models.timing import MINUTES_TOO_EARLY, ensure_begun

MINUTES_PURPOSE = "minutes"

# Field names officers may write in Indonesian; each maps to the English name used here.
KEY_ALIASES: dict[str, str] = {
    "acara": "event",
    "ringkasan": "summary",
    "pembahasan": "discussion",
    "pokok_pembahasan": "discussion",
    "keputusan": "decisions",
    "kesepakatan": "decisions",
    "tindak_lanjut": "action_items",
    "actions": "action_items",
    "pernyataan": "key_statements",
    "kutipan": "quote",
    "uraian": "description",
    "penanggung_jawab": "owner",
    "pj": "owner",
    "surel": "email",
    "tenggat": "due",
    "batas_waktu": "due",
    "pembicara": "speaker",
    "jabatan": "position",
}

# States in which minutes may be written: from the invitations on until they are approved.
RECORDABLE = frozenset({EventStatus.ANNOUNCED, EventStatus.ONGOING, EventStatus.HELD})
APPROVABLE = frozenset({EventStatus.HELD, EventStatus.REPORTED})


def canonical_key(key: object) -> object:
    """The English field name for a key as written ('Tindak Lanjut' -> 'action_items')."""
    if not isinstance(key, str):
        return key
    text = key.strip().lower().replace(" ", "_").replace("-", "_")
    return KEY_ALIASES.get(text, text)


def _paragraphs(value: Any) -> Any:
    # Keep paragraphs and Markdown line structure; drop control characters and edge space.
    if not isinstance(value, str):
        return value
    lines = value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    cleaned = ["".join(c for c in line if c.isprintable()).rstrip() for line in lines]
    return "\n".join(cleaned).strip()


Paragraphs = Annotated[str, BeforeValidator(_paragraphs)]


def _date(value: Any) -> Any:
    # pydantic's own message ("invalid character in year") means nothing to an officer.
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"{value!r} is not a date like 2026-12-15") from None
    return value


Day = Annotated[date, BeforeValidator(_date)]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ActionItemSpec(_Spec):
    """A task from the meeting: what, who (name and e-mail) and by when."""

    description: Text = Field(min_length=1, max_length=2000)
    owner: Text = Field(min_length=1, max_length=300)
    email: str
    due: Day

    @field_validator("email", mode="before")
    @classmethod
    def _email(cls, value: Any) -> str:
        if value is None or not str(value).strip():
            raise ValueError(N_("missing e-mail address of the owner"))
        return normalise_email(value)


class KeyStatementSpec(_Spec):
    """A sentence worth quoting, by whom; the press release quotes it."""

    speaker: Text = Field(min_length=1, max_length=300)
    position: Text = Field(default="", max_length=300)
    quote: Paragraphs = Field(min_length=1, max_length=3000)


class MinutesSpec(_Spec):
    """The content of a minutes file."""

    event: Text | None = None  # the event code, checked against the one being recorded
    summary: Paragraphs = ""
    discussion: list[Paragraphs] = []
    decisions: list[Paragraphs] = []
    action_items: list[ActionItemSpec] = []
    key_statements: list[KeyStatementSpec] = []


@dataclass(frozen=True, slots=True)
class MinutesSource:
    """Data read from a minutes file with the line each field path came from."""

    name: str  # the file name, for messages
    data: dict[str, Any]
    lines: Mapping[str, int]  # "action_items[1].due" -> 14

    def where(self, path: str) -> str:
        """'notulen.md line 14 (action_items[1].due)': the closest known line for a path."""
        probe = path
        while probe:
            if probe in self.lines:
                return f"{self.name} line {self.lines[probe]} ({path})"
            cut = max(probe.rfind("."), probe.rfind("["))
            probe = probe[:cut] if cut > 0 else ""
        return f"{self.name} ({path})" if path else self.name


def parse_minutes(source: MinutesSource, event: Event) -> MinutesSpec:
    """Validate minutes for an event; InvalidInput lists every problem with its line."""
    problems: list[Problem] = []
    try:
        spec = MinutesSpec.model_validate(source.data)
    except ValidationError as exc:
        for problem in problems_from(exc):
            problems.append(Problem(source.where(problem.where), problem.template, problem.params))
        raise InvalidInput(
            problems, heading=N_("{source} is not valid"), source=source.name
        ) from None
    if spec.event and spec.event != event.code:
        problems.append(
            Problem(
                source.where("event"),
                N_("these minutes are for {minutes!r}, not for {event!r}"),
                {"minutes": spec.event, "event": event.code},
            )
        )
    if not spec.summary:
        problems.append(
            Problem(
                source.name, N_("no summary: write a '## Ringkasan' section or a summary field")
            )
        )
    for i, text in enumerate(spec.discussion):
        if not text:
            problems.append(Problem(source.where(f"discussion[{i}]"), N_("empty discussion point")))
    for i, text in enumerate(spec.decisions):
        if not text:
            problems.append(Problem(source.where(f"decisions[{i}]"), N_("empty decision")))
    first_day = event.local(event.starts_at).date()
    for i, item in enumerate(spec.action_items):
        if item.due < first_day:
            problems.append(
                Problem(
                    source.where(f"action_items[{i}].due"),
                    N_("due date {due} is before the event ({first_day})"),
                    {"due": item.due.isoformat(), "first_day": first_day.isoformat()},
                )
            )
    if problems:
        raise InvalidInput(problems, heading=N_("{source} is not valid"), source=source.name)
    return spec


class MinutesAlreadyApproved(IllegalTransition):
    """Approved minutes were sent out and are the record: they are not edited."""


def minutes_of(session: Session, event: Event) -> Minutes | None:
    """The event's minutes, draft or approved, if any were recorded."""
    return session.exec(select(Minutes).where(Minutes.event_id == event.id)).first()


def decisions_of(session: Session, minutes: Minutes) -> list[Decision]:
    """The decisions in the order they were taken."""
    return list(
        session.exec(
            select(Decision)
            .where(Decision.minutes_id == minutes.id)
            .order_by(col(Decision.position), col(Decision.id))
        )
    )


def action_items_of(session: Session, minutes: Minutes) -> list[ActionItem]:
    """The action items in the order they appear in the minutes."""
    return list(
        session.exec(
            select(ActionItem)
            .where(ActionItem.minutes_id == minutes.id)
            .order_by(col(ActionItem.position), col(ActionItem.id))
        )
    )


@dataclass(frozen=True, slots=True)
class Recorded:
    """What recording did."""

    minutes: Minutes
    replaced: bool  # an earlier draft was overwritten


def record_minutes(
    session: Session, event: Event, spec: MinutesSpec, *, actor: str, now: datetime
) -> Recorded:
    """Store the minutes as a draft, replacing an earlier draft; approved minutes are refused."""
    require_aware(now, "now")
    if event.status not in RECORDABLE:
        raise IllegalTransition(
            N_(
                "Event {event!r} is {status}: minutes can be recorded once it is "
                "announced and until they are approved."
            ),
            event=event.code,
            status=event.status.value,
        )
    minutes = minutes_of(session, event)
    replaced = minutes is not None
    if minutes is not None and minutes.status is MinutesStatus.APPROVED:
        raise MinutesAlreadyApproved(
            f"The minutes of {event.code!r} were approved and sent; they cannot be replaced."
        )
    if minutes is None:
        assert event.id is not None
        minutes = Minutes(event_id=event.id)
    else:
        session.exec(delete(Decision).where(col(Decision.minutes_id) == minutes.id))
        session.exec(delete(ActionItem).where(col(ActionItem.minutes_id) == minutes.id))
    minutes.summary = spec.summary
    minutes.discussion = list(spec.discussion)
    minutes.key_statements = [
        {"speaker": s.speaker, "position": s.position, "quote": s.quote}
        for s in spec.key_statements
    ]
    minutes.recorded_at = now
    session.add(minutes)
    session.flush()
    assert minutes.id is not None and event.id is not None
    session.add_all(
        Decision(minutes_id=minutes.id, position=i, text=text)
        for i, text in enumerate(spec.decisions)
    )
    session.add_all(
        ActionItem(
            event_id=event.id,
            minutes_id=minutes.id,
            position=i,
            description=item.description,
            owner_name=item.owner,
            owner_email=item.email,
            due_on=item.due,
        )
        for i, item in enumerate(spec.action_items)
    )
    record(
        session,
        actor=actor,
        action="minutes.recorded",
        event_id=event.id,
        detail={
            "replaced": replaced,
            "decisions": len(spec.decisions),
            "action_items": len(spec.action_items),
        },
    )
    session.flush()
    return Recorded(minutes, replaced)


@dataclass(frozen=True, slots=True)
class Recipient:
    """Someone owed a document: address (None: they have none), participant row if any,
    name and language."""

    email: str | None
    participant_id: int | None
    name: str
    language: Language


def present_participants(session: Session, event: Event) -> list[tuple[Participant, Person]]:
    """Participants marked present on the day, in name order."""
    rows = session.exec(
        select(Participant, Person)
        .join(Person, col(Person.id) == Participant.person_id)
        .join(Attendance, col(Attendance.participant_id) == Participant.id)
        .where(Participant.event_id == event.id, Attendance.status == AttendanceStatus.PRESENT)
    ).all()
    return sorted(rows, key=lambda row: row[1].name.lower())


def minutes_recipients(session: Session, event: Event, minutes: Minutes) -> list[Recipient]:
    """Everyone present with an e-mail address and every action-item owner, once each (the
    minutes go by e-mail only)."""
    found: dict[str, Recipient] = {}
    for participant, person in present_participants(session, event):
        if person.email is None:
            continue
        found.setdefault(
            person.email,
            Recipient(person.email, participant.id, person.full_name.with_titles, person.language),
        )
    for item in action_items_of(session, minutes):
        if item.owner_email in found:
            continue
        row = session.exec(
            select(Participant, Person)
            .join(Person, col(Person.id) == Participant.person_id)
            .where(Participant.event_id == event.id, Person.email == item.owner_email)
        ).first()
        if row is not None:
            participant, person = row
            found[person.email] = Recipient(
                person.email, participant.id, person.full_name.with_titles, person.language
            )
        else:
            found[item.owner_email] = Recipient(
                item.owner_email, None, item.owner_name, Language.ID
            )
    return list(found.values())


@dataclass(frozen=True, slots=True)
class Approval:
    """What approving did: the minutes, whether this call approved them, the mail queued."""

    minutes: Minutes
    newly_approved: bool
    recipients: list[Recipient]
    queued: int  # messages newly queued (0 on a re-run)
    without_email: int = 0  # present, but without an address: no minutes for them


def approve_minutes(
    session: Session, event: Event, *, actor: str, now: datetime, force: str | None = None
) -> Approval:
    """Approve the draft and queue the minutes for everyone owed them; safe to run again."""
    require_aware(now, "now")
    minutes = minutes_of(session, event)
    if minutes is None:
        raise NotFound(
            N_("No minutes recorded for {event!r}: `acara minutes record {event} FILE` first."),
            event=event.code,
        )
    newly = minutes.status is MinutesStatus.DRAFT
    if newly:
        if event.status not in APPROVABLE:
            raise IllegalTransition(
                N_(
                    "Event {event!r} is {status}: minutes are approved once it is "
                    "held (`acara event transition {event} hold`)."
                ),
                event=event.code,
                status=event.status.value,
            )
        ensure_begun(event, MINUTES_TOO_EARLY, now, force=force)
        minutes.status = MinutesStatus.APPROVED
        minutes.approved_at = now
        minutes.approved_by = actor
        session.add(minutes)
        record(
            session,
            actor=actor,
            action="minutes.approved",
            event_id=event.id,
            detail={"minutes_id": minutes.id},
            fact=MinutesApproved(event_id=event.id, minutes_id=minutes.id),
        )
    recipients = minutes_recipients(session, event, minutes)
    queued = 0
    assert event.id is not None
    for recipient in recipients:
        queued += enqueue(
            session,
            event_id=event.id,
            recipient=recipient.email,  # minutes_recipients: all have one
            purpose=MINUTES_PURPOSE,
            sequence=0,
            participant_id=recipient.participant_id,
        )
    session.flush()
    without_email = sum(1 for _, p in present_participants(session, event) if p.email is None)
    return Approval(minutes, newly, recipients, queued, without_email)


def require_approved(session: Session, event: Event) -> Minutes:
    """The approved minutes, or a clear error saying what to do first."""
    minutes = minutes_of(session, event)
    if minutes is None or minutes.status is not MinutesStatus.APPROVED:
        raise AcaraError(
            N_("The minutes of {event!r} are not approved yet: `acara minutes approve {event}`."),
            event=event.code,
        )
    return minutes


def open_action_items(session: Session, event: Event | None = None) -> list[ActionItem]:
    """Open action items of approved minutes (of one event, or of all), oldest due first."""
    query = (
        select(ActionItem)
        .join(Minutes, col(Minutes.id) == ActionItem.minutes_id)
        .where(ActionItem.status == ActionStatus.OPEN, Minutes.status == MinutesStatus.APPROVED)
        .order_by(col(ActionItem.due_on), col(ActionItem.id))
    )
    if event is not None:
        query = query.where(ActionItem.event_id == event.id)
    return list(session.exec(query))
