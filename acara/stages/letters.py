"""The official letters on paper: print what is owed, mark it handed over once, check a letter.

A letter owed on paper is an outbox row on Channel.LETTER that is not yet sent (models.outbox);
no delivery run ever sends it. `print_owed` writes those letters into one PDF to print, each
issued in the register once (the same code on every reprint); `hand_over` marks them sent when
the officer confirms they were handed over, each exactly once. `check` is what the public page
/verify/<code> shows of a letter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from acara.db import unit_of_work
from acara.documents.letters import Cover, Sheet, letter_pdf, letters_pdf
from acara.i18n import gettext, ngettext
from acara.links import read_letter_code
from acara.messages.composers.common import load_recipients
from acara.messages.composers.invitations import official_letter, preview_letter
from acara.stages.plan import Change, Note, Plan
from acara.stages.unit import change
from models.audit import record
from models.errors import N_, NotFound, invalid
from models.event import BreakoutGroup, Event
from models.letters import LETTER_PURPOSES, Letter, Standing, by_code, standing
from models.letters import hand_over as mark_handed_over
from models.outbox import Channel, Message, MessageStatus
from models.people import Participant, Person
from models.queries import get_event

_OWED = (MessageStatus.QUEUED, MessageStatus.RETRY)


@dataclass(frozen=True, slots=True)
class LetterCheck:
    """What the check page says of one letter (plain data)."""

    code: str
    kind: str  # invitation, update, cancellation
    number: str
    issued_at: datetime
    addressee: str
    event_title: str
    event_start: datetime
    event_end: datetime
    zone: str
    standing: Standing
    later_code: str = ""  # the letter that replaces it, once issued
    later_issued_at: datetime | None = None


def check(code: str) -> LetterCheck:
    """A letter by its printed code; TokenInvalid for a code acara did not make (mistyped,
    altered, forged), NotFound for a genuine code with no letter in this register."""
    genuine = read_letter_code(code)
    with unit_of_work() as session:
        letter = by_code(session, genuine)
        if letter is None:
            raise NotFound(N_("No letter with the code {code} is in the register."), code=genuine)
        verdict = standing(session, letter)
        event, later = verdict.event, verdict.later
        return LetterCheck(
            code=letter.code,
            kind=letter.kind.value,
            number=letter.number,
            issued_at=letter.issued_at,
            addressee=letter.addressee,
            event_title=event.display_title,
            event_start=event.starts_at,
            event_end=event.ends_at,
            zone=event.timezone,
            standing=verdict.standing,
            later_code=later.code if later else "",
            later_issued_at=later.issued_at if later else None,
        )


@dataclass(frozen=True, slots=True)
class Printed:
    """Letters written into one PDF to print."""

    event_code: str
    letters: int
    pdf: bytes
    skipped: list[str] = field(default_factory=list)  # participants with no letter yet


def print_owed(event: str | int, *, everyone: bool = False) -> Printed:
    """One print-ready PDF: a cover list, then every letter owed on paper (everyone=True: the
    current letter of every participant), ordered by group, then address, then name."""
    with change(react=False) as (session, _):
        target = get_event(session, event)
        rows = _owed_on_paper(session, target) if not everyone else _current(session, target)
        skipped = _not_yet_written(session, target) if everyone else []
        load_recipients(session, [message for message, _ in rows])
        sheets = [official_letter(session, message) for message, _ in rows]
        cover = Cover(
            gettext("Official letters to hand over"),
            target.display_title,
            ngettext("%(count)s letter", "%(count)s letters", len(sheets)) % {"count": len(sheets)},
        )
        pdf = letters_pdf(sheets, cover)
        return Printed(target.code, len(sheets), pdf, skipped)


def letter_of_message(message_id: int) -> Sheet:
    """The letter an outbox row carries (issued once), e.g. to show or download it."""
    with change(react=False) as (session, _):
        message = session.get(Message, message_id)
        if message is None or message.purpose not in LETTER_PURPOSES:
            raise NotFound(N_("Message {id} carries no letter."), id=message_id)
        return official_letter(session, message)


def preview(event: str | int, participant_id: int) -> bytes:
    """A participant's invitation letter as it would go out now, marked as a sample: nothing
    is issued, the code on it is refused by the check page."""
    with unit_of_work() as session:
        target = get_event(session, event)
        participant = session.get(Participant, participant_id)
        if participant is None or participant.event_id != target.id:
            raise NotFound(
                N_("Participant {id} is not in event {event}."),
                id=participant_id,
                event=target.code,
            )
        return letter_pdf(preview_letter(session, target, participant))


def owed_on_paper(event: str | int) -> list[str]:
    """Who is owed a letter on paper, by name with titles, in the cover list's order."""
    with unit_of_work() as session:
        target = get_event(session, event)
        return [person.full_name.with_titles for _, person in _owed_on_paper(session, target)]


@dataclass(frozen=True, slots=True)
class HandedOver:
    """Letters marked as handed over (or, on a dry run, that would be)."""

    event_code: str
    marked: int
    plan: Plan


