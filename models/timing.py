"""When things may happen: the time guards of the lifecycle, check-in and the minutes.

A typo in a year must not reach a mayor: nothing is moved into the past, nobody is invited
to an event that is over, and an event is not started, held, checked in or minuted weeks
before it happens, unless an officer forces it with a reason that goes into the audit.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from models.clock import zone_label
from models.errors import N_, IllegalTransition, invalid
from models.event import Event

# Registration: the desk opens, and the event may be started, this long before its start.
OPENS_BEFORE_START = timedelta(hours=2)


class TooEarly(IllegalTransition):
    """An action that belongs to the event's day was asked for before it."""


class AlreadyOver(IllegalTransition):
    """An action for an event still ahead was asked for after it ended."""


def local(value: datetime, zone: str) -> str:
    """'2027-01-14 09:00 WIB': an instant as people of the event's zone read it."""
    return f"{value.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M} {zone_label(zone)}"


# What each guarded action says when it is too early ({code}, {start}, {opens} filled in).
START_TOO_EARLY = N_(
    "Event {code!r} starts {start}: it cannot be started before {opens}. "
    "If it really happened, use --force with the reason."
)
HOLD_TOO_EARLY = N_(
    "Event {code!r} starts {start}: it cannot be held before {opens}. "
    "If it really happened, use --force with the reason."
)
CHECKIN_TOO_EARLY = N_(
    "Event {code!r} starts {start}: nobody can be checked in before {opens}. "
    "If it really happened, use --force with the reason."
)
MINUTES_TOO_EARLY = N_(
    "Event {code!r} starts {start}: its minutes cannot be approved before {opens}. "
    "If it really happened, use --force with the reason."
)


# What each guarded action says when it is too late ({code}, {end} filled in).
INVITE_TOO_LATE = N_("Event {code!r} ended {end}: invitations can no longer be sent.")
ANSWER_TOO_LATE = N_(
    "Event {code!r} ended {end}: an answer can no longer be recorded. "
    "If it really came in time, use --force with the reason."
)


def _forced(force: str | None) -> bool:
    """Whether an officer overrides a guard; an empty reason is refused (it goes into the audit)."""
    if force is None:
        return False
    if not force.strip():
        raise invalid("--force", N_("say why, in a few words: it goes into the audit"))
    return True


def ensure_begun(
    event: Event,
    too_early: str,
    now: datetime,
    *,
    opens_before: timedelta = timedelta(0),
    force: str | None = None,
) -> None:
    """Refuse an action before the event's start (less `opens_before`), unless forced.

    `too_early` is the action's own message (one of the *_TOO_EARLY templates).
    """
    if _forced(force):
        return
    opens = event.starts_at - opens_before
    if now < opens:
        raise TooEarly(
            too_early,
            code=event.code,
            start=local(event.starts_at, event.timezone),
            opens=local(opens, event.timezone),
        )


def ensure_not_over(
    event: Event, now: datetime, too_late: str = INVITE_TOO_LATE, *, force: str | None = None
) -> None:
    """Refuse an action for an event still ahead (invitations, an answer) once it has ended.

    `too_late` is the action's own message (one of the *_TOO_LATE templates); `force`, where
    the action allows it, overrides the guard with a reason.
    """
    if _forced(force):
        return
    if now >= event.ends_at:
        raise AlreadyOver(
            too_late,
            code=event.code,
            end=local(event.ends_at, event.timezone),
        )


def ensure_ahead(start: datetime, zone: str, now: datetime) -> None:
    """Refuse a new start that lies in the past (a year typed wrong, say)."""
    if start <= now:
        raise invalid(
            "start",
            N_("{start} is in the past; check the date and the year"),
            start=local(start, zone),
        )
