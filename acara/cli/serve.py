"""`acara serve`: the whole service in one command, stopped cleanly with Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Annotated, Any

import typer

from acara import bus
from acara.cli.console import console, err_console
from acara.db import upgrade
from acara.i18n import N_, _
from acara.service import PrefectServer, ServiceError, build_deployments
from acara.settings import masked


def serve(
    host: Annotated[
        str, typer.Option(help="Address the Prefect server and web app listen on.")
    ] = "127.0.0.1",
    prefect_port: Annotated[int, typer.Option(help="Port of the local Prefect server.")] = 4200,
    web: Annotated[bool, typer.Option(help="Also serve the web app (RSVP, check-in).")] = True,
    web_port: Annotated[int, typer.Option(help="Port of the web app.")] = 8000,
    poll: Annotated[float, typer.Option(help="Seconds between checks for runs to start.")] = 5.0,
    limit: Annotated[int, typer.Option(help="Flow runs at most at once.")] = 4,
) -> None:
    """Start a Prefect server (or use PREFECT_API_URL), serve prefect.yaml's deployments and the
    web app; events then start the stage flows and schedules run the sweeps. Ctrl-C stops all."""
    bus.prefect_environment()
    # Until Prefect's runner takes over SIGTERM, treat it like Ctrl-C so nothing is left behind;
    # and let Ctrl-C work even when started from a shell that ignores it (a background job).
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    server: PrefectServer | None = None
    web_process: subprocess.Popen[bytes] | None = None
    try:
        upgrade()
        url = os.environ.get("PREFECT_API_URL")
        if url:
            if not bus.server_healthy(url.rstrip("/")):
                raise ServiceError(
                    N_("PREFECT_API_URL is {url}, but no Prefect server answers there."),
                    url=masked(url),
                )
            console.print(_("Using the Prefect server at [bold]%(url)s[/]") % {"url": masked(url)})
        else:
            server = PrefectServer(bus.prefect_home(), host=host, port=prefect_port)
            console.print(
                _("Starting a Prefect server (state in %(folder)s) …") % {"folder": server.home}
            )
            server.start()
            url = server.api_url
            os.environ["PREFECT_API_URL"] = url  # for this process's Prefect and its flow runs
            console.print(_("Prefect UI: [bold]%(url)s[/]") % {"url": server.ui_url})
        bus.advertise(url)
        if web:
            web_process = _start_web(host, web_port)
        _serve(url, poll=poll, limit=limit)
    except KeyboardInterrupt:
        pass
    finally:
        console.print(_("Stopping …"))
        bus.withdraw()
        if web_process is not None:
            web_process.terminate()
            web_process.wait(timeout=15)
        if server is not None:
            server.stop()
        console.print(_("acara serve stopped."))


def _serve(url: str, *, poll: float, limit: int) -> None:
    from prefect import serve as prefect_serve
    from prefect.settings import PREFECT_API_URL, temporary_settings

    # Prefect may have been imported before the URL was known: make sure it uses this one.
    with temporary_settings(updates={PREFECT_API_URL: url}):
        deployments, missing = build_deployments()
        for declared in missing:
            err_console.print(
                _("[yellow]Not served:[/] %(name)s (%(entrypoint)s is not written yet)")
                % {"name": declared.name, "entrypoint": declared.entrypoint}
            )
        pending = bus.reemit_pending()
        if pending.emitted:
            console.print(
                _("Sent Prefect %(count)s event(s) stored while it was down.")
                % {"count": len(pending.emitted)}
            )
        prefect_serve(*deployments, limit=limit, query_seconds=poll)


def _start_web(host: str, port: int) -> subprocess.Popen[bytes] | None:
    try:
        from acara.web import serve_web  # noqa: F401  (only to know the web app exists)
    except ImportError:
        return None
    code = "import sys; from acara.web import serve_web; serve_web(sys.argv[1], int(sys.argv[2]))"
    process = subprocess.Popen([sys.executable, "-c", code, host, str(port)])
    console.print(
        _("Web app (RSVP, check-in, dashboard): [bold]%(url)s[/]")
        % {"url": f"http://{host}:{port}"}
    )
    return process


def _interrupt(_signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt
