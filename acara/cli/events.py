"""`acara event`: import, inspect and move events along their lifecycle."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from acara.cli import published as after_commit
from acara.cli.console import console
from acara.cli.plans import DryRun, Force, Yes, planned
from acara.cli.sending import send_changes
from acara.cli.when import AT_HELP
from acara.dates import long_date, long_datetime, time_range
from acara.i18n import _
from acara.labels import label as named
from acara.settings import officer_name
from acara.stages import planning, replies
from models.queries import by_group

app = typer.Typer(help="Events: import, list, show, lifecycle.", no_args_is_help=True)
EventRef = Annotated[str, typer.Argument(help="Event id or code.")]


@app.command("import")
def import_file(
    path: Annotated[Path, typer.Argument(help="Event file (YAML), see examples/.")],
    participants: Annotated[
        Path | None,
        typer.Option(help="A participant list (CSV, XLSX) read instead of participants_file."),
    ] = None,
    dry_run: DryRun = False,
    yes: Yes = False,
) -> None:
    """Create an event from a file, or update the event with the same code."""
    imported = planned(
        planning.import_event_file,
        path,
        participants=participants,
        actor=officer_name(),
        dry_run=dry_run,
        yes=yes,
    )
    if imported is None:
        return
    result = imported.result
    verb = (
        _("Created event [bold]%(code)s[/] (id %(id)s)")
        if result.created
        else _("Updated event [bold]%(code)s[/] (id %(id)s)")
    )
    console.print(
        verb % {"code": imported.code, "id": result.event_id}
        + ": "
        + _("%(added)s participants added, %(updated)s updated, %(merged)s duplicates merged.")
        % {
            "added": result.roster.added,
            "updated": result.roster.updated,
            "merged": len(result.roster.merged),
        }
    )
    if result.rescheduled:
        console.print(
            "[yellow]" + _("Time or place changed: participants are owed an update.") + "[/]"
        )
    after_commit.show(imported.published)
    send_changes(result.event_id, imported.plan, imported.published)


@app.command("list")
def list_events() -> None:
    """All events, newest first."""
    table = Table(
        _("ID"), _("Code"), _("Kind"), _("Title"), _("Starts"), _("Status"), title=_("Events")
    )
    for event in planning.all_events():
        table.add_row(
            str(event.id),
            event.code,
            event.kind.value,
            escape(event.display_title),
            long_datetime(event.starts_at, event.timezone),
            event.status.value,
        )
    console.print(table)


@app.command("show")
def show(event: EventRef) -> None:
    """The event, its agenda per day and group, and its participants per group and role."""
    seen = planning.overview(event)
    target = seen.event
    console.print(
        f"[bold]{escape(target.display_title)}[/]  ({target.kind.value}, {target.status.value})"
    )
    console.print(
        f"{long_datetime(target.starts_at, target.timezone)} – "
        f"{long_datetime(target.ends_at, target.timezone)}"
    )
    for label, value in (
        (_("Host"), seen.host),
        (_("Guest"), seen.guest),
        (_("Letter"), target.letter_number),
        (_("Subject"), target.subject),
        (_("Title in English"), target.translated("title", "en")),
        (_("Subject in English"), target.translated("subject", "en")),
    ):
        if value:
            console.print(f"{label}: {escape(value)}", highlight=False)
    if seen.signatory is not None:
        signer = seen.signatory
        console.print(
            _("Signed by") + f": {escape(signer.position)}, {escape(signer.name)}", highlight=False
        )
    if seen.volumes:
        console.print(_("Other volumes of %(series)s:") % {"series": escape(target.series or "")})
        for other in seen.volumes:
            console.print(
                f"  Volume-{escape(other.number or '?')}: {other.code} · "
                f"{escape(other.title)} · {long_date(other.starts_at, zone=other.timezone)} "
                f"({other.status.value})",
                highlight=False,
            )
    for day in target.days():
        day_lines = [line for line in seen.agenda if line.day == day]
        if not day_lines:
            continue
        for group, items in by_group(day_lines).items():
            table = Table(_("Time"), _("Session"), _("Place"), _("Speakers"), _("Moderator"))
            table.title = f"{long_date(day)} · {escape(group)}"
            for line in items:
                item = line.session
                table.add_row(
                    time_range(item.starts_at, item.ends_at, target.timezone),
                    escape(item.title),
                    escape(line.place),
                    escape(", ".join(item.speakers)),
                    escape(item.moderator or ""),
                )
            console.print(table)
    bounced = replies.bounced_addresses(target.id or event)
    for group, members in by_group(seen.participants).items():
        table = Table(
            _("Role"),
            _("Name"),
            _("Position"),
            _("Organisation"),
            _("Email"),
            _("RSVP"),
            _("Bounced"),
        )
        table.title = _("Participants") + f" · {escape(group)} ({len(members)})"
        for line in members:
            table.add_row(
                line.participant.role.value,
                escape(line.person.full_name.with_titles),
                escape(line.person.position),
                escape(line.person.organisation),
                line.person.email or line.person.phone,
                line.participant.rsvp.value,
                f"[red]{bounced[line.person.email]}[/]" if line.person.email in bounced else "",
            )
        console.print(table)


@app.command("transition")
def transition(
    event: EventRef,
    action: Annotated[str, typer.Argument(help="announce, start, hold, report, close, ...")],
    at: Annotated[str | None, typer.Option("--at", help=AT_HELP)] = None,
    force: Force = None,
) -> None:
    """Move an event along its lifecycle (start and hold only once the event is due)."""
    moved = planning.transition(event, action, actor=officer_name(), at=at, force=force)
    target = moved.event
    console.print(
        _("Event [bold]%(code)s[/] is now [bold]%(status)s[/].")
        % {"code": target.code, "status": target.status.value}
    )
    after_commit.show(moved.published)


@app.command("reschedule")
def reschedule(
    event: EventRef,
    start: Annotated[
        str, typer.Option(help="New start, local time of the event: '2024-11-15 09:00'.")
    ],
    dry_run: DryRun = False,
    yes: Yes = False,
) -> None:
    """Move the event and its whole agenda to a new start time (never into the past)."""
    moved = planned(
        planning.reschedule, event, start, actor=officer_name(), dry_run=dry_run, yes=yes
    )
    if moved is None:
        return
    target = moved.event
    console.print(
        _("Event [bold]%(code)s[/] now starts %(when)s (sequence %(sequence)s).")
        % {
            "code": target.code,
            "when": long_datetime(target.starts_at, target.timezone),
            "sequence": target.sequence,
        }
    )
    after_commit.show(moved.published)


@app.command("cancel")
def cancel(
    event: EventRef,
    reason: Annotated[str, typer.Option(help="Told to every invitee.")],
    dry_run: DryRun = False,
    yes: Yes = False,
) -> None:
    """Cancel the event; everyone invited gets a cancellation."""
    cancelled = planned(
        planning.cancel, event, reason=reason, actor=officer_name(), dry_run=dry_run, yes=yes
    )
    if cancelled is None:
        return
    if not cancelled.changed:
        console.print(
            _("Event [bold]%(code)s[/] was already cancelled.") % {"code": cancelled.event.code}
        )
    else:
        console.print(_("Event [bold]%(code)s[/] is cancelled.") % {"code": cancelled.event.code})
    after_commit.show(cancelled.published)


@app.command("history")
def show_history(event: EventRef) -> None:
    """The audit trail of an event."""
    table = Table(_("When"), _("Who"), _("What"), _("Detail"), title=_("History"))
    target, entries = planning.audit_trail(event)
    for entry in entries:
        detail = escape(", ".join(_detail(key, value) for key, value in entry.detail.items()))
        table.add_row(long_datetime(entry.at, target.timezone), entry.actor, entry.action, detail)
    console.print(table)


def _detail(key: str, value: object) -> str:
    # How an answer came reads as words ("via telepon"); the rest as stored.
    if key == "via":
        return _("via %(channel)s") % {"channel": named("via", str(value))}
    return f"{key}={value}"
