"""The planning stage: events and participant lists come in from files; events move along.

A re-imported event file that moves an announced event, a reschedule or a cancellation
records its fact; the invitation stage reacts by telling everyone invited.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlmodel import Session, col, select

from acara.bus import Publishing
from acara.db import unit_of_work
from acara.eventfile import (
    ParticipantList,
    read_event_file,
    read_participant_list,
    read_participant_record,
)
from acara.precedence import precedence
from acara.settings import office_letterhead
from acara.stages import replies
from acara.stages.plan import Change, Note, Plan, outbox_mark
from acara.stages.unit import change
from models import lifecycle
from models.audit import AuditEntry
from models.checkin import GroupTally, tally
from models.clock import Moment, moment
from models.errors import N_, InvalidInput, NotFound, invalid
from models.event import BreakoutGroup, Event, EventStatus
from models.invitations import owe_changes
from models.organisations import Signer, letterhead
from models.people import Participant, Person
from models.planning import ImportResult, edit_details, import_event, volumes
from models.queries import (
    PLENARY,
    AgendaLine,
    ParticipantLine,
    agenda,
    get_event,
    history,
    organisation_name,
    participants,
)
from models.roster import Removed, RosterReport, add_participants, remove_participants
from models.rsvp import seats_taken
from models.staleness import missing, superseded


@dataclass(slots=True)
class Changed:
    """An event after a command: its state now, its plan, and what publishing its facts did."""

    event: Event
    published: Publishing
    plan: Plan
    changed: bool = True


@dataclass(slots=True)
class Imported:
    """An event file taken in: the domain's result, its plan and what publishing did."""

    code: str
    result: ImportResult
    published: Publishing
    plan: Plan


@dataclass(slots=True)
class ListImported:
    """A participant list taken in (rejected rows listed, none written unless skipped)."""

    event_id: int
    event_code: str
    report: RosterReport  # its `rejected` lists the unreadable rows too
    plan: Plan
    notices: list[str] = field(default_factory=list)  # read, but look: "not UTF-8; read as ..."


def import_event_file(
    path: Path, *, participants: Path | None = None, actor: str, dry_run: bool = False
) -> Imported:
    """Create an event from its file, or update the event with the same code; `participants`
    is a list read instead of the file's participants_file."""
    spec, rows = read_event_file(path, participants)
    with change(dry_run=dry_run) as (session, published):
        mark = outbox_mark(session)
        before = _times(session, spec.code)
        rescheduled_by_hand = _rescheduled_since_import(session, spec.code)
        result = import_event(session, spec, rows, actor=actor)
        target = get_event(session, result.event_id)
        plan = Plan.of("import", target)
        _times_changed(plan, before, target)
        if before and plan.changes and rescheduled_by_hand:
            plan.warnings.append(
                Note(
                    N_(
                        "The file moves the event back: it was rescheduled by {officer} since "
                        "the file was last imported. Fix the file if that move still stands."
                    ),
                    {"officer": rescheduled_by_hand},
                )
            )
        _roster_changes(plan, result.roster)
        _tell(session, target, plan, mark)
    return Imported(spec.code, result, published, plan)


def import_participants(
    event: str | int,
    path: Path,
    *,
    skip_invalid: bool,
    prune: bool = False,
    actor: str,
    dry_run: bool = False,
) -> ListImported:
    """Add participants from a CSV or XLSX list: all or nothing unless skip_invalid.

    With `prune` the list is the whole roster: whoever is not on it is taken off the event.
    Once the event is announced, everyone whose programme changed (a new group) is owed an
    update and whoever was taken off a cancellation; `send_changes` sends them.
    """
    read = read_participant_list(path)
    heading = Note(N_("Nothing imported from {file}; fix these rows"), {"file": path.name})
    return _take_in(
        event,
        read,
        heading,
        skip_invalid=skip_invalid,
        prune=prune,
        actor=actor,
        dry_run=dry_run,
    )


