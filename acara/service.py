"""Running acara as a service: a supervised Prefect server, the deployments of prefect.yaml, the
web app, and Prefect's own detection of runs whose process died.

prefect.yaml stays the single declaration of deployments, schedules and triggers: `prefect
deploy --all` reads it for work pools, and `acara serve` reads it here and serves the same
deployments. `acara serve` is a supervisor: the Prefect server, the runner that serves the
deployments and the web app are child processes it restarts when they die, and stops together
(within 10 s) on Ctrl-C or SIGTERM.

Dead runs: every flow run sends Prefect a heartbeat every HEARTBEAT_SECONDS
(PREFECT_FLOWS_HEARTBEAT_FREQUENCY); the automation `crash_automation()` marks a run of an
acara deployment CRASHED when its heartbeats stop for MISSED_HEARTBEATS of them, which also
frees its deployment's concurrency slot. `acara serve` and `acara service setup` create it.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import importlib
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import IO, Any

import yaml

from acara.bus import server_healthy
from models.errors import AcaraError

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
PREFECT_YAML = ROOT / "prefect.yaml"
TAG = "acara"  # every deployment of prefect.yaml carries it; the automation matches on it

# Heartbeats every 30 s (Prefect's minimum) and a run is crashed after 3 missed ones: a dead
# run is CRASHED 90 to 100 s after its last heartbeat, well within the 3 minutes promised.
HEARTBEAT_SECONDS = 30
MISSED_HEARTBEATS = 3
CRASH_AUTOMATION = "acara: crash runs whose heartbeats stopped"

STOP_WITHIN = 9.0  # seconds from Ctrl-C/SIGTERM until every child is gone (promised: 10)
UNHEALTHY_FOR = 20.0  # a server process that is alive but has not answered this long: restart
RESTART_AFTER = 5.0  # a child that keeps dying is started again at most this often


class ServiceError(AcaraError):
    """The service cannot start: a port in use, a server that does not come up."""

    exit_code = 5


# --- child processes ----------------------------------------------------------------------

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    """Linux: the child gets SIGTERM when `acara serve` dies, even by kill -9 (no orphans)."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class Child:
    """One supervised process in its own session (Ctrl-C reaches only `acara serve`)."""

    name: str  # "the Prefect server", for log lines
    command: list[str]
    env: dict[str, str] = field(default_factory=lambda: dict(os.environ))
    log_path: Path | None = None  # None: the output goes to serve's own
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    restarts: int = 0
    started_at: float = 0.0  # monotonic
    # Process groups of earlier, dead incarnations: what they started (a flow run finishing
    # its send, a forkserver) is left to end by itself, and stopped with the rest at the end.
    former: list[int] = field(default_factory=list)

    def spawn(self) -> None:
        """Start the process (not waiting for it to be ready)."""
        if self.process is not None:
            self.former.append(self.process.pid)
        self.started_at = time.monotonic()
        output: IO[bytes] | None = None
        if self.log_path is not None:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            output = self.log_path.open("ab")
        try:
            self.process = subprocess.Popen(
                self.command,
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT if output else None,
                start_new_session=True,
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            )
        finally:
            if output is not None:
                output.close()

    def alive(self) -> bool:
        """True while the process runs."""
        return self.process is not None and self.process.poll() is None

    @property
    def exit_code(self) -> int | None:
        """How it ended (negative: the signal that killed it)."""
        return None if self.process is None else self.process.poll()

    def signal(self, signum: int) -> None:
        """Send a signal to the process and everything it started (its process group, which
        may outlive the process itself: a forkserver, a flow run)."""
        groups = [*self.former, *([self.process.pid] if self.process is not None else [])]
        for group in groups:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(group, signum)

    def wait(self, until: float) -> bool:
        """Wait until the monotonic deadline; True when it has ended."""
        if self.process is None:
            return True
        try:
            self.process.wait(timeout=max(0.0, until - time.monotonic()))
        except subprocess.TimeoutExpired:
            return False
        return True

    def stop(self, grace: float = 5.0) -> None:
        """SIGTERM, then SIGKILL after `grace` seconds."""
        self.signal(signal.SIGTERM)
        if not self.wait(time.monotonic() + grace):
            self.signal(signal.SIGKILL)
            self.wait(time.monotonic() + 2)
        # Whatever it started that ignored SIGTERM (its group outlives it): gone too.
        self.signal(signal.SIGKILL)


