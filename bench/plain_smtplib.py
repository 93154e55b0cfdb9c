"""Baseline (c): the script a capable developer writes without acara.

Reads the participants, renders the same invitation content with Jinja2 (HTML and text) and
icalendar (one VCALENDAR per recipient, built the way icalendar's docs show), wraps it in an
EmailMessage with the same MIME shape, and sends everything with smtplib over one connection.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import smtplib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import make_msgid
from zoneinfo import ZoneInfo

import icalendar
from babel.dates import format_datetime
from jinja2 import Environment, StrictUndefined
from sqlalchemy import create_engine, text

HTML = """<!doctype html>
<html lang="{{ lang }}"><head><meta charset="utf-8"><title>{{ subject }}</title></head>
<body style="font-family: Arial, sans-serif; color: #222">
<p>Yth. {{ salutation }} {{ name }}<br>{{ position }}<br>{{ organisation }}</p>
<p>{{ opening }}</p>
<table role="presentation" cellpadding="4">
<tr><td>Hari/tanggal</td><td>: {{ when }}</td></tr>
<tr><td>Tempat</td><td>: {{ venue }}<br>{{ address }}</td></tr>
<tr><td>Acara</td><td>: {{ title }}</td></tr>
</table>
<h3>Susunan acara</h3>
<ul>{% for item in agenda %}<li>{{ item.time }} {{ item.title }}
{% if item.speakers %}({{ item.speakers }}){% endif %}</li>{% endfor %}</ul>
<p><a href="{{ rsvp_url }}?a=yes">Hadir</a> &middot; <a href="{{ rsvp_url }}?a=no">Tidak hadir</a>
&middot; <a href="{{ rsvp_url }}?a=rep">Diwakilkan</a></p>
<p>Nomor surat: {{ letter }}</p>
<p>Hormat kami,<br>{{ sender_name }}</p>
</body></html>
"""

TEXT = """Yth. {{ salutation }} {{ name }}
{{ position }}
{{ organisation }}

{{ opening }}

Hari/tanggal : {{ when }}
Tempat       : {{ venue }}, {{ address }}
Acara        : {{ title }}

Susunan acara:
{% for item in agenda %}- {{ item.time }} {{ item.title }}
{% if item.speakers %}  ({{ item.speakers }})
{% endif %}{% endfor %}
Konfirmasi kehadiran: {{ rsvp_url }}

Nomor surat: {{ letter }}

