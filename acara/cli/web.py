"""`acara web`: serve the RSVP, check-in and officer pages."""

from __future__ import annotations

from typing import Annotated

import typer

from acara.cli.console import console
from acara.i18n import _
from acara.settings import get_settings
from acara.web import DEFAULT_HOST, DEFAULT_PORT, serve_web


def web(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = DEFAULT_HOST,
    port: Annotated[int, typer.Option(help="Port to listen on.")] = DEFAULT_PORT,
) -> None:
    """Serve the web app (RSVP pages, check-in desk, officer dashboard) until Ctrl-C."""
    settings = get_settings()
    console.print(
        _(
            "acara web on [bold]%(url)s[/]  (links in e-mails use %(base)s; "
            "officers log in with their accounts: `acara officer add`)"
        )
        % {"url": f"http://{host}:{port}", "base": settings.base_url},
        highlight=False,
    )
    serve_web(host, port)