def import_participant(
    event: str | int, record: Mapping[str, str], *, actor: str, dry_run: bool = False
) -> ListImported:
    """One participant typed into a form, taken in as a list of one row: added, or brought up
    to date when the e-mail address is known (what `import_participants` does per row)."""
    heading = Note(N_("Nothing saved; fix these fields"))
    read = read_participant_record(record)
    return _take_in(
        event, read, heading, skip_invalid=False, prune=False, actor=actor, dry_run=dry_run
    )


def _take_in(
    event: str | int,
    read: ParticipantList,
    heading: Note,
    *,
    skip_invalid: bool,
    prune: bool,
    actor: str,
    dry_run: bool,
) -> ListImported:
    rows, problems = read.rows, read.problems
    if problems and not skip_invalid:
        raise InvalidInput(problems, heading=heading.template, **heading.params)
    with change(dry_run=dry_run) as (session, _):
        target = get_event(session, event)
        plan = Plan.of("participants import", target)
        mark = outbox_mark(session)
        report = add_participants(session, target, rows, skip_invalid=skip_invalid)
        if prune:
            gone = [
                line.person.recipient
                for line in participants(session, target)
                if line.person.id not in report.people and line.participant.represents_id is None
            ]
            _removed_changes(plan, remove_participants(session, target, gone, actor=actor))
        _roster_changes(plan, report)
        _tell(session, target, plan, mark)
    report.rejected[:0] = problems
    assert target.id is not None
    return ListImported(target.id, target.code, report, plan, read.notices)


def remove(event: str | int, refs: list[str], *, actor: str, dry_run: bool = False) -> Changed:
    """Take people off an event (named by e-mail, phone or person:<id>); those who were sent
    its calendar entry are owed a CANCEL."""
    with change(dry_run=dry_run) as (session, published):
        target = get_event(session, event)
        plan = Plan.of("participants remove", target)
        mark = outbox_mark(session)
        _removed_changes(plan, remove_participants(session, target, refs, actor=actor))
        _tell(session, target, plan, mark)
    return Changed(target, published, plan)


def transition(
    event: str | int, action: str, *, actor: str, at: Moment = None, force: str | None = None
) -> Changed:
    """Move an event along its lifecycle (announce, start, hold, report, close)."""
    chosen = lifecycle.parse_action(action)
    if chosen in (lifecycle.Action.CANCEL, lifecycle.Action.RESCHEDULE):
        raise invalid(
            "action",
            N_("use `acara event {action}`, which asks for what it needs"),
            action=chosen.value,
        )
    with change() as (session, published):
        target = get_event(session, event)
        plan = Plan.of(chosen.value, target)
        before = target.status.value
        lifecycle.apply(
            session,
            target,
            chosen,
            actor=actor,
            now=moment(at, target.timezone, "--at"),
            force=force,
        )
        plan.changes.append(Change(N_("status"), before, target.status.value, kind="status"))
    return Changed(target, published, plan)


def reschedule(
    event: str | int, start: str | datetime, *, actor: str, dry_run: bool = False
) -> Changed:
    """Move the event and its whole agenda to a new start (text is read in the event's zone)."""
    with change(dry_run=dry_run) as (session, published):
        target = get_event(session, event)
        plan = Plan.of("reschedule", target)
        mark = outbox_mark(session)
        before = (target.starts_at, target.ends_at)
        lifecycle.reschedule(session, target, moment(start, target.timezone, "start"), actor=actor)
        _times_changed(plan, before, target)
        _tell(session, target, plan, mark)
    return Changed(target, published, plan)