Hormat kami,
{{ sender_name }}
"""

SENDER = Address("Bagian Protokol Setda Kota Tangerang", "protokol", "tangerangkota.go.id")
SECRET = b"bench-secret"

_PEOPLE = text(
    "SELECT p.id, pe.email, pe.name, pe.title_prefix, pe.title_suffix, pe.salutation, "
    "pe.position, pe.organisation, pe.language FROM participant p "
    "JOIN person pe ON pe.id = p.person_id WHERE p.event_id = :event ORDER BY p.id"
)
_EVENT = text(
    "SELECT e.title, e.series, e.number, e.starts_at, e.ends_at, e.timezone, e.calendar_uid, "
    "e.sequence, e.letter_number, v.name, v.address FROM event e "
    "LEFT JOIN agendasession s ON s.event_id = e.id LEFT JOIN venue v ON v.id = s.venue_id "
    "WHERE e.id = :event"
)
_AGENDA = text(
    "SELECT title, starts_at, speakers FROM agendasession WHERE event_id = :event "
    "ORDER BY starts_at"
)


def _aware(value: datetime | str) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def build_messages(url: str, event_id: int, *, limit: int | None = None) -> Iterator[EmailMessage]:
    """Render one invitation per participant: Jinja for the bodies, icalendar for the ICS."""
    env = Environment(autoescape=True, undefined=StrictUndefined)
    html_t, text_env = env.from_string(HTML), Environment(undefined=StrictUndefined)
    text_t = text_env.from_string(TEXT)
    engine = create_engine(url)
    with engine.connect() as conn:
        ev = conn.execute(_EVENT, {"event": event_id}).first()
        agenda_rows = conn.execute(_AGENDA, {"event": event_id}).all()
        people = conn.execute(_PEOPLE, {"event": event_id}).all()
    engine.dispose()
    title, series, number, starts, ends, tz, uid, sequence, letter, venue, address = ev
    zone = ZoneInfo(tz)
    starts, ends = _aware(starts).astimezone(zone), _aware(ends).astimezone(zone)
    full_title = f"{title} ({series} Volume-{number})" if series else title
    agenda = [
        {
            "time": _aware(t).astimezone(zone).strftime("%H.%M"),
            "title": name,
            "speakers": ", ".join(json.loads(sp) if isinstance(sp, str) else sp),
        }
        for name, t, sp in agenda_rows
    ]
    # What does not depend on the recipient is computed once, as a sensible script would.
    vtimezone = icalendar.Timezone.from_tzid(tz)
    when_by_locale = {
        loc: format_datetime(starts, "EEEE, d MMMM y 'pukul' HH.mm zzz", locale=loc)
        for loc in ("id", "en")
    }
    for count, row in enumerate(people):
        if limit is not None and count >= limit:
            return
        pid, email, name, prefix, suffix, salutation, position, org, lang = row
        full_name = " ".join(x for x in (prefix, name) if x) + (f", {suffix}" if suffix else "")
        locale = "en" if lang == "en" else "id"
        when = when_by_locale[locale]
        token = hmac.new(SECRET, f"{pid}".encode(), hashlib.sha256).hexdigest()[:32]
        subject = f"Undangan: {full_title}" if locale == "id" else f"Invitation: {full_title}"
        context = {
            "lang": locale,
            "subject": subject,
            "salutation": salutation,
            "name": full_name,
            "position": position,
            "organisation": org,
            "opening": "Dengan hormat, kami mengundang Bapak/Ibu untuk hadir pada acara berikut.",
            "when": when,
            "venue": venue,
            "address": address,
            "title": full_title,
            "agenda": agenda,
            "rsvp_url": f"http://127.0.0.1:8000/rsvp/{pid}/{token}",
            "letter": letter,
            "sender_name": SENDER.display_name,
        }
        cal = icalendar.Calendar()
        cal.add("prodid", "-//plain script//ID")
        cal.add("version", "2.0")
        cal.add("method", "REQUEST")
        event = icalendar.Event()
        event.add("uid", uid)
        event.add("sequence", sequence)
        event.add("summary", full_title)
        event.add("dtstart", starts)
        event.add("dtend", ends)
        event.add("dtstamp", datetime.now(UTC))
        event.add("location", f"{venue}, {address}")
        organizer = icalendar.vCalAddress(f"mailto:{SENDER.addr_spec}")
        organizer.params["cn"] = SENDER.display_name
        event.add("organizer", organizer)
        attendee = icalendar.vCalAddress(f"mailto:{email}")
        attendee.params.update(
            {"cn": full_name, "role": "REQ-PARTICIPANT", "partstat": "NEEDS-ACTION", "rsvp": "TRUE"}
        )
        event.add("attendee", attendee)
        alarm = icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", full_title)
        alarm.add("trigger", timedelta(hours=-1))
        event.add_component(alarm)
        cal.add_component(vtimezone)
        cal.add_component(event)
        ics = cal.to_ical()

        msg = EmailMessage()
        msg["From"] = SENDER
        msg["To"] = Address(full_name, *email.split("@"))
        msg["Subject"] = subject
        msg["Message-ID"] = make_msgid(domain="tangerangkota.go.id")
        msg.set_content(text_t.render(context))
        msg.add_alternative(html_t.render(context), subtype="html")
        msg.add_alternative(ics, maintype="text", subtype="calendar", params={"method": "REQUEST"})
        msg.add_attachment(ics, maintype="application", subtype="ics", filename="invite.ics")
        yield msg


def send_all(url: str, event_id: int, host: str, port: int) -> tuple[int, int]:
    """Render and send every invitation over one smtplib connection: (messages, bytes)."""
    sent = size = 0
    with smtplib.SMTP(host, port) as smtp:
        for msg in build_messages(url, event_id):
            data = msg.as_bytes(policy=msg.policy.clone(linesep="\r\n"))
            smtp.sendmail(SENDER.addr_spec, [msg["To"].addresses[0].addr_spec], data)
            sent += 1
            size += len(data)
    return sent, size
