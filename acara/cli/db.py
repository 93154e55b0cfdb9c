"""`acara db`: the database schema."""

from __future__ import annotations

import typer

from acara import db
from acara.cli.console import console
from acara.i18n import _
from acara.settings import get_settings

app = typer.Typer(help="Database schema.", no_args_is_help=True)


@app.command("upgrade")
def upgrade() -> None:
    """Apply all migrations to the configured database."""
    db.upgrade()
    console.print(
        _("Database is up to date: [bold]%(url)s[/]") % {"url": _safe_url(get_settings().database)}
    )


def _safe_url(url: str) -> str:
    """The URL without its password, for printing."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
