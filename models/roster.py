"""Who takes part: adding participants to an event, merging people by e-mail address."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from models.audit import record
from models.errors import N_, InvalidInput, Problem
from models.event import BreakoutGroup, Event
from models.invitations import cancel_entry
from models.names import split_name
from models.people import Attendance, Participant, Person
from models.plan import ParticipantSpec
from models.queries import PLENARY


@dataclass(frozen=True, slots=True)
class Row:
    """A participant as read from a source, with where it came from (for error messages)."""

    where: str  # "row 12" or "participants[3]"
    spec: ParticipantSpec


@dataclass(slots=True)
class RosterReport:
    """What an import did: counts, merged duplicates and every rejected row."""

    added: int = 0
    updated: int = 0
    merged: list[str] = field(default_factory=list)  # "row 9 merged into row 4 (same e-mail)"
    regrouped: list[tuple[str, str, str]] = field(default_factory=list)  # name, from, to
    rejected: list[Problem] = field(default_factory=list)


def check_rows(session: Session, event: Event, rows: Sequence[Row]) -> list[Problem]:
    """Problems that only the event can tell: a group that does not exist."""
    groups = set(
        session.exec(select(BreakoutGroup.name).where(BreakoutGroup.event_id == event.id)).all()
    )
    return [
        Problem(
            row.where,
            N_("group: no group named {group!r} in this event"),
            {"group": row.spec.group},
        )
        for row in rows
        if row.spec.group and row.spec.group not in groups
    ]


def upsert_person(session: Session, spec: ParticipantSpec) -> tuple[Person, bool]:
    """The person with this e-mail, created or brought up to date; whether anything changed."""
    parts = split_name(spec.name)
    person = session.exec(select(Person).where(Person.email == spec.email)).first()
    given = spec.model_fields_set
    if person is None:
        person = Person(email=spec.email, name=parts.name, language=spec.language)
    person.name = parts.name
    # A later list that writes the name bare must not strip a doctorate already on file.
    if parts.title_prefix or parts.title_suffix:
        person.title_prefix = parts.title_prefix
        person.title_suffix = parts.title_suffix
    person.salutation = spec.salutation or parts.salutation or person.salutation
    for attr in ("position", "organisation", "phone"):
        if value := getattr(spec, attr):
            setattr(person, attr, value)
    if "language" in given:  # a list without a language column keeps what is known
        person.language = spec.language
    session.add(person)
    changed = person.id is not None and session.is_modified(person)
    session.flush()
    return person, changed


def add_participants(
    session: Session, event: Event, rows: Sequence[Row], *, skip_invalid: bool = False
) -> RosterReport:
    """Add or update participants; all-or-nothing unless `skip_invalid` drops bad rows."""
    report = RosterReport()
    problems = check_rows(session, event, rows)
    if problems and not skip_invalid:
        raise InvalidInput(problems, heading=N_("Nothing imported; fix these rows"))
    report.rejected.extend(problems)
    bad = {p.where for p in problems}
    groups = {
        g.name: g.id
        for g in session.exec(select(BreakoutGroup).where(BreakoutGroup.event_id == event.id))
    }
    group_names: dict[int | None, str] = {gid: name for name, gid in groups.items()}
    first_seen: dict[str, str] = {}
    touched: set[int] = set()
    for row in rows:
        if row.where in bad:
            continue
        if row.spec.email in first_seen:
            report.merged.append(f"{row.where} merged into {first_seen[row.spec.email]}")
        else:
            first_seen[row.spec.email] = row.where
        person, person_changed = upsert_person(session, row.spec)
        participant = session.exec(
            select(Participant).where(
                Participant.event_id == event.id, Participant.person_id == person.id
            )
        ).first()
        given = row.spec.model_fields_set
        new = participant is None
        if participant is None:
            participant = Participant(event_id=event.id, person_id=person.id)
            report.added += 1
            given = given | {"role", "group"}
        before = participant.group_id
        # A list without role or group columns adds people; it does not demote the speaker.
        if "role" in given:
            participant.role = row.spec.role
        if "group" in given:
            participant.group_id = groups.get(row.spec.group) if row.spec.group else None
        session.add(participant)
        # Only a real change counts as an update: the same list twice updates nobody.
        if not new and participant.id not in touched:
            if person_changed or session.is_modified(participant):
                report.updated += 1
            if participant.group_id != before:
                report.regrouped.append(
                    (
                        person.full_name.with_titles,
                        group_names.get(before, PLENARY),
                        group_names.get(participant.group_id, PLENARY),
                    )
                )
        session.flush()
        touched.add(participant.id)
    return report


@dataclass(slots=True)
class Removed:
    """Who was taken off an event, and how many of them are owed a cancellation."""

    names: list[str] = field(default_factory=list)
    cancellations: int = 0


def remove_participants(
    session: Session, event: Event, emails: Sequence[str], *, actor: str
) -> Removed:
    """Take people off an event; whoever was sent its calendar entry is owed a CANCEL for it.

    All or nothing: an address that is not a participant, someone already on the attendance
    list, or someone with a stand-in is refused, and then nobody is removed.
    """
    wanted = list(dict.fromkeys(e.strip().lower() for e in emails if e.strip()))
    found = {
        person.email: (participant, person)
        for participant, person in session.exec(
            select(Participant, Person)
            .join(Person, col(Person.id) == Participant.person_id)
            .where(Participant.event_id == event.id, col(Person.email).in_(wanted))
        )
    }
    problems = [Problem(e, N_("not a participant of this event")) for e in wanted if e not in found]
    for email, (participant, _) in found.items():
        if session.exec(
            select(Attendance.id).where(Attendance.participant_id == participant.id)
        ).first():
            problems.append(Problem(email, N_("already on the attendance list")))
        if (
            participant.represents_id is not None
            or session.exec(
                select(Participant.id).where(Participant.represents_id == participant.id)
            ).first()
        ):
            problems.append(
                Problem(email, N_("has a stand-in, or stands in for someone: remove that first"))
            )
    if problems:
        raise InvalidInput(problems, heading=N_("Nobody removed"))
    removed = Removed()
    for email in wanted:
        participant, person = found[email]
        removed.cancellations += cancel_entry(session, event, email)
        record(
            session,
            actor=actor,
            action="participant.removed",
            event_id=event.id,
            detail={"email": email, "name": person.full_name.with_titles},
        )
        removed.names.append(person.full_name.with_titles)
        session.delete(participant)
    session.flush()
    return removed
