"""Running acara as a service: a local Prefect server and the deployments of prefect.yaml.

prefect.yaml stays the single declaration of deployments, schedules and triggers: `prefect
deploy --all` reads it for work pools, and `acara serve` reads it here and serves the same
deployments from one process.
"""

from __future__ import annotations

import importlib
import logging
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml

from acara.bus import server_healthy
from models.errors import AcaraError

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
PREFECT_YAML = ROOT / "prefect.yaml"


class ServiceError(AcaraError):
    """The service cannot start: a port in use, a server that does not come up."""

    exit_code = 5


# --- the local Prefect server -------------------------------------------------------------


@dataclass
class PrefectServer:
    """`prefect server start` as a child process, its state (SQLite) under `home`."""

    home: Path
    host: str = "127.0.0.1"
    port: int = 4200
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def api_url(self) -> str:
        """The API address clients and workers use."""
        return f"http://{self.host}:{self.port}/api"

    @property
    def ui_url(self) -> str:
        """The Prefect UI in a browser."""
        return f"http://{self.host}:{self.port}"

    @property
    def log_path(self) -> Path:
        """Where the server writes its output."""
        return self.home / "server.log"

    def start(self, timeout: float = 180.0) -> None:
        """Start the server and wait until it answers its health check."""
        if server_healthy(self.api_url, timeout=1.0):
            raise ServiceError(
                f"A Prefect server already answers on {self.ui_url}. Stop it, choose another "
                "--prefect-port, or use it by setting PREFECT_API_URL."
            )
        self.home.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "PREFECT_HOME": str(self.home),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_API_URL": self.api_url,
        }
        command = [sys.executable, "-m", "prefect", "server", "start"]
        command += ["--host", self.host, "--port", str(self.port)]
        with self.log_path.open("ab") as output:
            # Its own session: Ctrl-C reaches acara serve, which then stops it in order.
            self.process = subprocess.Popen(
                command, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + timeout
        while not server_healthy(self.api_url, timeout=1.0):
            if self.process.poll() is not None:
                raise ServiceError(
                    f"The Prefect server stopped while starting (exit {self.process.returncode})."
                    f" Its log: {self.log_path}\n{self.log_tail()}"
                )
            if time.monotonic() > deadline:
                self.stop()
                raise ServiceError(
                    f"The Prefect server did not answer within {timeout:.0f} s. "
                    f"Its log: {self.log_path}"
                )
            time.sleep(0.5)

    def log_tail(self, lines: int = 15) -> str:
        """The end of the server's log, for error messages."""
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self, grace: float = 20.0) -> None:
        """Stop the server and everything it started."""
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        except ProcessLookupError:
            pass


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


def build_deployments(path: Path = PREFECT_YAML) -> tuple[list[Any], list[Declared]]:
    """(runner deployments to serve, declared ones whose flow is not written yet)."""
    from prefect.types.entrypoint import EntrypointType

    built, missing = [], []
    for declared in declared_deployments(path):
        flow = load_flow(declared)
        if flow is None:
            missing.append(declared)
            continue
        spec = declared.spec
        built.append(
            flow.to_deployment(
                name=declared.name,
                description=spec.get("description"),
                tags=spec.get("tags"),
                parameters=spec.get("parameters"),
                schedules=[schedule(s) for s in spec.get("schedules") or []],
                triggers=triggers(declared),
                concurrency_limit=spec.get("concurrency_limit"),
                entrypoint_type=EntrypointType.MODULE_PATH,
            )
        )
    return built, missing
