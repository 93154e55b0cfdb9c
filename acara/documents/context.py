"""Facts about an event as the documents print them: kop, day and date, place, city."""

from __future__ import annotations

import re
from dataclasses import dataclass

from babel.dates import format_date
from sqlmodel import Session, col, select

from acara.dates import long_date, time_range
from acara.settings import office_letterhead
from models.event import AgendaSession, BreakoutGroup, Event, Room, Venue
from models.organisations import Letterhead, letterhead
from models.queries import PLENARY, organisation_name

# Government bodies and how the press shortens them: "Pemerintah Kota (Pemkot) Tangerang".
_OFFICE_OF = re.compile(r"\b(?P<level>Kota|Kabupaten)\s+(?P<place>[A-Z][\w ]+)$")
_GOVERNMENT = (
    ("Pemerintah Kota", "Pemkot"),
    ("Pemerintah Kabupaten", "Pemkab"),
    ("Pemerintah Provinsi", "Pemprov"),
)


@dataclass(frozen=True, slots=True)
class OrgNames:
    """An organisation as a text names it: first mention, later mentions, its city."""

    full: str  # "Pemerintah Kota (Pemkot) Tangerang Selatan"
    short: str  # "Pemkot Tangerang Selatan"
    city: str  # "Tangerang Selatan" (empty when the name says no place)


def org_names(name: str) -> OrgNames:
    """How a press text refers to an organisation, and the city in its name."""
    text = " ".join(name.split())
    for long, abbreviation in _GOVERNMENT:
        if text.lower().startswith(long.lower() + " "):
            place = text[len(long) + 1 :]
            return OrgNames(f"{long} ({abbreviation}) {place}", f"{abbreviation} {place}", place)
        if text.lower().startswith(abbreviation.lower() + " "):
            place = text[len(abbreviation) + 1 :]
            return OrgNames(f"{long} ({abbreviation}) {place}", text, place)
    # An office of a city ("Dinas Komunikasi dan Informatika Kota Tangerang") speaks for it:
    # "Pemerintah Kota (Pemkot) Tangerang melalui Dinas Komunikasi dan Informatika ...".
    if match := _OFFICE_OF.search(text):
        level, place = match["level"].capitalize(), match["place"]
        long, abbreviation = next(g for g in _GOVERNMENT if g[0].endswith(level))
        return OrgNames(
            f"{long} ({abbreviation}) {place} melalui {text}", f"{abbreviation} {place}", place
        )
    return OrgNames(text, text, "")


@dataclass(frozen=True, slots=True)
class Place:
    """Where something happens: 'Ruang Blandongan, Balai Kota Tangerang Selatan' and address."""

    name: str
    address: str = ""


@dataclass(frozen=True, slots=True)
class EventFacts:
    """Everything a document header says about an event, as printed strings."""

    code: str
    title: str  # with the series: "Peningkatan ... (Forum Komunikasi Publik Volume-3)"
    theme: str  # the title alone
    kind: str
    host: str
    guest: str
    host_names: OrgNames
    date_line: str  # "Selasa, 8 Desember 2026" (or "... s.d. ..." over several days)
    time_line: str  # "08.30–15.30 WIB"
    day_name: str  # "Selasa"
    short_date: str  # "8/12/2026", as the press writes it after the day name
    place: Place
    group_places: dict[str, Place]
    zone_label: str
    letter_number: str
    subject: str
    description: str
    series: str
    number: str
    multi_day: bool
    letterhead: Letterhead  # the host's kop, logo, sender, city and signatory

    @property
    def city(self) -> str:
        """The host's city, for the dateline and the signature place."""
        return self.letterhead.city


def _place(venue: Venue | None, room: Room | None) -> Place:
    parts = [p for p in (room.name if room else "", venue.name if venue else "") if p]
    return Place(", ".join(parts), venue.address if venue else "")


def main_place(session: Session, event: Event) -> Place:
    """The place of the first plenary session (where the delegation is received)."""
    rows = session.exec(
        select(AgendaSession, Venue, Room)
        .outerjoin(Venue, col(Venue.id) == AgendaSession.venue_id)
        .outerjoin(Room, col(Room.id) == AgendaSession.room_id)
        .where(AgendaSession.event_id == event.id)
        .order_by(col(AgendaSession.group_id).is_not(None), col(AgendaSession.starts_at))
    ).all()
    for _, venue, room in rows:
        if venue is not None:
            return _place(venue, room)
    return Place("")


def group_places(session: Session, event: Event) -> dict[str, Place]:
    """Each breakout group's own venue (groups without one are left out)."""
    rows = session.exec(
        select(BreakoutGroup, Venue)
        .join(Venue, col(Venue.id) == BreakoutGroup.venue_id)
        .where(BreakoutGroup.event_id == event.id)
        .order_by(col(BreakoutGroup.name))
    ).all()
    return {group.name: _place(venue, None) for group, venue in rows}


def event_facts(session: Session, event: Event) -> EventFacts:
    """The printed facts of an event, in Indonesian."""
    head = letterhead(session, event, office_letterhead())
    host = organisation_name(session, event.host_id) or head.name
    start, end = event.local(event.starts_at), event.local(event.ends_at)
    multi_day = start.date() != end.date()
    date_line = long_date(start.date())
    if multi_day:
        date_line = f"{date_line} s.d. {long_date(end.date())}"
    return EventFacts(
        code=event.code,
        title=event.display_title,
        theme=event.title,
        kind=event.kind.value,
        host=host,
        guest=organisation_name(session, event.guest_id),
        host_names=org_names(host),
        date_line=date_line,
        time_line=time_range(event.starts_at, event.ends_at, event.timezone),
        day_name=format_date(start.date(), "EEEE", locale="id"),
        short_date=f"{start.day}/{start.month}/{start.year}",
        place=main_place(session, event),
        group_places=group_places(session, event),
        zone_label=event.zone_label,
        letter_number=event.letter_number or "",
        subject=event.subject or "",
        description=event.description,
        series=event.series or "",
        number=event.number or "",
        multi_day=multi_day,
        letterhead=head,
    )


def place_of_group(facts: EventFacts, group: str) -> Place:
    """A group's venue, or the event's main place for the plenary."""
    if group == PLENARY:
        return facts.place
    return facts.group_places.get(group, facts.place)
