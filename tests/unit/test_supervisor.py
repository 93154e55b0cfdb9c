"""acara serve's supervisor on plain processes: restarts what dies, stops all within 10 s."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from pathlib import Path

import pytest

from acara.service import STOP_WITHIN, Child, ServiceError, Supervisor, single_instance

SLEEPER = "import time; time.sleep(300)"
STUBBORN = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(300)"


def child(name: str, code: str = SLEEPER) -> Child:
    return Child(name, [sys.executable, "-c", code])


def test_a_child_that_dies_is_started_again() -> None:
    runner, web = child("the runner"), child("the web app")
    supervisor = Supervisor(runner, web=web)
    runner.spawn(), web.spawn()
    try:
        assert runner.process is not None
        first = runner.process.pid
        runner.started_at -= 10  # it has been running a while
        os.kill(first, signal.SIGKILL)
        runner.process.wait()
        supervisor.check()
        assert runner.alive() and runner.process.pid != first and runner.restarts == 1
        assert web.restarts == 0
    finally:
        supervisor.stop()
    assert not runner.alive() and not web.alive()


def test_stop_ends_even_a_child_that_ignores_sigterm_in_time() -> None:
    runner, web = child("the runner", STUBBORN), child("the web app", STUBBORN)
    supervisor = Supervisor(runner, web=web)
    runner.spawn(), web.spawn()
    time.sleep(0.5)  # let them install their handlers
    began = time.monotonic()
    supervisor.stop()
    assert time.monotonic() - began <= STOP_WITHIN + 0.5
    assert not runner.alive() and not web.alive()


def test_a_stop_request_from_a_signal_handler_ends_the_watch() -> None:
    runner = child("the runner")
    withdrawn: list[bool] = []
    supervisor = Supervisor(runner, withdraw=lambda: withdrawn.append(True), check_every=0.1)
    runner.spawn()
    watch = threading.Thread(target=supervisor.run)
    watch.start()
    supervisor.request_stop()
    watch.join(timeout=STOP_WITHIN + 1)
    assert not watch.is_alive() and not runner.alive() and withdrawn


def test_a_second_serve_on_the_same_data_folder_is_refused(tmp_path: Path) -> None:
    refused = pytest.raises(ServiceError, match="already running for this data folder")
    with single_instance(tmp_path / "prefect"), refused, single_instance(tmp_path / "prefect"):
        pass
    with single_instance(tmp_path / "prefect"):  # released with its holder
        pass


def test_stop_also_ends_what_a_dead_child_had_started() -> None:
    # The runner starts a grandchild in its own process group, then dies (kill -9).
    code = "import subprocess, sys, time; subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(300)']); time.sleep(300)"  # noqa: E501
    runner = child("the runner", code)
    supervisor = Supervisor(runner)
    runner.spawn()
    time.sleep(1.0)
    assert runner.process is not None
    first = runner.process.pid
    os.kill(first, signal.SIGKILL)
    runner.process.wait()
    runner.started_at -= 10
    supervisor.check()  # started again; the grandchild of the dead one is left to finish
    assert runner.alive() and runner.former == [first]
    assert living_in_group(first)  # the grandchild still runs
    supervisor.stop()
    deadline = time.monotonic() + 5
    while living_in_group(first):  # nothing of the dead incarnation is left either
        assert time.monotonic() < deadline
        time.sleep(0.1)


def living_in_group(group: int) -> list[int]:
    """Processes of a process group that are not zombies (a container may never reap them)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rpartition(")")[2].split()
            except OSError:
                continue
            if int(fields[2]) == group and fields[0] != "Z":
                found.append(int(entry.name))
    return found
