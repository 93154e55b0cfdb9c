"""What a command is about to do, shown before it does it: changes, messages owed, warnings.

A planned command runs once as a dry run (its unit of work rolled back) to fill a Plan, and
again for real once the officer confirms. The messages of a plan are read from the outbox
rows the dry run wrote, so the plan lists exactly what the real run will owe.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, select

from acara.i18n import translate
from acara.settings import office_letterhead
from models.errors import N_
from models.event import Event, EventStatus
from models.organisations import letterhead
from models.outbox import Channel, Message
from models.people import Participant, Person, person_id_of

NAMES_SHOWN = 5  # recipients named per kind of message; the rest are counted


@dataclass(frozen=True, slots=True)
class Change:
    """One thing a command changes: what, from, to (times are shown in the event's zone)."""

    what: str  # English template (N_): "start", "group of {name}", ...
    before: datetime | str
    after: datetime | str
    params: Mapping[str, str] = field(default_factory=dict)
    # How the values are named for people (an acara.labels family: "status", "rsvp"); "" as is.
    kind: str = ""


@dataclass(frozen=True, slots=True)
class Note:
    """A warning of a plan: an English template (N_) and what fills it."""

    template: str
    params: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Owing:
    """Messages of one kind the command owes: how many, and the first recipients' names.

    The channel says how they go: e-mail, or a printed letter for those without an address.
    """

    purpose: str
    count: int
    names: tuple[str, ...]
    channel: Channel = Channel.EMAIL

    def kind(self, purpose: str, language: str | None = None) -> str:
        """How the plan names these messages, from the name of their purpose: 'Undangan' by
        e-mail, 'Undangan (surat tercetak)' on paper."""
        if self.channel is Channel.LETTER:
            return translate(language, "%(purpose)s (printed letter)", purpose=purpose)
        return purpose


@dataclass(slots=True)
class Plan:
    """A command's plan: the event, what changes, who is owed what, what to look out for."""

    command: str
    event_code: str
    event_title: str
    zone: str
    draft: bool  # nobody has been told anything of the event yet
    changes: list[Change] = field(default_factory=list)
    messages: list[Owing] = field(default_factory=list)
    warnings: list[Note] = field(default_factory=list)

    @classmethod
    def of(cls, command: str, event: Event) -> Plan:
        """An empty plan for a command on an event."""
        return cls(
            command,
            event.code,
            event.display_title,
            event.timezone,
            event.status is EventStatus.DRAFT,
        )

    @property
    def recipients(self) -> int:
        """How many messages the command owes in all."""
        return sum(owing.count for owing in self.messages)

    @property
    def reaches_people(self) -> bool:
        """Whether going ahead writes to people or changes what they were told."""
        return bool(self.messages) or (bool(self.changes) and not self.draft)

    def skipped_without_email(self, count: int) -> None:
        """Say that `count` participants are skipped: what the command sends goes by e-mail
        only, and they have no address."""
        if count:
            self.warnings.append(
                Note(
                    N_(
                        "{count} participant(s) without e-mail are skipped: this message goes "
                        "by e-mail only (reach them by phone or `acara chat`)."
                    ),
                    {"count": str(count)},
                )
            )

    def owe(self, session: Session, since: int, event: Event) -> None:
        """Add the event's rows owed in this transaction after `since` (see `outbox_mark`) and,
        when there are any, a warning if the letters cannot go out as the event's host."""
        self.messages.extend(owed_since(session, since, event.id))
        if not self.messages:
            return
        office = office_letterhead()
        head = letterhead(session, event, office)
        if head is office:
            self.warnings.append(
                Note(
                    N_(
                        "The event names no host organisation: the letters go out as "
                        "{sender} <{mailbox}>. Name the host in the event file (host: KEY)."
                    ),
                    {"sender": head.sender_name, "mailbox": head.sender_email},
                )
            )


def outbox_mark(session: Session) -> int:
    """The newest outbox row now; rows above it were owed by what follows."""
    return session.exec(select(func.coalesce(func.max(Message.id), 0))).one()


def owed_since(session: Session, mark: int, event_id: int | None = None) -> list[Owing]:
    """An event's outbox rows above `mark`, per purpose and channel, with the first
    recipients' names."""
    by_participant = aliased(Person)
    by_address = aliased(Person)
    rows = session.exec(
        select(Message.purpose, Message.channel, Message.recipient, by_participant, by_address)
        .outerjoin(Participant, col(Participant.id) == Message.participant_id)
        .outerjoin(by_participant, col(by_participant.id) == Participant.person_id)
        .outerjoin(by_address, col(by_address.email) == Message.recipient)
        .where(col(Message.id) > mark, col(Message.event_id) == event_id)
        .order_by(col(Message.id))
    ).all()
    by_kind: dict[tuple[str, Channel], list[str]] = {}
    for purpose, channel, recipient, person, addressed in rows:
        known = person or addressed or _person_named(session, recipient)
        name = known.full_name.with_titles if known is not None else recipient
        by_kind.setdefault((purpose.split(":", 1)[0], channel), []).append(name)
    return [
        Owing(purpose, len(names), tuple(names[:NAMES_SHOWN]), channel)
        for (purpose, channel), names in by_kind.items()
    ]


def _person_named(session: Session, recipient: str) -> Person | None:
    """The person a 'person:<id>' recipient names (someone taken off, owed a letter)."""
    person_id = person_id_of(recipient)
    return session.get(Person, person_id) if person_id is not None else None
