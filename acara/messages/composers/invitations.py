"""Invitation, update and cancellation: an official letter with the participant's own agenda
and a calendar invite that always carries the event's UID, and the letter itself as a PDF.

Each of these messages issues one official letter (models.letters: the register, tied to the
outbox row, so a retried delivery prints the same letter with the same code); `official_letter`
gives it for printing (acara.stages.letters) as well.

Everything shared by one event is built once per delivery batch (`EventView`): the agenda
of each group, the letter's common context per language, and a CalendarTemplate per group,
method and language; per recipient only the salutation, the RSVP token, the two bodies and
one ATTENDEE line are made.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from acara import i18n
from acara.calendar import CalendarAttendee, CalendarEntry, CalendarMethod, CalendarTemplate
from acara.dates import clock_in_zone, long_date, long_datetime, time_range
from acara.documents.letters import (
    CoverRow,
    Sheet,
    addressee_lines,
    check_of,
    head_of,
    letter_pdf,
    signer_of,
)
from acara.links import letter_code, rsvp_links
from acara.messages.composers.common import (
    addressed,
    as_of,
    frame,
    honorific,
    letter_date,
    letter_issued,
    letterhead_of,
    memo,
    message_key,
    recipient_of,
    sender,
    you,
)
from acara.messages.composers.registry import NotOwed, composer
from acara.messages.message import Attachment, CalendarPart, ComposedMessage, Contact
from acara.render import Stencil
from models.event import BreakoutGroup, Event, EventStatus, Venue
from models.invitations import CANCELLATION, INVITATION, REPRESENTATIVE, UPDATE
from models.letters import Issue, LetterKind, issue
from models.organisations import Letterhead
from models.outbox import Message
from models.people import Participant, Person, Role, RsvpStatus
from models.queries import AgendaLine, agenda, organisation_name
from models.replies import REFRESH

_PARTSTAT = {
    RsvpStatus.ACCEPTED: "ACCEPTED",
    RsvpStatus.DECLINED: "DECLINED",
    RsvpStatus.REPRESENTED: "DELEGATED",
    RsvpStatus.WAITLISTED: "TENTATIVE",
    RsvpStatus.TENTATIVE: "TENTATIVE",
}
_OPTIONAL_ROLES = frozenset({Role.MEDIA, Role.MINUTE_TAKER})
_METHOD = {
    INVITATION: CalendarMethod.REQUEST,
    UPDATE: CalendarMethod.REQUEST,
    CANCELLATION: CalendarMethod.CANCEL,
}


class RecipientGone(NotOwed):
    """The participant a row was queued for no longer exists: nothing to send."""


@composer(INVITATION)
def invitation(session: Session, message: Message) -> ComposedMessage:
    """The invitation letter with RSVP links and a calendar REQUEST."""
    return _compose(session, message)


@composer(REPRESENTATIVE)
def representative(session: Session, message: Message) -> ComposedMessage:
    """A stand-in named on the RSVP page gets the same invitation letter as everyone else."""
    return _compose(session, message, letter=INVITATION)


@composer(REFRESH)
def refresh(session: Session, message: Message) -> ComposedMessage:
    """A calendar REFRESH is answered with the participant's current letter: the invitation
    with its REQUEST at today's SEQUENCE, or the CANCEL once the event is cancelled."""
    return _compose(session, message, letter=_letter_of(session, message))


@composer(UPDATE)
def update(session: Session, message: Message) -> ComposedMessage:
    """The change-of-schedule letter with a REQUEST at a higher SEQUENCE (same UID)."""
    return _compose(session, message)


@composer(CANCELLATION)
def cancellation(session: Session, message: Message) -> ComposedMessage:
    """The cancellation letter with a calendar CANCEL (same UID, higher SEQUENCE)."""
    return _compose(session, message)


