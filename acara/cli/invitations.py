"""`acara invite`: send every participant their invitation, once."""

from __future__ import annotations

from typing import Annotated

import typer

from acara.cli.console import console
from acara.cli.plans import DryRun, Yes, planned
from acara.cli.sending import send_and_report
from acara.i18n import _
from acara.settings import officer_name
from acara.stages import invitations


def invite(
    event: Annotated[str, typer.Argument(help="Event id or code.")],
    dry_run: DryRun = False,
    yes: Yes = False,
) -> None:
    """Invite everyone not yet invited (a draft event is announced) and send what is owed."""
    owed = planned(
        invitations.owe_invitations, event, actor=officer_name(), dry_run=dry_run, yes=yes
    )
    if owed is None:
        return
    console.print(
        _("Event [bold]%(code)s[/]: %(count)s new message(s) owed.")
        % {"code": owed.event_code, "count": owed.messages}
    )
    send_and_report(lambda progress: invitations.send_owed(owed.event_id, progress))
