"""`acara organisations`: load host organisations (kop, logo, sender, signatories), list them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from acara.cli.console import console
from acara.i18n import _
from acara.settings import officer_name
from acara.stages import organisations

app = typer.Typer(
    help="Host organisations: kop, logo, sender mailbox, signatories.", no_args_is_help=True
)


@app.command("import")
def import_file(
    path: Annotated[Path, typer.Argument(help="Organisations file (YAML), see examples/.")],
) -> None:
    """Create or update (by key) the organisations of a file; nothing is written on an error."""
    result = organisations.import_file(path, actor=officer_name())
    console.print(
        _("%(created)s organisations created, %(updated)s updated: %(keys)s")
        % {
            "created": len(result.created),
            "updated": len(result.updated),
            "keys": escape(", ".join((*result.created, *result.updated))),
        },
        highlight=False,
    )


@app.command("list")
def list_organisations() -> None:
    """Every host organisation: kop, city, sender and signatories (* signs by default)."""
    hosts = organisations.all_hosts()
    if not hosts:
        console.print(_("No organisations yet: `acara organisations import FILE` adds them."))
    for host in hosts:
        org = host.organisation
        console.print(f"[bold]{escape(org.key or '')}[/]  {escape(org.name)}", highlight=False)
        for label, value in (
            (_("Kop"), " / ".join(org.kop_lines)),
            (_("City"), org.city),
            (_("Sender"), f"{org.sender_name} <{org.sender_email}>"),
        ):
            console.print(f"  {label}: {escape(value)}", highlight=False)
        for signer in host.signatories:
            mark = "*" if signer.key == org.default_signatory else " "
            nip = f", NIP {signer.nip}" if signer.nip else ""
            console.print(
                f"  {mark} {escape(signer.key)}: {escape(signer.position)}, "
                f"{escape(signer.name)}{nip}",
                highlight=False,
            )
