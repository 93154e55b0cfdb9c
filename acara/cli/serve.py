"""`acara serve`: the whole service in one command, supervised, stopped cleanly with Ctrl-C;
`acara service setup`: the same detection of dead runs on a shared Prefect server."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
from typing import Annotated

import typer
from rich.markup import escape

from acara import bus
from acara.cli.console import console, err_console
from acara.db import upgrade
from acara.i18n import N_, _
from acara.service import (
    PREFECT_YAML,
    ROOT,
    RUNNER_CODE,
    WEB_CODE,
    PrefectServer,
    ServiceError,
    Supervisor,
    ensure_crash_automation,
    heartbeat_seconds,
    python_child,
    single_instance,
)
from acara.settings import masked

app = typer.Typer(help="Set up acara on a shared Prefect server (work pool and workers).")


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
    web app, and keep them running; events start the stage flows, schedules run the sweeps.
    Ctrl-C or SIGTERM stops all of it."""
    _log_lines()
    bus.prefect_environment()
    # Every flow run reports a heartbeat; the crash automation needs it (inherited by the
    # runner and the flow runs it starts).
    os.environ.setdefault("PREFECT_FLOWS_HEARTBEAT_FREQUENCY", str(heartbeat_seconds()))
    supervisor: Supervisor | None = None
    stop_now = _Stop()
    signal.signal(signal.SIGTERM, stop_now)
    signal.signal(signal.SIGINT, stop_now)
    with single_instance(bus.prefect_home()):
        upgrade()
        server: PrefectServer | None = None
        url = os.environ.get("PREFECT_API_URL")
        if url:
            url = url.rstrip("/")
            if not bus.server_healthy(url):
                raise ServiceError(
                    N_("PREFECT_API_URL is {url}, but no Prefect server answers there."),
                    url=masked(url),
                )
            console.print(_("Using the Prefect server at [bold]%(url)s[/]") % {"url": masked(url)})
        else:
            server = PrefectServer.at(bus.prefect_home(), host=host, port=prefect_port)
            console.print(f"Starting a Prefect server (state in {server.home}) …")
            try:
                server.start(cancelled=lambda: stop_now.requested)
            except BaseException:
                server.stop(grace=3)
                raise
            url = server.api_url
            os.environ["PREFECT_API_URL"] = url  # for the runner, the flow runs and the bus
            console.print(f"Prefect UI: [bold]{server.ui_url}[/]")
        runner = python_child("the deployment runner", RUNNER_CODE, str(poll), str(limit))
        web_app = python_child("the web app", WEB_CODE, host, str(web_port)) if web else None
        supervisor = Supervisor(
            runner,
            server=server,
            web=web_app,
            advertise=bus.advertise,
            withdraw=bus.withdraw,
            on_server_back=_after_server_restart,
            api_url=None if server else url,
        )
        stop_now.supervisor = supervisor
        try:
            if not stop_now.requested:
                _crash_automation(url)
                runner.spawn()
                if web_app is not None:
                    web_app.spawn()
                    console.print(
                        f"Web app (RSVP, check-in, dashboard): [bold]http://{host}:{web_port}[/]"
                    )
                bus.advertise(url)
            else:
                supervisor.stopping.set()
            console.print("Serving; Ctrl-C stops everything.")
            supervisor.run()
        finally:
            console.print("Stopping …")
            supervisor.stop()
            console.print("acara serve stopped.")


def _crash_automation(url: str) -> None:
    try:
        outcome = ensure_crash_automation(url)
    except Exception as exc:  # the service still runs; dead runs just stay RUNNING longer
        err_console.print(
            f"[yellow]Warning:[/] could not set up the automation that marks dead runs "
            f"CRASHED: {escape(str(exc))}",
            highlight=False,
        )
        return
    console.print(
        f"Dead runs are marked CRASHED by Prefect (automation {outcome}; "
        f"heartbeat every {heartbeat_seconds()} s)."
    )


class _Stop:
    """SIGTERM and SIGINT: ask the supervisor to stop (no KeyboardInterrupt, no traceback)."""

    def __init__(self) -> None:
        self.requested = False
        self.supervisor: Supervisor | None = None

    def __call__(self, _signum: int, _frame: object) -> None:
        self.requested = True
        if self.supervisor is not None:
            self.supervisor.request_stop()


def _after_server_restart() -> None:
    """Events the CLI stored while the server was down go to it now (its triggers persist)."""
    try:
        report = bus.reemit_pending()
    except Exception:  # the next sweep tries again
        logging.getLogger("acara.service").exception("re-sending stored events failed")
        return
    if report.emitted:
        console.print(f"Sent Prefect {len(report.emitted)} event(s) stored while it was down.")


def _log_lines() -> None:
    """The supervisor's lines (a restart, a slow stop) go to serve's output with a time."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(asctime)s acara serve: %(message)s", "%H:%M:%S"))
    service_log = logging.getLogger("acara.service")
    service_log.addHandler(handler)
    service_log.setLevel(logging.INFO)
    service_log.propagate = False


@app.command("setup")
def setup(
    pool: Annotated[str, typer.Option(help="The process work pool workers take runs from.")] = (
        "acara"
    ),
    deploy: Annotated[
        bool, typer.Option(help="Also run `prefect deploy --all` from this checkout.")
    ] = True,
) -> None:
    """On a shared Prefect server (PREFECT_API_URL): create the work pool, the automation that
    marks dead runs CRASHED, and every deployment of prefect.yaml. Safe to run again."""
    bus.prefect_environment()
    url = os.environ.get("PREFECT_API_URL", "").rstrip("/")
    if not url:
        raise ServiceError("Set PREFECT_API_URL to the shared Prefect server first.")
    if not bus.server_healthy(url):
        raise ServiceError(f"No Prefect server answers at {url}.")
    prefect = [sys.executable, "-m", "prefect"]
    pools = subprocess.run([*prefect, "work-pool", "inspect", pool], capture_output=True)
    if pools.returncode != 0:
        _run([*prefect, "work-pool", "create", pool, "--type", "process"])
        console.print(f"Work pool [bold]{pool}[/] created (process).")
    else:
        console.print(f"Work pool [bold]{pool}[/] exists.")
    outcome = ensure_crash_automation(url)
    console.print(f"Automation that marks dead runs CRASHED: {outcome}.")
    if deploy:
        env = {**os.environ, "ACARA_ROOT": os.environ.get("ACARA_ROOT", str(ROOT))}
        _run([*prefect, "--no-prompt", "deploy", "--all", "--prefect-file", str(PREFECT_YAML)], env)
        console.print("Deployments of prefect.yaml created or updated.")
    console.print(
        f"Start workers with: [bold]prefect worker start --pool {pool} --limit 2[/] "
        "(ACARA_* and PREFECT_API_URL as here)."
    )


def _run(command: list[str], env: dict[str, str] | None = None) -> None:
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise ServiceError(
            f"`{' '.join(command[2:])}` failed:\n{(done.stdout + done.stderr).strip()[-2000:]}"
        )
