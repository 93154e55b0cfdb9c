"""Who takes part: adding participants to an event, merging people by e-mail address."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlmodel import Session, col, func, select

from models.audit import record
from models.errors import N_, InvalidInput, Problem
from models.event import BreakoutGroup, Event
from models.invitations import cancel_entry
from models.names import split_name
from models.people import Attendance, Participant, Person, person_id_of
from models.plan import ParticipantSpec, normalise_phone, reach
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
    merged: list[str] = field(default_factory=list)  # "row 9 merged into row 4"
    regrouped: list[tuple[str, str, str]] = field(default_factory=list)  # name, from, to
    rejected: list[Problem] = field(default_factory=list)
    people: set[int] = field(default_factory=set)  # everyone the list names (person ids)


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


def _name_key(name: str) -> str:
    return " ".join(split_name(name).name.lower().split())


def _address_key(address: str) -> str:
    return " ".join(address.lower().replace(",", " ").replace(".", " ").split())


def identity(spec: ParticipantSpec) -> str:
    """Who a row is: its e-mail address, else its phone number, else its name and address."""
    if spec.email:
        return spec.email
    if spec.phone:
        return spec.phone
    return f"{_name_key(spec.name)} | {_address_key(spec.address)}"


@dataclass(slots=True)
class People:
    """The people an import may merge rows into, looked up a few hundred at a time."""

    by_email: dict[str, Person] = field(default_factory=dict)
    by_phone: dict[str, Person] = field(default_factory=dict)
    by_name_address: dict[str, Person] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session, specs: Sequence[ParticipantSpec]) -> People:
        """Everyone already on file whom one of `specs` may be."""
        people = cls()
        emails = sorted({s.email for s in specs if s.email})
        phones = sorted({s.phone for s in specs if s.phone})
        # Those known by name and address: candidates by name, compared in `find`.
        names = sorted({_name_key(s.name) for s in specs if not s.email and not s.phone})
        for column, values in (
            (col(Person.email), emails),
            (col(Person.phone), phones),
            (func.lower(Person.name), names),
        ):
            for start in range(0, len(values), 500):
                chunk = values[start : start + 500]
                query = select(Person).where(column.in_(chunk)).order_by(col(Person.id))
                for person in session.exec(query):
                    people.remember(person)
        return people

    def remember(self, person: Person) -> None:
        """Make `person` findable by what identifies them (the first one on file wins)."""
        if person.email:
            self.by_email.setdefault(person.email, person)
        if person.phone:
            self.by_phone.setdefault(person.phone, person)
        if person.address:
            key = f"{_name_key(person.name)} | {_address_key(person.address)}"
            self.by_name_address.setdefault(key, person)

    def find(self, spec: ParticipantSpec) -> Person | None:
        """The person a row is: by e-mail address; else by phone number (a row that brings an
        e-mail address merges by phone only into someone who has none yet); else by name and
        postal address."""
        if spec.email:
            known = self.by_email.get(spec.email)
            if known is None and spec.phone:
                known = self.by_phone.get(spec.phone)
                known = known if known is not None and not known.email else None
            return known
        if spec.phone:
            return self.by_phone.get(spec.phone)
        return self.by_name_address.get(identity(spec))


def upsert_person(session: Session, spec: ParticipantSpec, people: People) -> tuple[Person, bool]:
    """The person this row is (see People.find), created or brought up to date; whether
    anything changed."""
    parts = split_name(spec.name)
    person = people.find(spec)
    given = spec.model_fields_set
    if person is None:
        person = Person(email=spec.email, name=parts.name, language=spec.language)
    person.name = parts.name
    # A later list that writes the name bare must not strip a doctorate already on file.
    if parts.title_prefix or parts.title_suffix:
        person.title_prefix = parts.title_prefix
        person.title_suffix = parts.title_suffix
    person.salutation = spec.salutation or parts.salutation or person.salutation
    for attr in ("email", "position", "organisation", "phone", "address"):
        if value := getattr(spec, attr):
            setattr(person, attr, value)
    if "language" in given:  # a list without a language column keeps what is known
        person.language = spec.language
    # A list without a channel column keeps what an earlier one asked for.
    person.via = reach(person.email, person.phone, spec.via if "via" in given else person.via)
    session.add(person)
    changed = person.id is not None and session.is_modified(person)
    session.flush()
    people.remember(person)
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
    people = People.load(session, [row.spec for row in rows if row.where not in bad])
    first_seen: dict[str, str] = {}
    touched: set[int] = set()
    for row in rows:
        if row.where in bad:
            continue
        key = identity(row.spec)
        if key in first_seen:
            report.merged.append(f"{row.where} merged into {first_seen[key]}")
        else:
            first_seen[key] = row.where
        person, person_changed = upsert_person(session, row.spec, people)
        assert person.id is not None
        report.people.add(person.id)
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


def reference(text: str) -> str:
    """An officer's way of naming someone, as it is stored: e-mail, E.164 phone, person:<id>."""
    ref = text.strip().lower()
    if "@" in ref or person_id_of(ref) is not None:
        return ref
    try:
        return normalise_phone(ref)
    except ValueError:
        return ref


def remove_participants(
    session: Session, event: Event, refs: Sequence[str], *, actor: str
) -> Removed:
    """Take people off an event; whoever was sent its calendar entry is owed a CANCEL for it.

    People are named by e-mail address, phone number or 'person:<id>'. All or nothing: a name
    that is not a participant, someone already on the attendance list, or someone with a
    stand-in is refused, and then nobody is removed.
    """
    wanted = list(dict.fromkeys(reference(r) for r in refs if r.strip()))
    everyone = session.exec(
        select(Participant, Person)
        .join(Person, col(Person.id) == Participant.person_id)
        .where(Participant.event_id == event.id)
    ).all()
    known: dict[str, tuple[Participant, Person]] = {}
    for participant, person in everyone:
        for key in (person.email, person.phone, person.recipient):
            if key:
                known.setdefault(key, (participant, person))
    found = {ref: known[ref] for ref in wanted if ref in known}
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
    for participant, person in {p.id: (p, person) for p, person in found.values()}.values():
        removed.cancellations += cancel_entry(session, event, person.recipient)
        record(
            session,
            actor=actor,
            action="participant.removed",
            event_id=event.id,
            detail={"email": person.recipient, "name": person.full_name.with_titles},
        )
        removed.names.append(person.full_name.with_titles)
        session.delete(participant)
    session.flush()
    return removed