# The letter each purpose's message carries (a REFRESH: the one that stands now).
_LETTERS = {
    INVITATION: INVITATION,
    REPRESENTATIVE: INVITATION,
    UPDATE: UPDATE,
    CANCELLATION: CANCELLATION,
}
# The Hal of a letter that follows the invitation (the e-mail's own perihal, templates/email/).
_SUBJECTS = {
    UPDATE: i18n.N_("Change of schedule or venue: %(subject)s"),
    CANCELLATION: i18n.N_("Cancellation: %(subject)s"),
}
# How the PDF of each kind of letter is named in the e-mail: surat-undangan-<code>.pdf.
_FILE_NAMES = {
    INVITATION: "surat-undangan",
    UPDATE: "surat-perubahan",
    CANCELLATION: "surat-pembatalan",
}


def _letter_of(session: Session, message: Message) -> str:
    if message.purpose in _LETTERS:
        return _LETTERS[message.purpose]
    event = session.get(Event, message.event_id)
    return CANCELLATION if event and event.status is EventStatus.CANCELLED else INVITATION


def _view(session: Session, message: Message) -> EventView:
    # Built from rows fully loaded and kept as plain data, so it is kept for the whole run;
    # keyed by the event's version, looked up once per chunk, so that a reschedule committed
    # while a long run is sending gets its updates written with the new times.
    version = memo(session, ("event-version", message.event_id), lambda: _version(session, message))
    return memo(
        session, ("event-view", *version), lambda: EventView.load(session, message), per_run=True
    )


def _recipient(
    session: Session, message: Message, letter: str
) -> tuple[Participant | None, Person]:
    participant, person = recipient_of(session, message)
    # Someone taken off the event is still owed the CANCEL of the entry they were sent.
    if person is None or (participant is None and letter != CANCELLATION):
        raise RecipientGone(f"{message.recipient} is no longer a participant of this event")
    return participant, person


def official_letter(session: Session, message: Message) -> Sheet:
    """The official letter an outbox row carries, issued in the register the first time and
    the same letter (number, date, code) every time after."""
    letter = _letter_of(session, message)
    participant, person = _recipient(session, message, letter)
    return _sheet(session, message, _view(session, message), letter, participant, person)


def preview_letter(session: Session, event: Event, participant: Participant) -> Sheet:
    """A participant's invitation letter as it would go out now, issued to nobody."""
    person = session.get(Person, participant.person_id)
    assert person is not None and event.id is not None
    draft = Message(
        event_id=event.id,
        participant_id=participant.id,
        recipient=person.recipient,
        purpose=INVITATION,
        sequence=event.sequence,
    )
    return _sheet(session, draft, EventView.load(session, draft), INVITATION, participant, person)


def _sheet(
    session: Session,
    message: Message,
    view: EventView,
    letter: str,
    participant: Participant | None,
    person: Person,
) -> Sheet:
    language = person.language.value
    group_id = participant.group_id if participant else None
    name = person.full_name.with_titles
    number, issued_at = view.event.letter_number or "", view.today
    if message.id is None:  # a preview: nothing is issued, and its code is no letter's
        with i18n.language(language):
            code = i18n.pgettext("the code printed on a sample letter", "SAMPLE")
    else:
        issued = letter_issued(session, message) or issue(
            session,
            Issue(
                message_id=message.id,
                event_id=message.event_id,
                participant_id=participant.id if participant else None,
                recipient=message.recipient,
                addressee=name,
                kind=LetterKind(letter),
                number=number,
                sequence=message.sequence,
                code=letter_code(message.id),
            ),
            now=issued_at,
        )
        number, issued_at, code = issued.number, issued.issued_at, issued.code
    shared = view.context(group_id, language)
    first_subject = shared["letter"]["subject"]
    subject = first_subject
    if letter in _SUBJECTS:
        with i18n.language(language):
            subject = i18n.gettext(_SUBJECTS[letter]) % {"subject": first_subject}
    event = view.event
    title, greeted = honorific(person, language), addressed(person, language)
    context = {
        **shared,
        "kind": letter,
        "head": view.head(language),
        "signer": signer_of(view.letterhead),
        "letter": {
            "number": number,
            "date": letter_date(language, event.timezone, issued_at),
            "subject": subject,
            "first_subject": first_subject,
            "nature": event.letter_nature,
            "enclosures": event.letter_enclosures,
            "copies": list(event.letter_copies),
            **check_of(code),
        },
        "recipient": {
            "name": name,
            "addressed": greeted,
            "honorific": title,
            "you": you(person, language),
            "lines": addressee_lines(
                language, title, name, person.position, person.organisation, greeted
            ),
            "position": person.position,
            "organisation": person.organisation,
            "group": view.group_name(group_id),
        },
        "changes": what_changed(
            message.changes if letter == UPDATE else [], event.timezone, language
        ),
    }
    cover = CoverRow(name, person.position, person.address, view.group_name(group_id) or "", code)
    return Sheet(language, context, cover, f"{_FILE_NAMES[letter]}-{code}.pdf")


