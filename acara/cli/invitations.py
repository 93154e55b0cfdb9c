"""`acara invite`: send every participant their invitation, once."""

from __future__ import annotations

from typing import Annotated

import typer

from acara import invitations
from acara.cli.console import console
from acara.cli.sending import send_and_report
from acara.i18n import _

ACTOR = "cli"


def invite(event: Annotated[str, typer.Argument(help="Event id or code.")]) -> None:
    """Invite everyone not yet invited (a draft event is announced) and send what is owed."""
    owed = invitations.owe_invitations(event, actor=ACTOR)
    console.print(
        _("Event [bold]%(code)s[/]: %(count)s new message(s) owed.")
        % {"code": owed.event_code, "count": owed.messages}
    )
    send_and_report(owed.event_id, invitations.CALENDAR_PURPOSES)


def notify_changes(event_id: int) -> None:
    """After a reschedule, a change of place or a cancellation: owe the news and send it."""
    owed = invitations.owe_changes(event_id)
    if not owed.messages:
        return  # nobody was invited yet: nothing to tell
    console.print(_("%(count)s participant(s) are owed the change.") % {"count": owed.messages})
    send_and_report(owed.event_id, invitations.CALENDAR_PURPOSES)