def cancel(
    event: str | int, *, reason: str, actor: str, react: bool = True, dry_run: bool = False
) -> Changed:
    """Cancel the event; everyone invited is owed the cancellation (again: nothing changes)."""
    with change(react=react, dry_run=dry_run) as (session, published):
        target = get_event(session, event)
        plan = Plan.of("cancel", target)
        mark = outbox_mark(session)
        already = target.status is EventStatus.CANCELLED
        if not already:
            plan.changes.append(
                Change(N_("status"), target.status.value, "cancelled", kind="status")
            )
            lifecycle.cancel(session, target, actor=actor, reason=reason)
        _tell(session, target, plan, mark)
    return Changed(target, published, plan, changed=not already)


def edit(
    event: str | int, values: Mapping[str, object], *, actor: str, dry_run: bool = False
) -> Changed:
    """Change an event's title, subject, description, letter number or capacity."""
    with change(dry_run=dry_run) as (session, published):
        target = get_event(session, event)
        plan = Plan.of("edit", target)
        plan.changes.extend(
            Change(what, before, after)
            for what, before, after in edit_details(session, target, dict(values), actor=actor)
        )
    return Changed(target, published, plan, changed=bool(plan.changes))


def _tell(session: Session, event: Event, plan: Plan, mark: int) -> None:
    """Owe everyone told of the event what changed for them, and add it all to the plan."""
    if event.status is not EventStatus.DRAFT:
        owe_changes(session, event)
    plan.owe(session, mark, event)


def _removed_changes(plan: Plan, removed: Removed) -> None:
    if removed.names:
        plan.changes.append(Change(N_("participants taken off"), "", ", ".join(removed.names)))


def _times(session: Session, code: str) -> tuple[datetime, datetime] | None:
    existing = session.exec(select(Event).where(Event.code == code)).first()
    return (existing.starts_at, existing.ends_at) if existing else None


def _times_changed(plan: Plan, before: tuple[datetime, datetime] | None, event: Event) -> None:
    if before is None:
        return
    for what, old, new in (
        (N_("start"), before[0], event.starts_at),
        (N_("end"), before[1], event.ends_at),
    ):
        if old != new:
            plan.changes.append(Change(what, old, new))


def _rescheduled_since_import(session: Session, code: str) -> str | None:
    """Who moved the event by hand after its file was last imported, if anyone did."""
    existing = session.exec(select(Event).where(Event.code == code)).first()
    if existing is None:
        return None
    for entry in reversed(history(session, existing)):
        if entry.action in ("import", "update") or entry.detail.get("via") == "import":
            return None
        if entry.action == lifecycle.Action.RESCHEDULE.value:
            return entry.actor
    return None


def _roster_changes(plan: Plan, report: RosterReport) -> None:
    if report.added:
        plan.changes.append(Change(N_("participants added"), "", str(report.added)))
    if report.updated:
        plan.changes.append(Change(N_("participants updated"), "", str(report.updated)))
    plan.changes.extend(
        Change(N_("group of {name}"), old, new, {"name": name})
        for name, old, new in report.regrouped
    )


# --- what officers read ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Overview:
    """An event with its organisations, agenda and participants, as `acara event show` lists."""

    event: Event
    host: str | None
    guest: str | None
    agenda: list[AgendaLine]
    participants: list[ParticipantLine]
    signatory: Signer | None  # who signs its letters (None: no host organisation)
    volumes: list[Event]  # the other events of its series, in the order they happen


@dataclass(frozen=True, slots=True)
class Entry:
    """What the officer's participant form needs: the event's groups, and the participant."""

    event: Event
    groups: list[str]
    line: ParticipantLine | None  # None: a new participant


def entry(event: str | int, participant_id: int | None = None) -> Entry:
    """An event's groups and, when asked for, one of its participants (NotFound otherwise)."""
    with unit_of_work() as session:
        target = get_event(session, event)
        groups = session.exec(
            select(BreakoutGroup.name)
            .where(BreakoutGroup.event_id == target.id)
            .order_by(col(BreakoutGroup.name))
        ).all()
        if participant_id is None:
            return Entry(target, list(groups), None)
        participant = session.get(Participant, participant_id)
        if participant is None or participant.event_id != target.id:
            raise NotFound(
                N_("No participant {id} in event {event!r}."), id=participant_id, event=target.code
            )
        person = session.get(Person, participant.person_id)
        group = session.get(BreakoutGroup, participant.group_id) if participant.group_id else None
        assert person is not None
        line = ParticipantLine(participant, person, group.name if group else PLENARY)
        return Entry(target, list(groups), line)


