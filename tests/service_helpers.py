"""`acara serve` in a subprocess, driven as an officer and an operator would: the e2e service
tests and the service benchmark (bench/service.py) share it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

ACARA = Path(sys.executable).parent / "acara"
STARTUP = 300.0  # seconds for the Prefect server and the runner on a busy machine
TRIGGER = 180.0  # seconds from a CLI command to its last message


@contextmanager
def running_service(folder: Path, smtp_url: str) -> Iterator[Service]:
    """`acara serve` started in `folder` with the example host organisations; killed after."""
    from tests.conftest import EXAMPLES

    service = Service(folder, smtp_url)
    service.start()
    service.acara("organisations", "import", str(EXAMPLES / "organisations.yaml"))
    try:
        yield service
    finally:
        if service.process is not None and service.process.poll() is None:
            service.process.kill()
            service.process.wait()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Service:
    """`acara serve` in a subprocess, and the officer's CLI beside it."""

    def __init__(self, folder: Path, smtp_url: str) -> None:
        self.folder = folder
        self.prefect_port, self.web_port = free_port(), free_port()
        self.api_url = f"http://127.0.0.1:{self.prefect_port}/api"
        self.log = folder / "serve.log"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("ACARA_", "PREFECT_"))}
        self.env.update(
            ACARA_DATA_DIR=str(folder / "data"),
            ACARA_LANGUAGE="en",  # these tests read the English output
            ACARA_SMTP_URL=smtp_url,
            PREFECT_HOME=str(folder / "data" / "prefect"),
            PREFECT_SERVER_ANALYTICS_ENABLED="false",
            COLUMNS="200",
        )
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, *options: str) -> None:
        """Start it (`--poll 2` unless `options` say otherwise); wait until it serves."""
        command = [str(ACARA), "serve", *(options or ("--poll", "2"))]
        command += ["--prefect-port", str(self.prefect_port), "--web-port", str(self.web_port)]
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                command, cwd=self.folder, env=self.env, stdout=out, stderr=subprocess.STDOUT
            )
        self.wait_for_log("Your deployments are being served", STARTUP)

    def wait_for_log(self, text: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.log.read_text(errors="replace"):
            assert self.process is not None and self.process.poll() is None, self.tail()
            assert time.monotonic() < deadline, f"no {text!r} after {timeout} s\n{self.tail()}"
            time.sleep(0.5)

    def tail(self) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-40:])

    def stop(self) -> int:
        """Stop it as a service manager would (SIGTERM); its exit code."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=30)

    def acara(self, *args: str) -> str:
        """Run the CLI as an officer would (no PREFECT_API_URL: it finds the running service)."""
        done = subprocess.run(
            [str(ACARA), *args],
            cwd=self.folder,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, (done.stdout, done.stderr)
        return done.stdout

    def flow_runs(self, flow_name: str) -> list[dict[str, Any]]:
        body = {"flows": {"name": {"any_": [flow_name]}}}
        answer = httpx.post(f"{self.api_url}/flow_runs/filter", json=body, timeout=10)
        answer.raise_for_status()
        return list(answer.json())

    def wait_for_run(
        self, flow_name: str, matching: str, states: set[str], timeout: float = TRIGGER
    ) -> dict[str, Any]:
        """The first run of the flow whose name contains `matching`, once in one of `states`."""
        deadline = time.monotonic() + timeout
        while True:
            for run in self.flow_runs(flow_name):
                if matching in str(run["name"]) and run["state_type"] in states:
                    return run
            assert time.monotonic() < deadline, f"no {flow_name} run in {states}\n{self.tail()}"
            time.sleep(1)

    def run_deployment(self, name: str, parameters: dict[str, Any]) -> str:
        """Start a deployment's run as an officer does in the UI; its id.

        A busy Prefect server on SQLite answers 503 (or late) while its database is locked;
        like Prefect's own client (and an officer clicking again), try again.
        """
        answer = httpx.get(f"{self.api_url}/deployments/name/{name}/{name}", timeout=10)
        for _ in range(10):
            try:
                run = httpx.post(
                    f"{self.api_url}/deployments/{answer.json()['id']}/create_flow_run",
                    json={"parameters": parameters},
                    timeout=90,
                )
            except httpx.TimeoutException:
                continue
            if run.status_code != 503:
                break
            time.sleep(2)
        assert run.status_code == 201, run.text
        return str(run.json()["id"])

    def run_state(self, run_id: str) -> str:
        return str(httpx.get(f"{self.api_url}/flow_runs/{run_id}", timeout=10).json()["state_type"])

    def descendants(self) -> dict[int, str]:
        """Every live process serve started, directly or not: pid -> command line."""
        assert self.process is not None
        return descendants(self.process.pid)

    def pid_of(self, marker: str) -> int:
        """The one process serve started whose command line contains `marker`."""
        (pid,) = [pid for pid, command in self.descendants().items() if marker in command]
        return pid


def descendants(root: int) -> dict[int, str]:
    """Every live process under `root`: pid -> command line."""
    table = processes()
    found: dict[int, str] = {}
    frontier = {root}
    while frontier:
        frontier = {pid for pid, (ppid, _) in table.items() if ppid in frontier}
        found.update({pid: table[pid][1] for pid in frontier})
    return found


def processes() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, command line), from /proc."""
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        ppid = int(stat.rpartition(")")[2].split()[1])
        table[int(entry.name)] = (ppid, command)
    return table


def kill_like_a_dead_machine(service: Service) -> None:
    """kill -9 of the deployment runner and every flow run it started."""
    runner = service.pid_of("run_deployments")
    for pid in [runner, *descendants(runner)]:
        os.kill(pid, signal.SIGKILL)