# --- the local Prefect server -------------------------------------------------------------


@dataclass
class PrefectServer(Child):
    """`prefect server start` as a child process, its state (SQLite) under `home`."""

    home: Path = field(default_factory=Path)
    host: str = "127.0.0.1"
    port: int = 4200

    @classmethod
    def at(cls, home: Path, host: str = "127.0.0.1", port: int = 4200) -> PrefectServer:
        """The server for a Prefect home folder on host:port."""
        env = {
            **os.environ,
            "PREFECT_HOME": str(home),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_API_URL": f"http://{host}:{port}/api",
        }
        command = [sys.executable, "-m", "prefect", "server", "start"]
        command += ["--host", host, "--port", str(port)]
        return cls(
            "the Prefect server", command, env, home / "server.log", home=home, host=host, port=port
        )

    @property
    def api_url(self) -> str:
        """The API address clients and workers use."""
        return f"http://{self.host}:{self.port}/api"

    @property
    def ui_url(self) -> str:
        """The Prefect UI in a browser."""
        return f"http://{self.host}:{self.port}"

    def healthy(self, timeout: float = 2.0) -> bool:
        """True when the server answers its health check."""
        return server_healthy(self.api_url, timeout=timeout)

    def start(self, timeout: float = 180.0, cancelled: Callable[[], bool] = lambda: False) -> None:
        """Start the server and wait until it answers its health check."""
        if self.healthy(timeout=1.0):
            raise ServiceError(
                f"A Prefect server already answers on {self.ui_url}. Stop it, choose another "
                "--prefect-port, or use it by setting PREFECT_API_URL."
            )
        self.home.mkdir(parents=True, exist_ok=True)
        self.spawn()
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while not self.healthy(timeout=1.0):
            if self.process.poll() is not None:
                raise ServiceError(
                    f"The Prefect server stopped while starting (exit {self.process.returncode})."
                    f" Its log: {self.log_path}\n{self.log_tail()}"
                )
            if cancelled():
                return
            if time.monotonic() > deadline:
                self.stop()
                raise ServiceError(
                    f"The Prefect server did not answer within {timeout:.0f} s. "
                    f"Its log: {self.log_path}"
                )
            time.sleep(0.25)

    def log_tail(self, lines: int = 15) -> str:
        """The end of the server's log, for error messages."""
        try:
            assert self.log_path is not None
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except (OSError, AssertionError):
            return ""


# --- one `acara serve` per data folder ----------------------------------------------------


