"""Benchmark 3: the cost of one invitation's parts, with timeit, on a prepared event.

Per e-mail: composing it (context, Jinja2 render of text and HTML, the ICS), the render
alone, the ICS alone (acara's per-event template plus one ATTENDEE line, against building
the whole calendar with icalendar as the plain script does), and the MIME build.
"""

from __future__ import annotations

import timeit
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import icalendar
from sqlmodel import Session, col, select

from bench.data import build_database


@dataclass(frozen=True, slots=True)
class Timing:
    """One micro-benchmark: microseconds per call (best of several repeats)."""

    name: str
    micros: float
    note: str = ""


def per_call(function: Any, *, repeat: int = 5, budget: float = 0.4) -> float:
    """Microseconds per call: timeit's autorange, best of `repeat` (least disturbed)."""
    timer = timeit.Timer(function)
    number, _ = timer.autorange()
    number = max(1, int(number * budget / 0.2))
    return min(timer.repeat(repeat=repeat, number=number)) / number * 1e6


def _naive_ics(summary: str, start: datetime, uid: str, email: str, name: str) -> bytes:
    """A full VCALENDAR per recipient built with icalendar (VTIMEZONE built once, cached)."""
    cal = icalendar.Calendar()
    cal.add("prodid", "-//plain script//ID")
    cal.add("version", "2.0")
    cal.add("method", "REQUEST")
    cal.add_component(_TZ)
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("sequence", 0)
    event.add("summary", summary)
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(hours=5))
    event.add("dtstamp", datetime.now(UTC))
    organizer = icalendar.vCalAddress("mailto:protokol@tangerangkota.go.id")
    organizer.params["cn"] = "Bagian Protokol"
    event.add("organizer", organizer)
    attendee = icalendar.vCalAddress(f"mailto:{email}")
    attendee.params.update({"cn": name, "role": "REQ-PARTICIPANT", "rsvp": "TRUE"})
    event.add("attendee", attendee)
    alarm = icalendar.Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("trigger", timedelta(hours=-1))
    event.add_component(alarm)
    cal.add_component(event)
    return cal.to_ical()


_TZ = icalendar.Timezone.from_tzid("Asia/Jakarta")


def _capture(compose_once: Any) -> dict[str, Any]:
    """Compose one message while recording what reached Jinja2 and the stencil."""
    import acara.render as rendering

    seen: dict[str, Any] = {}
    original_render, original_fill = rendering.render, rendering.Stencil.fill

    def render(name: str, language: str, context: Any) -> Any:
        seen.setdefault("render", (name, language, context))
        return original_render(name, language, context)

    def fill(self: Any, values: Any) -> Any:
        seen.setdefault("stencil", self)
        seen.setdefault("values", values)
        return original_fill(self, values)

    rendering.render, rendering.Stencil.fill = render, fill  # type: ignore[method-assign]
    try:
        seen["message"] = compose_once()
    finally:
        rendering.render, rendering.Stencil.fill = original_render, original_fill  # type: ignore[method-assign]
    return seen


def run(work: Path) -> list[Timing]:
    """Time the parts of one invitation on a 50-person forum."""
    import os

    from acara import db as acara_db
    from acara.calendar import CalendarAttendee, CalendarEntry, CalendarMethod, CalendarTemplate
    from acara.messages import composers as compose_module
    from acara.messages.channels.mime import render as mime
    from acara.messages.channels.mime import to_email
    from acara.render import render
    from acara.settings import get_settings
    from models.event import Event
    from models.invitations import owe_invitations
    from models.outbox import Message

    work.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{work / 'micro.db'}"
    os.environ["ACARA_DATABASE_URL"] = url
    os.environ["ACARA_DATA_DIR"] = str(work / "data")
    get_settings.cache_clear()
    prepared = build_database(url, 50)
    engine = acara_db.engine_for(url)
    with Session(engine, expire_on_commit=False) as session:
        event = session.get(Event, prepared.event_id)
        assert event is not None
        owe_invitations(session, event)
        session.commit()
        messages = session.exec(select(Message).order_by(col(Message.id))).all()
        # The composer's own inputs, captured once, so each part is timed on real data.
        seen = _capture(lambda: compose_module.compose(session, messages[0]))
        first = seen["message"]
        cycle = iter(range(10**9))

        def compose_one() -> Any:
            return compose_module.compose(session, messages[next(cycle) % len(messages)])

        timings: list[Timing] = [
            Timing(
                "compose one invitation",
                per_call(compose_one),
                "context + text and HTML render + ICS, event parts cached per batch",
            ),
            Timing(
                "render text + HTML (Jinja2, full)",
                per_call(lambda: render(*seen["render"])),
                f"templates/email/{seen['render'][0]}.{seen['render'][1]}.*, one render per e-mail",
            ),
            Timing(
                "fill the letter's stencil (acara)",
                per_call(lambda: seen["stencil"].fill(seen["values"])),
                "rendered once per event and language; personal fields filled in per e-mail",
            ),
            Timing(
                "build MIME message (e-mail channel)",
                per_call(lambda: mime(to_email(first), domain="x.id")),
                "the composed message as an e-mail: headers, parts, serialised",
            ),
        ]
        entry = CalendarEntry(
            uid=event.calendar_uid,
            sequence=0,
            summary=event.title,
            start=event.starts_at,
            end=event.ends_at,
            timezone=event.timezone,
            location="Pusat Pemerintahan Kota Tangerang",
        )
        sender = first.sender
        attendee = CalendarAttendee("budi.hidayat@rw.tangerangkota.go.id", "Budi Hidayat, S.Sos.")
        template = CalendarTemplate((entry,), CalendarMethod.REQUEST, sender)
        start = event.starts_at
        timings += [
            Timing(
                "ICS per invitation (acara)",
                per_call(lambda: template.for_attendee(attendee)),
                "one ATTENDEE line into the event's serialised calendar",
            ),
            Timing(
                "ICS per event (acara template)",
                per_call(lambda: CalendarTemplate((entry,), CalendarMethod.REQUEST, sender)),
                "built once per event, method and group",
            ),
            Timing(
                "ICS per invitation (icalendar, full build)",
                per_call(
                    lambda: _naive_ics(
                        event.title, start, event.calendar_uid, attendee.email, attendee.name
                    )
                ),
                "what the plain script does, VTIMEZONE cached",
            ),
        ]
    engine.dispose()
    return timings