def _compose(session: Session, message: Message, letter: str | None = None) -> ComposedMessage:
    letter = letter or message.purpose
    view = _view(session, message)
    participant, person = _recipient(session, message, letter)
    language = person.language.value
    group_id = participant.group_id if participant else None
    name = person.full_name.with_titles
    personal = {
        "recipient.name": name,
        "recipient.addressed": addressed(person, language),
        "recipient.position": person.position,
        "recipient.organisation": person.organisation,
    }
    if participant is not None and participant.id is not None:
        personal.update(
            {f"rsvp.{k}": v for k, v in rsvp_links(participant.id, view.event_id).items()}
        )
    personal = {path: value for path, value in personal.items() if value}
    stencil = view.stencil(
        letter,
        language,
        group_id,
        honorific(person, language),
        you(person, language),
        personal,
        message.changes if letter == UPDATE else [],
    )
    rendered = stencil.fill(personal)
    method = _METHOD[letter]
    attendee = CalendarAttendee(
        email=message.recipient,
        name=name,
        role="OPT-PARTICIPANT"
        if participant is not None and participant.role in _OPTIONAL_ROLES
        else "REQ-PARTICIPANT",
        # A changed time asks everyone again; a first invitation shows any answer already given.
        partstat=_PARTSTAT.get(participant.rsvp, "NEEDS-ACTION")
        if letter == INVITATION and participant is not None
        else "NEEDS-ACTION",
    )
    calendar = view.calendar(group_id, method, language, message.sequence)
    sheet = _sheet(session, message, view, letter, participant, person)
    return ComposedMessage(
        key=message_key(message),
        sender=view.sender,
        recipient=Contact(name, message.recipient),
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        attachments=(Attachment(sheet.filename, letter_pdf(sheet), "application/pdf"),),
        calendar=CalendarPart(calendar.for_attendee(attendee), method.value),
    )


def _version(session: Session, message: Message) -> tuple[object, ...]:
    row = session.exec(
        select(Event.sequence, Event.updated_at).where(Event.id == message.event_id)
    ).one()
    return (message.event_id, *row)


