"""`acara chat EVENT`: click-to-chat links (WhatsApp) for everyone with a mobile number."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from acara.cli.console import console
from acara.documents import write_atomically
from acara.i18n import _
from acara.stages import contacts


def chat(
    event: Annotated[str, typer.Argument(help="Event id or code.")],
    csv_file: Annotated[
        Path | None, typer.Option("--csv", help="Write the links to this CSV file instead.")
    ] = None,
    html_file: Annotated[
        Path | None,
        typer.Option("--html", help="Write a page of the links to click through instead."),
    ] = None,
) -> None:
    """One line per participant with a mobile number: name, number and their chat link.

    A link opens WhatsApp with a short personal message carrying the participant's RSVP
    link; nothing is sent until the officer presses send there.
    """
    reach = contacts.reach(event)
    if csv_file is not None:
        write_atomically(csv_file, contacts.chats_csv(reach))
    if html_file is not None:
        write_atomically(html_file, contacts.chats_html(reach))
    if csv_file is None and html_file is None:
        for contact in reach.chats:
            console.print(
                f"[bold]{escape(contact.name)}[/] {contact.phone} {escape(contact.chat)}",
                highlight=False,
                soft_wrap=True,
            )
    for path in (p for p in (csv_file, html_file) if p is not None):
        console.print(
            _("%(count)s chat link(s) written to %(file)s")
            % {"count": len(reach.chats), "file": escape(str(path))},
            highlight=False,
        )
    console.print(
        _("%(chats)s participant(s) with a mobile number; %(without)s without e-mail.")
        % {"chats": len(reach.chats), "without": len(reach.without_email)},
        highlight=False,
    )
