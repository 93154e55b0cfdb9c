"""How a stored value (an RSVP answer, an attendance mark, an event's kind or state) is named
for people: one English msgid per value, translated when shown (`label("rsvp", "accepted")`).

The context (the first part of each pair) tells translators which sense a word has: "Present"
as an attendance mark, "Represented" as an answer.
"""

from __future__ import annotations

from acara import i18n
from acara.i18n import Np_

_LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "rsvp": {
        "pending": Np_("rsvp", "No answer yet"),
        "accepted": Np_("rsvp", "Attending"),
        "declined": Np_("rsvp", "Not attending"),
        "represented": Np_("rsvp", "Represented"),
        "waitlisted": Np_("rsvp", "Waiting list"),
        "tentative": Np_("rsvp", "Not sure yet"),
    },
    # What the RSVP page says once an answer is recorded.
    "answered": {
        "accepted": Np_("answered", "We have noted that you will attend."),
        "waitlisted": Np_(
            "answered",
            "All seats are taken; you are on the waiting list and we will tell you when one frees.",
        ),
        "declined": Np_("answered", "We have noted that you cannot attend."),
        "represented": Np_(
            "answered",
            "We have noted your representative, who will receive an invitation of their own.",
        ),
        "unchanged": Np_("answered", "Your answer has not changed."),
    },
    "attendance": {
        "present": Np_("attendance", "Present"),
        "absent": Np_("attendance", "Absent"),
        "excused": Np_("attendance", "Excused"),
        "represented": Np_("attendance", "Represented"),
        "unknown": Np_("attendance", "Not recorded"),
    },
    "kind": {
        "visit": Np_("event kind", "Working visit"),
        "fgd": Np_("event kind", "FGD"),
        "forum": Np_("event kind", "Forum"),
        "ceremony": Np_("event kind", "Signing ceremony"),
    },
    "officer role": {
        "admin": Np_("officer role", "Administrator"),
        "officer": Np_("officer role", "Officer"),
        "desk": Np_("officer role", "Registration desk"),
    },
    "officer state": {
        "active": Np_("officer state", "Active"),
        "waiting": Np_("officer state", "Waiting for its link"),
        "disabled": Np_("officer state", "Disabled"),
    },
    "status": {
        "draft": Np_("event status", "Draft"),
        "announced": Np_("event status", "Announced"),
        "ongoing": Np_("event status", "Ongoing"),
        "held": Np_("event status", "Held"),
        "reported": Np_("event status", "Reported"),
        "closed": Np_("event status", "Closed"),
        "cancelled": Np_("event status", "Cancelled"),
    },
    # What an outbox message is, in a plan or the sending progress.
    "purpose": {
        "invitation": Np_("message", "Invitation"),
        "update": Np_("message", "Change notice"),
        "cancellation": Np_("message", "Cancellation"),
        "representative": Np_("message", "Representative's invitation"),
        "refresh": Np_("message", "Invitation sent again"),
        "reminder": Np_("message", "Reminder"),
        "nudge": Np_("message", "Request to answer"),
        "seat": Np_("message", "Seat offered"),
        "minutes": Np_("message", "Minutes"),
        "thank-you": Np_("message", "Thank-you letter"),
        "survey": Np_("message", "Survey"),
        "action-reminder": Np_("message", "Action item reminder"),
        "escalation": Np_("message", "Escalation"),
    },
    # Where an outbox message stands.
    "message status": {
        "queued": Np_("message status", "Queued"),
        "sending": Np_("message status", "Sending"),
        "sent": Np_("message status", "Sent"),
        "failed_retryable": Np_("message status", "To retry later"),
        "failed_permanent": Np_("message status", "Failed"),
        "superseded": Np_("message status", "No longer needed"),
    },
    # A survey rating, 1 to 5, in the results chart.
    "rating": {
        "1": Np_("rating", "1 (poor)"),
        "2": Np_("rating", "2"),
        "3": Np_("rating", "3"),
        "4": Np_("rating", "4"),
        "5": Np_("rating", "5 (excellent)"),
    },
    # The fields of the forms, named in an error page's list of problems.
    "field": {
        "name": Np_("field", "Name"),
        "email": Np_("field", "E-mail"),
        "position": Np_("field", "Position"),
        "participants": Np_("field", "Participants"),
        "status": Np_("field", "Status"),
        "file": Np_("field", "File"),
        "confirm": Np_("field", "Confirmation"),
        "start": Np_("field", "Start"),
        "reason": Np_("field", "Reason"),
        "title": Np_("field", "Title"),
        "capacity": Np_("field", "Capacity"),
        "event_file": Np_("field", "Event file"),
        "participant_list": Np_("field", "Participant list"),
        "phone": Np_("field", "Phone"),
        "group": Np_("field", "Group"),
        "role": Np_("field", "Role"),
        "organisation": Np_("field", "Organisation"),
        "salutation": Np_("field", "Salutation"),
        "language": Np_("field", "Language"),
        "address": Np_("field", "Postal address"),
        "via": Np_("field", "Channel"),
        "person": Np_("field", "Letters"),
    },
    # What the registration desk notes about a participant's earlier answer.
    "desk note": {
        "declined": Np_("desk note", "Note: this participant had declined."),
        "waitlisted": Np_("desk note", "Note: this participant is still on the waiting list."),
    },
    # How an answer came (`acara participants list`) and whether an address bounced.
    "via": {
        "web": Np_("answer came by", "web page"),
        "calendar": Np_("answer came by", "calendar"),
        "phone": Np_("answer came by", "phone"),
        "whatsapp": Np_("answer came by", "WhatsApp"),
        "letter": Np_("answer came by", "letter"),
    },
    "bounced": {
        "permanent": Np_("bounced", "permanently"),
        "transient": Np_("bounced", "for now"),
    },
    # An official letter (the check page /verify/<code>): what it is, whether it stands.
    "letter kind": {
        "invitation": Np_("letter kind", "Invitation"),
        "update": Np_("letter kind", "Change of schedule or venue"),
        "cancellation": Np_("letter kind", "Cancellation"),
    },
    "letter standing": {
        "valid": Np_("letter standing", "Valid"),
        "superseded": Np_("letter standing", "Superseded by a later letter"),
        "cancelled": Np_("letter standing", "Event cancelled"),
    },
    # An answer an officer records on someone's behalf.
    "answer": {
        "accept": Np_("answer", "Will attend"),
        "decline": Np_("answer", "Cannot attend"),
        "represent": Np_("answer", "Sends a representative"),
        "tentative": Np_("answer", "Not sure yet"),
    },
    # How a participant is reached (models.people.Via).
    "channel": {
        "email": Np_("channel", "E-mail"),
        "letter": Np_("channel", "Printed letter"),
        "chat": Np_("channel", "WhatsApp"),
        "letter+chat": Np_("channel", "Printed letter and WhatsApp"),
    },
    "role": {
        "host_official": Np_("role", "Host official"),
        "guest": Np_("role", "Guest"),
        "speaker": Np_("role", "Speaker"),
        "moderator": Np_("role", "Moderator"),
        "minute_taker": Np_("role", "Minute-taker"),
        "media": Np_("role", "Media"),
        "community": Np_("role", "Community representative"),
        "staff": Np_("role", "Civil servant"),
    },
    "method": {
        "qr": Np_("check-in method", "QR"),
        "manual": Np_("check-in method", "typed"),
        "bulk": Np_("check-in method", "bulk"),
        "stand-in": Np_("check-in method", "stand-in"),
    },
}


def label(kind: str, value: str, language: str | None = None) -> str:
    """The name of `value` (of `kind`, a key of the table above) in `language` (default: the
    one being rendered); an unknown value is shown as it is."""
    known = _LABELS[kind].get(value)
    if known is None:
        return value
    if language is None:
        return i18n.pgettext(*known)
    with i18n.language(language):
        return i18n.pgettext(*known)
