"""`acara officer`: the accounts officers log in to the web app with."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from acara.cli.console import console
from acara.i18n import _
from acara.labels import label
from acara.settings import officer_name
from acara.stages import officers as stage
from models.errors import N_, invalid
from models.officers import Role

app = typer.Typer(help="Officer accounts for the web app.", no_args_is_help=True)

LinkOption = Annotated[
    bool, typer.Option("--link", help="Print a one-time link (48 hours) to set the password.")
]
StdinOption = Annotated[
    bool,
    typer.Option("--password-stdin", help="Read the password from standard input (scripts)."),
]


def _password(link: bool, from_stdin: bool) -> str | None:
    """The password as asked (None: a one-time link sets it)."""
    if link and from_stdin:
        raise invalid("--link", N_("choose --link or --password-stdin, not both"))
    if link:
        return None
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise invalid("--password-stdin", N_("standard input holds no password"))
        return password
    return str(
        typer.prompt(
            _("Password (at least 10 characters)"),
            hide_input=True,
            confirmation_prompt=_("The same password again"),
        )
    )


def _said_link(link: str | None) -> None:
    if link:
        console.print(
            _("One-time link to set the password (valid 48 hours, works once):"), highlight=False
        )
        console.print(link, highlight=False, soft_wrap=True)


@app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="The officer's name, as they log in with it.")],
    role: Annotated[
        Role, typer.Option("--role", case_sensitive=False, help="admin, officer or desk.")
    ] = Role.OFFICER,
    link: LinkOption = False,
    password_stdin: StdinOption = False,
) -> None:
    """Add an officer account; the password is typed (hidden), read from stdin or set by link."""
    password = _password(link, password_stdin)
    added = stage.add(name, role, password, actor=officer_name())
    console.print(
        _("Officer account %(name)s (%(role)s) added.")
        % {"name": escape(added.account.name), "role": added.account.role.value},
        highlight=False,
    )
    _said_link(added.link)


@app.command("list")
def list_accounts() -> None:
    """Every officer account with its role, state and open sessions."""
    table = Table(_("Name"), _("Role"), _("State"), _("Sessions"), title=_("Officer accounts"))
    for account in stage.accounts():
        role = label("officer role", account.role.value)
        state = label("officer state", account.state)
        table.add_row(escape(account.name), role, state, str(account.sessions))
    console.print(table)


@app.command("disable")
def disable(name: Annotated[str, typer.Argument(help="The officer's name.")]) -> None:
    """Disable an account: it can no longer log in, and its sessions end everywhere."""
    account, ended = stage.disable(name, actor=officer_name())
    console.print(
        _("Officer account %(name)s disabled; %(count)s sessions ended.")
        % {"name": escape(account.name), "count": ended},
        highlight=False,
    )


@app.command("reset")
def reset(
    name: Annotated[str, typer.Argument(help="The officer's name.")],
    password_stdin: StdinOption = False,
) -> None:
    """A new password: by a new one-time link (the old password stops now), or from stdin.
    The account's sessions end either way."""
    password = _password(not password_stdin, password_stdin)
    done = stage.reset(name, password, actor=officer_name())
    console.print(
        _("Password of %(name)s reset; %(count)s sessions ended.")
        % {"name": escape(done.account.name), "count": done.sessions_ended},
        highlight=False,
    )
    _said_link(done.link)
