"""The planning stage: events and participant lists come in from files; events move along.

A re-imported event file that moves an announced event, a reschedule or a cancellation
records its fact; the invitation stage reacts by telling everyone invited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlmodel import col, select

from acara.bus import Publishing
from acara.db import unit_of_work
from acara.eventfile import read_event_file, read_participant_list
from acara.stages.unit import change
from models import lifecycle
from models.audit import AuditEntry
from models.clock import moment
from models.errors import InvalidInput, NotFound, invalid
from models.event import Event, EventStatus
from models.planning import ImportResult, import_event
from models.queries import (
    AgendaLine,
    ParticipantLine,
    agenda,
    get_event,
    history,
    organisation_name,
    participants,
)
from models.roster import RosterReport, add_participants
from models.staleness import missing, superseded


@dataclass(slots=True)
class Changed:
    """An event after a command: its state now, and what publishing its facts did."""

    event: Event
    published: Publishing
    changed: bool = True


@dataclass(slots=True)
class Imported:
    """An event file taken in: the domain's result and what publishing did."""

    code: str
    result: ImportResult
    published: Publishing


@dataclass(slots=True)
class ListImported:
    """A participant list taken in (rejected rows listed, none written unless skipped)."""

    event_code: str
    report: RosterReport  # its `rejected` lists the unreadable rows too


def import_event_file(path: Path, *, actor: str) -> Imported:
    """Create an event from its file, or update the event with the same code."""
    spec, rows = read_event_file(path)
    with change() as (session, published):
        result = import_event(session, spec, rows, actor=actor)
    return Imported(spec.code, result, published)


def import_participants(event: str | int, path: Path, *, skip_invalid: bool) -> ListImported:
    """Add participants from a CSV or XLSX list: all or nothing unless skip_invalid."""
    rows, problems = read_participant_list(path)
    if problems and not skip_invalid:
        raise InvalidInput(problems, heading=f"Nothing imported from {path.name}; fix these rows")
    with unit_of_work() as session:
        target = get_event(session, event)
        report = add_participants(session, target, rows, skip_invalid=skip_invalid)
    report.rejected[:0] = problems
    return ListImported(target.code, report)


def transition(event: str | int, action: str, *, actor: str) -> Changed:
    """Move an event along its lifecycle (announce, start, hold, report, close)."""
    chosen = lifecycle.parse_action(action)
    if chosen in (lifecycle.Action.CANCEL, lifecycle.Action.RESCHEDULE):
        raise invalid("action", f"use `acara event {chosen.value}`, which asks for what it needs")
    with change() as (session, published):
        target = get_event(session, event)
        lifecycle.apply(session, target, chosen, actor=actor)
    return Changed(target, published)


def reschedule(event: str | int, start: str | datetime, *, actor: str) -> Changed:
    """Move the event and its whole agenda to a new start (text is read in the event's zone)."""
    with change() as (session, published):
        target = get_event(session, event)
        new_start = moment(start, target.timezone, "start")
        lifecycle.reschedule(session, target, new_start, actor=actor)
    return Changed(target, published)


def cancel(event: str | int, *, reason: str, actor: str, react: bool = True) -> Changed:
    """Cancel the event; everyone invited is owed the cancellation (again: nothing changes)."""
    with change(react=react) as (session, published):
        target = get_event(session, event)
        already = target.status is EventStatus.CANCELLED
        if not already:
            lifecycle.cancel(session, target, actor=actor, reason=reason)
    return Changed(target, published, changed=not already)


# --- what officers read ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Overview:
    """An event with its organisations, agenda and participants, as `acara event show` lists."""

    event: Event
    host: str | None
    guest: str | None
    agenda: list[AgendaLine]
    participants: list[ParticipantLine]


def all_events() -> list[Event]:
    """Every event, newest first."""
    with unit_of_work() as session:
        return list(session.exec(select(Event).order_by(col(Event.starts_at).desc())))


def overview(event: str | int) -> Overview:
    """One event in full: host, guest, agenda per day and group, participants."""
    with unit_of_work() as session:
        target = get_event(session, event)
        return Overview(
            target,
            organisation_name(session, target.host_id),
            organisation_name(session, target.guest_id),
            agenda(session, target),
            participants(session, target),
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