@dataclass
class EventView:
    """One event as every letter about it shows it, built once per batch."""

    event: Event
    event_id: int
    host: str
    venues: dict[int, Venue]
    groups: dict[int, BreakoutGroup]
    sender: Contact
    letterhead: Letterhead  # the host's kop, sender (From, ORGANIZER), city and signatory
    today: datetime  # the letters' date and "in n days" count from here (a run's --at)
    _agendas: dict[int | None, list[AgendaLine]] = field(default_factory=dict)
    _contexts: dict[tuple[int | None, str], dict[str, Any]] = field(default_factory=dict)
    _calendars: dict[tuple[Any, ...], CalendarTemplate] = field(default_factory=dict)
    _stencils: dict[tuple[Any, ...], Stencil] = field(default_factory=dict)
    _heads: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session, message: Message) -> EventView:
        event = session.get(Event, message.event_id)
        if event is None:  # pragma: no cover - rows are deleted with their event
            raise LookupError(f"event {message.event_id} no longer exists")
        groups = {
            g.id: g
            for g in session.exec(select(BreakoutGroup).where(BreakoutGroup.event_id == event.id))
            if g.id is not None
        }
        head = letterhead_of(session, event)
        view = cls(
            event=event,
            event_id=message.event_id,
            host=organisation_name(session, event.host_id) or head.name,
            venues={},
            groups=groups,
            sender=sender(head),
            letterhead=head,
            today=as_of(session),
        )
        # Every group's agenda now, in one query each, so composing never queries again.
        for group_id in (None, *groups):
            view._agendas[group_id] = agenda(session, event, group_id)
        venue_ids = {
            line.session.venue_id
            for lines in view._agendas.values()
            for line in lines
            if line.session.venue_id
        }
        venue_ids |= {g.venue_id for g in groups.values() if g.venue_id}
        if venue_ids:
            view.venues = {
                v.id: v
                for v in session.exec(select(Venue).where(col(Venue.id).in_(venue_ids)))
                if v.id is not None
            }
        return view

    def head(self, language: str) -> dict[str, Any]:
        """The letters' kop in a language, built once."""
        if language not in self._heads:
            self._heads[language] = head_of(self.letterhead, language)
        return self._heads[language]

    def group_name(self, group_id: int | None) -> str | None:
        group = self.groups.get(group_id) if group_id is not None else None
        return group.name if group else None

    def _first_place(self, group_id: int | None) -> tuple[str, str]:
        """Where the participant is first expected: the place and its venue's address."""
        for line in self._agendas.get(group_id, []):
            if line.place:
                venue = self.venues.get(line.session.venue_id or 0)
                return line.place, venue.address if venue else ""
        group = self.groups.get(group_id) if group_id is not None else None
        venue = self.venues.get(group.venue_id or 0) if group else None
        return (venue.name, venue.address) if venue else ("", "")

    def context(self, group_id: int | None, language: str) -> dict[str, Any]:
        """The part of a letter's context shared by every recipient in a group and language."""
        key = (group_id, language)
        if key not in self._contexts:
            self._contexts[key] = self._build_context(group_id, language)
        return self._contexts[key]

    def _build_context(self, group_id: int | None, language: str) -> dict[str, Any]:
        event, zone = self.event, self.event.timezone
        place, address = self._first_place(group_id)
        first_day = long_date(event.starts_at, language, zone)
        last_day = long_date(event.ends_at, language, zone)
        if first_day == last_day:
            date_line = first_day
            time_line = time_range(event.starts_at, event.ends_at, zone, language)
        else:
            date_line = f"{first_day} – {last_day}"
            time_line = (
                f"{clock_in_zone(event.starts_at, zone, language)} – "
                f"{clock_in_zone(event.ends_at, zone, language)}"
            )
        days: list[dict[str, Any]] = []
        for line in self._agendas.get(group_id, []):
            day = long_date(line.day, language)
            if not days or days[-1]["date"] != day:
                days.append({"date": day, "items": []})
            item = line.session
            days[-1]["items"].append(
                {
                    "time": time_range(item.starts_at, item.ends_at, zone, language),
                    "title": item.text("title", language),
                    "group": line.group if item.group_id is not None else None,
                    "place": line.place,
                    "speakers": ", ".join(item.speakers),
                    "moderator": item.moderator or "",
                }
            )
        return {
            "lang": language,
            "host": self.host,
            **frame(
                self.letterhead,
                language,
                zone,
                self.today,
                number=event.letter_number or "",
                subject=event.text("subject", language) or event.titled(language),
            ),
            "event": {
                "title": event.titled(language),
                "date_line": date_line,
                "time_line": time_line,
                "when": long_datetime(event.starts_at, zone, language),
                "place": place,
                "address": address,
                "description": event.text("description", language),
                "cancel_reason": event.cancel_reason or "",
            },
            "agenda": days,
        }

    def stencil(
        self,
        purpose: str,
        language: str,
        group_id: int | None,
        title: str,
        you: str,
        personal: dict[str, str],
        changes: list[dict[str, Any]] | None = None,
    ) -> Stencil:
        """The letter for everyone of a group, language and form of address, to fill per person;
        an update's letter also for everyone told the same changes (most of a group share them)."""
        shape = frozenset(personal)
        told = json.dumps(changes or [], sort_keys=True)
        key = (purpose, language, group_id, title, you, shape, told)
        if key not in self._stencils:
            context = self.blank_letter(group_id, language, title, you)
            context["changes"] = what_changed(changes or [], self.event.timezone, language)
            self._stencils[key] = Stencil(purpose, language, context, shape)
        return self._stencils[key]

    def blank_letter(
        self, group_id: int | None, language: str, title: str, you: str
    ) -> dict[str, Any]:
        """A group's letter context with the personal fields left blank, to fill per person."""
        context = dict(self.context(group_id, language))
        context["recipient"] = {
            "name": "",
            "addressed": "",
            "position": "",
            "organisation": "",
            "honorific": title,
            "you": you,
            "group": self.group_name(group_id),
        }
        context["rsvp"] = dict.fromkeys(("page", "accept", "decline", "represent"), "")
        context["changes"] = what_changed([], self.event.timezone, language)
        return context

    def calendar(
        self, group_id: int | None, method: CalendarMethod, language: str, sequence: int
    ) -> CalendarTemplate:
        """The serialised calendar for a group, with only the ATTENDEE left to fill in."""
        key = (group_id, method, language, sequence)
        if key not in self._calendars:
            context = self.context(group_id, language)
            place = context["event"]["place"]
            address = context["event"]["address"]
            entry = CalendarEntry(
                uid=self.event.calendar_uid,
                sequence=sequence,
                summary=self.event.titled(language),
                start=self.event.starts_at,
                end=self.event.ends_at,
                timezone=self.event.timezone,
                location=", ".join(part for part in (place, address) if part),
                description=_agenda_text(context["agenda"]),
                categories=(self.event.kind.value,),
            )
            self._calendars[key] = CalendarTemplate((entry,), method, self.sender)
        return self._calendars[key]


