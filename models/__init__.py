"""The acara domain: tables and pure rules. Knows nothing of Prefect, Jinja2 or SMTP."""

from sqlmodel import SQLModel

from models.audit import AuditEntry, DomainEvent
from models.event import (
    AgendaSession,
    BreakoutGroup,
    Event,
    EventKind,
    EventStatus,
    Room,
    Venue,
)
from models.inbound import InboundMessage, MailBounce
from models.letters import Letter
from models.minutes import ActionItem, ActionStatus, Decision, Minutes, MinutesStatus
from models.officers import LoginFailure, OfficerAccount, OfficerSession
from models.organisations import Organisation, Signatory
from models.outbox import Message, MessageStatus
from models.people import (
    Attendance,
    AttendanceStatus,
    Language,
    Participant,
    Person,
    Role,
    RsvpStatus,
)
from models.reminders import ReminderRound
from models.sendbudget import SendWindow
from models.survey import SurveyResponse

metadata = SQLModel.metadata

__all__ = [
    "ActionItem",
    "ActionStatus",
    "AgendaSession",
    "Attendance",
    "AttendanceStatus",
    "AuditEntry",
    "BreakoutGroup",
    "Decision",
    "DomainEvent",
    "Event",
    "EventKind",
    "EventStatus",
    "InboundMessage",
    "Language",
    "Letter",
    "LoginFailure",
    "MailBounce",
    "Message",
    "MessageStatus",
    "Minutes",
    "MinutesStatus",
    "OfficerAccount",
    "OfficerSession",
    "Organisation",
    "Participant",
    "Person",
    "ReminderRound",
    "Role",
    "Room",
    "RsvpStatus",
    "SendWindow",
    "Signatory",
    "SurveyResponse",
    "Venue",
    "metadata",
]