def hand_over(
    event: str | int, people: Sequence[str] = (), *, actor: str, dry_run: bool = False
) -> HandedOver:
    """Mark printed letters as handed over: those of `people` (a letter's code, or a name as
    printed on the cover list), or every letter still owed on paper. Each is marked once."""
    with change(react=False, dry_run=dry_run) as (session, _):
        target = get_event(session, event)
        owed = _owed_on_paper(session, target)
        plan = Plan.of("hand over letters", target)
        chosen = _chosen(session, owed, people, plan) if people else owed
        ids = [message.id for message, _ in chosen if message.id is not None]
        marked = mark_handed_over(session, ids)
        if marked:
            plan.changes.append(Change(N_("printed letters handed over"), str(0), str(marked)))
            record(
                session,
                actor=actor,
                action="letters handed over",
                event_id=target.id,
                detail={"messages": ids},
            )
        return HandedOver(target.code, marked, plan)


def _chosen(
    session: Session,
    owed: list[tuple[Message, Person]],
    people: Sequence[str],
    plan: Plan,
) -> list[tuple[Message, Person]]:
    """The owed letters the officer named, by code or by name; a name nobody owes is a warning,
    a name two people share is an error (say the code instead)."""
    codes = {
        letter.message_id: letter.code
        for letter in session.exec(
            select(Letter).where(col(Letter.message_id).in_([m.id for m, _ in owed]))
        )
    }
    chosen: dict[int, tuple[Message, Person]] = {}
    for given in people:
        wanted = " ".join(given.split()).casefold()
        found = [
            (message, person)
            for message, person in owed
            if wanted
            in (
                codes.get(message.id or 0, "").casefold(),
                person.name.casefold(),
                person.full_name.with_titles.casefold(),
            )
        ]
        if len({person.id for _, person in found}) > 1:
            raise invalid(
                "PERSON",
                N_("{name!r} names {count} people: give the letter's code from the cover list"),
                name=given,
                count=len(found),
            )
        if not found:
            plan.warnings.append(Note(N_("{name}: no printed letter is owed"), {"name": given}))
        for message, person in found:
            chosen[message.id or 0] = (message, person)
    return list(chosen.values())


def _ordered(session: Session, event: Event, rows: list[Row]) -> list[tuple[Message, Person]]:
    """By group (plenary first), then postal address, then name: how a courier walks."""
    names = {
        g.id: g.name
        for g in session.exec(select(BreakoutGroup).where(BreakoutGroup.event_id == event.id))
    }
    rows.sort(
        key=lambda row: (
            row[2] is not None,
            names.get(row[2], "") if row[2] is not None else "",
            row[1].address.casefold(),
            row[1].name.casefold(),
        )
    )
    return [(message, person) for message, person, _ in rows]


Row = tuple[Message, Person, int | None]  # a message that carries a letter, its reader, group


def _letters(session: Session, event: Event, *where: Any) -> list[Row]:
    """The event's messages that carry a letter to a participant, newest first."""
    rows = session.exec(
        select(Message, Person, Participant.group_id)
        .join(Participant, col(Participant.id) == Message.participant_id)
        .join(Person, col(Person.id) == Participant.person_id)
        .where(col(Message.event_id) == event.id, col(Message.purpose).in_(LETTER_PURPOSES), *where)
        .order_by(col(Message.sequence).desc(), col(Message.id).desc())
    ).all()
    return [(message, person, group_id) for message, person, group_id in rows]


def _owed_on_paper(session: Session, event: Event) -> list[tuple[Message, Person]]:
    """The letters owed on paper: pending rows on Channel.LETTER."""
    owed = (col(Message.channel) == Channel.LETTER, col(Message.status).in_(_OWED))
    return _ordered(session, event, _letters(session, event, *owed))


def _current(session: Session, event: Event) -> list[tuple[Message, Person]]:
    """Every participant's newest letter (any channel), whether sent or still owed."""
    gone = (MessageStatus.SUPERSEDED, MessageStatus.FAILED)
    newest: dict[int, Row] = {}
    for message, person, group_id in _letters(session, event, col(Message.status).not_in(gone)):
        assert message.participant_id is not None
        newest.setdefault(message.participant_id, (message, person, group_id))
    return _ordered(session, event, list(newest.values()))


def _not_yet_written(session: Session, event: Event) -> list[str]:
    """Participants no letter has been owed to yet (not invited so far)."""
    written = select(Message.participant_id).where(
        col(Message.event_id) == event.id,
        col(Message.purpose).in_(LETTER_PURPOSES),
        col(Message.participant_id).is_not(None),
    )
    people = session.exec(
        select(Person)
        .join(Participant, col(Participant.person_id) == Person.id)
        .where(Participant.event_id == event.id, col(Participant.id).not_in(written))
        .order_by(col(Person.name))
    ).all()
    return [person.full_name.with_titles for person in people]
