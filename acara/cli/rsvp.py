"""`acara rsvp`: record an answer a participant gave by phone, WhatsApp or letter."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from acara.cli import published as published_view
from acara.cli.console import console
from acara.cli.plans import DryRun, Force, Yes, planned
from acara.cli.sending import print_summary
from acara.cli.when import AT_HELP
from acara.i18n import _
from acara.labels import label
from acara.settings import officer_name
from acara.stages import rsvp as stage
from models.errors import N_, invalid
from models.rsvp import Answer, Via

# What an officer types after --via: the office's words, and the English ones.
VIAS = {
    "telepon": Via.PHONE,
    "phone": Via.PHONE,
    "whatsapp": Via.WHATSAPP,
    "wa": Via.WHATSAPP,
    "surat": Via.LETTER,
    "letter": Via.LETTER,
}


def rsvp(
    event: Annotated[str, typer.Argument(help="Event id or code.")],
    person: Annotated[
        str, typer.Argument(help="The participant: e-mail, phone number or (part of) the name.")
    ],
    answer: Annotated[Answer, typer.Argument(help="accept, decline, represent or tentative.")],
    via: Annotated[
        str, typer.Option("--via", help="How the answer came: telepon, whatsapp or surat.")
    ] = "telepon",
    name: Annotated[str, typer.Option("--name", help="The representative's name.")] = "",
    position: Annotated[
        str, typer.Option("--position", help="The representative's position (jabatan).")
    ] = "",
    email: Annotated[str, typer.Option("--email", help="The representative's e-mail.")] = "",
    note: Annotated[str, typer.Option("--note", help="A note for the audit.")] = "",
    at: Annotated[str | None, typer.Option("--at", help=AT_HELP)] = None,
    force: Force = None,
    dry_run: DryRun = False,
    yes: Yes = False,
) -> None:
    """Record an answer given by phone, WhatsApp or letter, with the RSVP page's rules."""
    channel = VIAS.get(via.strip().casefold())
    if channel is None:
        raise invalid("--via", N_("{via!r} is not telepon, whatsapp or surat"), via=via)
    answered = planned(
        stage.answer_for,
        event,
        person,
        answer,
        dry_run=dry_run,
        yes=yes,
        actor=officer_name(),
        via=channel,
        stand_in=stage.StandIn(name, position, email),
        note=note,
        at=at,
        force=force,
    )
    if answered is None:
        return
    outcome = answered.outcome
    values = {
        "name": escape(answered.name),
        "status": label("rsvp", outcome.status.value),
        "via": label("via", channel.value),
    }
    if outcome.changed:
        console.print(_("Answer of %(name)s recorded: %(status)s (via %(via)s).") % values)
    else:
        console.print(_("The answer of %(name)s is unchanged: %(status)s.") % values)
    published_view.show(answered.published)
    if answered.sent is not None:
        print_summary(answered.sent)