@contextlib.contextmanager
def single_instance(folder: Path) -> Iterator[Path]:
    """Hold the data folder's serve lock; a second `acara serve` on it is refused clearly.

    An fcntl lock dies with its process, so a killed serve never leaves a stale lock behind.
    """
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "serve.lock"
    handle = path.open("a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "another process"
        handle.close()
        raise ServiceError(
            f"acara serve is already running for this data folder ({folder.parent}; pid "
            f"{holder}). Stop it first, or give this one its own ACARA_DATA_DIR."
        ) from None
    try:
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield path
    finally:
        handle.close()


# --- Prefect's detection of dead runs -----------------------------------------------------


def heartbeat_seconds() -> int:
    """The flow-run heartbeat period this service sets (PREFECT_FLOWS_HEARTBEAT_FREQUENCY)."""
    try:
        return max(30, int(os.environ.get("PREFECT_FLOWS_HEARTBEAT_FREQUENCY", HEARTBEAT_SECONDS)))
    except ValueError:
        return HEARTBEAT_SECONDS


def crash_automation(heartbeat: int | None = None) -> Any:
    """Prefect's zombie-run automation ("detect zombie flows"), limited to acara's runs.

    A run of a deployment tagged `acara` whose heartbeats stop, without a final state, is
    marked CRASHED after MISSED_HEARTBEATS periods. A run that ended (Completed, Failed,
    Cancelled, Crashed) is never touched: the trigger expects those, and the server refuses
    to move a finished run to CRASHED anyway (the action does not force).
    """
    from prefect.client.schemas.objects import StateType
    from prefect.events.actions import ChangeFlowRunState
    from prefect.events.schemas.automations import AutomationCore, EventTrigger, Posture
    from prefect.events.schemas.events import ResourceSpecification

    period = heartbeat or heartbeat_seconds()
    return AutomationCore(
        name=CRASH_AUTOMATION,
        description=(
            f"Marks a run of an acara deployment CRASHED when its process stops sending "
            f"heartbeats (every {period} s) for {MISSED_HEARTBEATS * period} s; this frees its "
            "concurrency slot, and the next reminder sweep sends what it left."
        ),
        trigger=EventTrigger(
            after={"prefect.flow-run.heartbeat"},
            expect={
                "prefect.flow-run.heartbeat",
                "prefect.flow-run.Completed",
                "prefect.flow-run.Failed",
                "prefect.flow-run.Cancelled",
                "prefect.flow-run.Crashed",
            },
            match=ResourceSpecification({"prefect.resource.id": ["prefect.flow-run.*"]}),
            match_related=ResourceSpecification(
                {"prefect.resource.role": "tag", "prefect.resource.id": f"prefect.tag.{TAG}"}
            ),
            for_each={"prefect.resource.id"},
            posture=Posture.Proactive,
            threshold=1,
            within=timedelta(seconds=MISSED_HEARTBEATS * period),
        ),
        actions=[
            ChangeFlowRunState(
                state=StateType.CRASHED,
                message=(
                    f"No heartbeat for {MISSED_HEARTBEATS * period} s: the process running this "
                    "flow run died. The next reminder sweep sends what it left."
                ),
            )
        ],
    )


def ensure_crash_automation(api_url: str | None = None) -> str:
    """Create or update the crash automation on the Prefect server; 'created' or 'updated'."""
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    wanted = crash_automation()
    updates = {PREFECT_API_URL: api_url} if api_url else {}
    with temporary_settings(updates=updates), get_client(sync_client=True) as client:
        existing = client.read_automations_by_name(CRASH_AUTOMATION)
        if not existing:
            client.create_automation(wanted)
            return "created"
        first, *others = existing
        client.update_automation(first.id, wanted)
        for extra in others:  # two setups at once: keep one
            client.delete_automation(extra.id)
        return "updated"


# --- deployments from prefect.yaml --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Declared:
    """One deployment as prefect.yaml declares it."""

    name: str
    entrypoint: str  # flows/invitations.py:send_invitations
    spec: dict[str, Any]

    @property
    def module(self) -> str:
        """The entrypoint as an importable module: flows.invitations."""
        path = self.entrypoint.partition(":")[0]
        return path.removesuffix(".py").replace("/", ".")

    @property
    def function(self) -> str:
        """The flow function's name in its module."""
        return self.entrypoint.partition(":")[2]


def declared_deployments(path: Path = PREFECT_YAML) -> list[Declared]:
    """Every deployment in prefect.yaml, in file order."""
    document = yaml.safe_load(path.read_text()) or {}
    return [
        Declared(spec["name"], spec["entrypoint"], spec) for spec in document.get("deployments", [])
    ]


def load_flow(declared: Declared) -> Any | None:
    """The flow object a deployment runs, or None while its module is not written yet."""
    try:
        module = importlib.import_module(declared.module)
    except ModuleNotFoundError as exc:
        if exc.name and declared.module.startswith(exc.name):
            return None
        raise
    return getattr(module, declared.function, None)


def schedule(spec: dict[str, Any]) -> Any:
    """A schedule entry of prefect.yaml (cron, interval or rrule) as a Prefect schedule."""
    from prefect.schedules import Cron, Interval, RRule

    common = {"timezone": spec.get("timezone"), "active": spec.get("active", True)}
    if "cron" in spec:
        return Cron(spec["cron"], day_or=spec.get("day_or", True), **common)
    if "interval" in spec:
        return Interval(timedelta(seconds=float(spec["interval"])), **common)
    if "rrule" in spec:
        return RRule(spec["rrule"], **common)
    raise ServiceError(f"prefect.yaml: unknown schedule {spec!r}: use cron, interval or rrule")


def triggers(declared: Declared) -> list[Any]:
    """The deployment's triggers, validated the way `prefect deploy` validates them."""
    from prefect.events import DeploymentTriggerTypes
    from pydantic import TypeAdapter

    adapter: TypeAdapter[Any] = TypeAdapter(DeploymentTriggerTypes)
    result = []
    for i, spec in enumerate(declared.spec.get("triggers") or [], start=1):
        result.append(adapter.validate_python({"name": f"{declared.name}__{i}", **spec}))
    return result


def deployment_options(declared: Declared) -> dict[str, Any]:
    """What prefect.yaml says of a deployment, as keyword arguments of `Flow.to_deployment`
    and `Runner.add_flow`."""
    from prefect.types.entrypoint import EntrypointType

    spec = declared.spec
    return {
        "name": declared.name,
        "description": spec.get("description"),
        "tags": spec.get("tags"),
        "parameters": spec.get("parameters"),
        "schedules": [schedule(s) for s in spec.get("schedules") or []],
        "triggers": triggers(declared),
        "concurrency_limit": spec.get("concurrency_limit"),
        "entrypoint_type": EntrypointType.MODULE_PATH,
    }


def build_deployments(path: Path = PREFECT_YAML) -> tuple[list[Any], list[Declared]]:
    """(runner deployments to serve, declared ones whose flow is not written yet)."""
    built, missing = [], []
    for declared in declared_deployments(path):
        flow = load_flow(declared)
        if flow is None:
            missing.append(declared)
            continue
        built.append(flow.to_deployment(**deployment_options(declared)))
    return built, missing


def run_deployments(poll: float, limit: int) -> None:
    """The runner process: register prefect.yaml's deployments, then run what Prefect starts.

    Runs in its own process under `acara serve` (PREFECT_API_URL set). Each flow is added to
    the runner with its deployment (`Runner.add_flow`), so a run starts from the flow already
    in memory (a warm process, see `warm_flow_processes`) rather than a fresh `python -m
    prefect.engine`. Stored domain events that never reached Prefect are sent once the
    deployments and their triggers exist, so a fresh server's first trigger sees them.
    """
    import asyncio

    from prefect.runner import Runner

    from acara import bus

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    declared = declared_deployments()
    if os.environ.get("ACARA_WARM_FLOW_PROCESSES", "1") == "1":
        warm_flow_processes(sorted({d.module for d in declared}))
    runner = Runner(limit=limit, query_seconds=poll, pause_on_shutdown=True)
    served = []
    for one in declared:
        flow = load_flow(one)
        if flow is None:
            log.warning("not served: %s (%s is not written yet)", one.name, one.entrypoint)
            continue
        runner.add_flow(flow, **deployment_options(one))
        served.append(one.name)
    pending = bus.reemit_pending()
    if pending.emitted:
        log.info("sent Prefect %d event(s) stored while it was down", len(pending.emitted))
    print(f"Your deployments are being served: {', '.join(served)}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(runner.start())


def warm_flow_processes(modules: list[str]) -> None:
    """Start each flow run from a warm process instead of a fresh interpreter.

    Prefect's runner starts every run of a served flow in a new `spawn` process, which imports
    Prefect, SQLAlchemy and the flows again: several seconds per run on a busy machine, most of
    the time from an event to its first e-mail. A `forkserver` whose one process has imported
    all of that forks each run in a few milliseconds instead; the run itself, its environment
    and its heartbeats are Prefect's own. ACARA_WARM_FLOW_PROCESSES=0 turns it off.
    """
    import multiprocessing

    import prefect.flow_engine as engine

    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["prefect.flow_engine", "acara.messages.delivery", *modules])

    class _Contexts:
        context = multiprocessing.context

        @staticmethod
        def get_context(method: str | None = None) -> Any:
            return context

    engine.multiprocessing = _Contexts  # type: ignore[assignment]
    from multiprocessing import forkserver

    forkserver.ensure_running()  # warm before the first run, not during it


# --- the supervisor -----------------------------------------------------------------------


@dataclass
class Supervisor:
    """Keeps the Prefect server, the runner and the web app running; stops them together.

    `advertise(url)` / `withdraw()` keep serve.json naming a server only while it answers.
    """

    runner: Child
    server: PrefectServer | None = None
    web: Child | None = None
    api_url: str | None = None  # a server serve did not start (PREFECT_API_URL): watched only
    advertise: Callable[[str], object] = lambda url: None
    withdraw: Callable[[], object] = lambda: None
    on_server_back: Callable[[], object] = lambda: None
    check_every: float = 1.0
    stopping: threading.Event = field(default_factory=threading.Event)
    _unhealthy_since: float | None = None

    def children(self) -> list[Child]:
        """Every child, in the order they start."""
        return [c for c in (self.server, self.runner, self.web) if c is not None]

    def request_stop(self, *_: object) -> None:
        """Signal handler: stop at the next check (never raises inside other code)."""
        self.stopping.set()

    def run(self) -> None:
        """Watch the children until a stop is requested, then stop them all."""
        try:
            while not self.stopping.wait(self.check_every):
                self.check()
        finally:
            self.stop()

    def check(self) -> None:
        """One round: restart whatever died (the server first: the others need it)."""
        if self.server is not None:
            self._check_server(self.server)
        elif self.api_url is not None:
            self._check_external(self.api_url)
        if self.stopping.is_set():
            return
        for child in (self.runner, self.web):
            if child is None or child.alive():
                continue
            if time.monotonic() - child.started_at >= RESTART_AFTER:
                child.restarts += 1
                log.warning("%s stopped (exit %s); starting it again", child.name, child.exit_code)
                child.spawn()

    def _check_external(self, url: str) -> None:
        """A server someone else runs: serve.json names it only while it answers."""
        healthy = server_healthy(url)
        if healthy and self._unhealthy_since is not None:
            log.warning("the Prefect server at %s answers again", url)
            self.advertise(url)
            self.on_server_back()
        elif not healthy and self._unhealthy_since is None:
            log.warning("the Prefect server at %s does not answer", url)
            self.withdraw()
        self._unhealthy_since = None if healthy else (self._unhealthy_since or time.monotonic())

    def _check_server(self, server: PrefectServer) -> None:
        if server.alive():
            if server.healthy():
                self._unhealthy_since = None
                return
            self.withdraw()  # serve.json must not name a server that does not answer
            now = time.monotonic()
            self._unhealthy_since = self._unhealthy_since or now
            if now - self._unhealthy_since < UNHEALTHY_FOR:
                return
            log.warning(
                "the Prefect server has not answered for %.0f s; restarting it", UNHEALTHY_FOR
            )
            server.stop(grace=3)
        else:
            self.withdraw()
            log.warning("the Prefect server stopped (exit %s); starting it again", server.exit_code)
        self._unhealthy_since = None
        server.restarts += 1
        began = time.monotonic()
        server.start(cancelled=self.stopping.is_set)
        if self.stopping.is_set():
            return
        took = time.monotonic() - began
        log.warning("the Prefect server answers again at %s (%.1f s)", server.ui_url, took)
        self.advertise(server.api_url)
        self.on_server_back()

    def stop(self) -> None:
        """Stop every child within STOP_WITHIN seconds: the runner first, while the server is
        there to record it (its runs, its paused schedules), then the web app and the server."""
        self.withdraw()
        deadline = time.monotonic() + STOP_WITHIN
        self.runner.signal(signal.SIGTERM)
        self.runner.wait(min(deadline - 2.0, time.monotonic() + 5.0))
        for child in (self.web, self.server):
            if child is not None:
                child.signal(signal.SIGTERM)
        for child in self.children():
            if not child.wait(deadline - 0.5):
                log.warning("%s did not stop in time; killing it", child.name)
            child.signal(signal.SIGKILL)  # also whatever it started that is still there
            child.wait(deadline)


def python_child(name: str, code: str, *args: str, env: dict[str, str] | None = None) -> Child:
    """A child running a line of Python with acara importable (the runner, the web app)."""
    return Child(name, [sys.executable, "-c", code, *args], dict(env or os.environ))


RUNNER_CODE = "import sys; from acara.service import run_deployments as r; r(float(sys.argv[1]), int(sys.argv[2]))"  # noqa: E501
WEB_CODE = "import sys; from acara.web import serve_web; serve_web(sys.argv[1], int(sys.argv[2]))"
