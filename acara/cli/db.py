"""`acara db`: the database schema."""

from __future__ import annotations

import typer

from acara.cli.console import console, err_console
from acara.db import missing_message, sqlite_path
from acara.db import upgrade as upgrade_schema
from acara.i18n import _
from acara.settings import get_settings

app = typer.Typer(help="Database schema.", no_args_is_help=True)


@app.command("upgrade")
def upgrade() -> None:
    """Apply all migrations to the configured database (creating a SQLite file if needed)."""
    url = get_settings().database
    path = sqlite_path(url)
    lost = missing_message(path.resolve()) if path and not path.exists() else ""
    if upgrade_schema(replace_lost=True) and "earlier one existed" in lost:
        err_console.print(
            _(
                "[yellow]Note:[/] %(path)s was missing although one existed before; "
                "a new, empty database was created in its place."
            )
            % {"path": path},
            highlight=False,
        )
    console.print(_("Database is up to date: [bold]%(url)s[/]") % {"url": _safe_url(url)})


def _safe_url(url: str) -> str:
    """The URL without its password, for printing."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
