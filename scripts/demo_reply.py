"""For the demo: answer a received invitation the way a calendar client does, into a maildir.

    python scripts/demo_reply.py OUTBOX_NEW INBOX ADDRESS PARTSTAT

Finds the newest calendar letter to ADDRESS among the .eml files in OUTBOX_NEW (what acara
sent), turns its calendar into an iMIP REPLY as Outlook would (METHOD:REPLY, only the
guest's own ATTENDEE with the new PARTSTAT, no ORGANIZER, MAILTO: in capitals) and drops the
reply into the maildir INBOX, where `acara replies fetch --maildir INBOX` reads it.
"""

from __future__ import annotations

import email
import email.policy
import mailbox
import sys
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from pathlib import Path

from icalendar import Calendar


def newest_calendar(outbox: Path, address: str) -> Calendar:
    letters = []
    for path in outbox.glob("*.eml"):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if address.lower() not in str(message["To"]).lower():
            continue
        for part in message.walk():
            if part.get_content_type() == "text/calendar":
                calendar = Calendar.from_ical(part.get_payload(decode=True))
                event = next(iter(calendar.walk("VEVENT")))
                letters.append((int(event.get("SEQUENCE", 0)), path.name, calendar))
                break
    if not letters:
        sys.exit(f"no calendar letter to {address} in {outbox}")
    return max(letters, key=lambda item: item[:2])[2]


def reply(request: Calendar, address: str, partstat: str) -> tuple[bytes, str]:
    event = next(iter(request.walk("VEVENT")))
    attendees = event["ATTENDEE"] if isinstance(event["ATTENDEE"], list) else [event["ATTENDEE"]]
    mine = next(a for a in attendees if str(a).lower() == f"mailto:{address.lower()}")
    answer = Calendar()
    answer.add("METHOD", "REPLY")
    answer.add("PRODID", "Microsoft Exchange Server 2010")
    answer.add("VERSION", "2.0")
    for zone in request.walk("VTIMEZONE"):
        answer.add_component(zone)
    answered = type(event)()
    for name in ("UID", "SEQUENCE", "DTSTART", "DTEND", "DTSTAMP", "SUMMARY", "LOCATION"):
        if name in event:
            answered[name] = event[name]
    attendee = mine
    attendee.params["PARTSTAT"] = partstat
    attendee.params.pop("RSVP", None)
    answered.add("ATTENDEE", f"MAILTO:{address}", parameters=dict(attendee.params))
    answer.add_component(answered)
    return answer.to_ical(), str(mine.params.get("CN", address))


def main() -> None:
    outbox, inbox, address, partstat = Path(sys.argv[1]), Path(sys.argv[2]), *sys.argv[3:5]
    request = newest_calendar(outbox, address)
    organizer = str(next(iter(request.walk("VEVENT")))["ORGANIZER"])[7:]
    ics, name = reply(request, address, partstat.upper())
    message = EmailMessage()
    message["From"] = formataddr((name, address))
    message["To"] = organizer
    message["Subject"] = f"{partstat.title()}: {next(iter(request.walk('VEVENT')))['SUMMARY']}"
    message["Message-ID"] = make_msgid(domain=address.rpartition("@")[2])
    message["Content-class"] = "urn:content-classes:calendarmessage"
    message.set_content(f"{name} has {partstat.lower()} the invitation.")
    message.add_alternative(ics, maintype="text", subtype="calendar", params={"method": "REPLY"})
    inbox.parent.mkdir(parents=True, exist_ok=True)
    mailbox.Maildir(inbox, create=True).add(message.as_bytes())
    print(f"{name} <{address}> answered {partstat.upper()} in a calendar; the reply is in {inbox}")


if __name__ == "__main__":
    main()