def all_events() -> list[Event]:
    """Every event, newest first."""
    with unit_of_work() as session:
        return list(session.exec(select(Event).order_by(col(Event.starts_at).desc())))


def find_event(event: str | int) -> Event:
    """One event by id or code (NotFound naming what was asked for)."""
    with unit_of_work() as session:
        return get_event(session, event)


@dataclass(frozen=True, slots=True)
class Counted:
    """An event with its participants counted by answer and attendance."""

    event: Event
    overall: GroupTally


def counted_events() -> list[Counted]:
    """Every event, newest first, with its counts (the officers' event list)."""
    with unit_of_work() as session:
        events = session.exec(select(Event).order_by(col(Event.starts_at).desc())).all()
        return [Counted(event, tally(session, event)[1]) for event in events]


@dataclass(frozen=True, slots=True)
class Dashboard:
    """One event's dashboard: counts per group and overall, organisations, seats, agenda."""

    event: Event
    groups: list[GroupTally]
    overall: GroupTally
    host: str
    guest: str
    seats_taken: int
    agenda: list[AgendaLine]
    bounced: dict[str, str]  # address -> "permanent" or "transient" (read back from bounces)


def dashboard(event: str | int) -> Dashboard:
    """What the officers' dashboard of one event shows."""
    with unit_of_work() as session:
        target = get_event(session, event)
        assert target.id is not None
        groups, overall = tally(session, target)
        return Dashboard(
            target,
            groups,
            overall,
            organisation_name(session, target.host_id),
            organisation_name(session, target.guest_id),
            seats_taken(session, target.id),
            agenda(session, target),
            replies.bounced_addresses(target.id),
        )


def overview(event: str | int) -> Overview:
    """One event in full: host, guest, agenda per day and group, participants."""
    with unit_of_work() as session:
        target = get_event(session, event)
        head = letterhead(session, target, office_letterhead()) if target.host_id else None
        return Overview(
            target,
            organisation_name(session, target.host_id),
            organisation_name(session, target.guest_id),
            agenda(session, target),
            participants(session, target, precedence()),
            head.signatory if head else None,
            [v for v in volumes(session, target) if v.id != target.id],
        )


def audit_trail(event: str | int) -> tuple[Event, list[AuditEntry]]:
    """The audit trail of an event, oldest first."""
    with unit_of_work() as session:
        target = get_event(session, event)
        return target, list(history(session, target))


# --- what a flow run checks and names -------------------------------------------------------


def why_superseded(event_id: int, fact: str, sequence: int | None = None) -> str | None:
    """Why a fact (wire name) that started a flow asks for nothing now; None: it still does."""
    with unit_of_work() as session:
        try:
            target = get_event(session, event_id)
        except NotFound:
            return missing(event_id)
        return superseded(target, fact, sequence)


@dataclass(frozen=True, slots=True)
class Label:
    """An event as a run names it: code, title and start in the event's zone (WIB)."""

    event_id: int
    code: str
    title: str
    starts: str  # 'Selasa, 8 Desember 2026 pukul 08.30 WIB'

    def __str__(self) -> str:
        return f"{self.code}: {self.title}, {self.starts}"


def label(event_id: int) -> Label:
    """The event's code, title and start as people read them."""
    from acara.dates import long_datetime

    with unit_of_work() as session:
        target = get_event(session, event_id)
        starts = long_datetime(target.starts_at, target.timezone)
        return Label(event_id, target.code, target.display_title, starts)