def what_changed(changes: list[dict[str, Any]], zone: str, language: str) -> dict[str, Any]:
    """An update's changes (models.programme.differences) as its letter names them: the old
    and new start in the event's zone and the recipient's language, the places that differ, the
    groups. The words around them ("semula ..., menjadi ...") are the template's."""
    told: dict[str, Any] = {"time": None, "place": None, "group": None, "agenda": False}
    for change in changes:
        what, before, after = change["what"], change["before"], change["after"]
        if what == "time":
            told["time"] = _moments(before, after, zone, language)
        elif what == "place":
            gone = [p for p in before if p not in after]
            new = [p for p in after if p not in before]
            before, after = (gone, new) if gone and new else (before, after)
            told["place"] = {"before": "; ".join(before) or "–", "after": "; ".join(after) or "–"}
        elif what == "group":
            with i18n.language(language):
                none = i18n.pgettext(
                    "an update letter: in no breakout group", "none (plenary sessions only)"
                )
            told["group"] = {"before": before or none, "after": after or none}
        else:
            told["agenda"] = True
    told["any"] = any(told.values())
    return told


def _moments(before: list[str], after: list[str], zone: str, language: str) -> dict[str, str]:
    """The old and new time: the starts, or the day and hours when only the end moved."""
    (start, end), (new_start, new_end) = (map(datetime.fromisoformat, v) for v in (before, after))
    if start != new_start:
        return {
            "before": long_datetime(start, zone, language),
            "after": long_datetime(new_start, zone, language),
        }
    return {
        "before": f"{long_date(start, language, zone)}, {time_range(start, end, zone, language)}",
        "after": f"{long_date(new_start, language, zone)}, "
        f"{time_range(new_start, new_end, zone, language)}",
    }


def _agenda_text(days: list[dict[str, Any]]) -> str:
    """The agenda as plain lines for the calendar entry's description (never through Jinja)."""
    lines: list[str] = []
    for day in days:
        lines.append(day["date"])
        for item in day["items"]:
            group = f" [{item['group']}]" if item["group"] else ""
            place = f" — {item['place']}" if item["place"] else ""
            lines.append(f"{item['time']} {item['title']}{group}{place}")
    return "\n".join(lines)
