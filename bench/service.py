"""The service as an operator meets it: `acara serve` with a real Prefect server, timed.

1. Trigger latency: from the start of `acara event transition CODE announce` to the first and
   to the last of the Jambi visit's 34 invitations on the SMTP server (through the trigger,
   the runner and the send-invitations flow); the median of 5 events.
2. Time until a dead run is CRASHED: kill -9 of the runner and its flow run in the middle of
   a send (the machine dies), until Prefect's automation marks the run CRASHED.
3. Time from a killed Prefect server to the next event served: kill -9 of the server under
   `acara serve`, until it answers again, and until the first invitation of an event
   announced as soon as the CLI finds the server again.

`python -m bench --only service` runs it alone (about 5 minutes).
"""

from __future__ import annotations

import logging
import os
import signal
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.fanout import ROOT
from tests.service_helpers import Service, kill_like_a_dead_machine
from tests.smtp_server import SmtpSink

log = logging.getLogger("bench")
EXAMPLES = ROOT / "examples"
PEOPLE = 34  # the Jambi visit's participants
TIMEOUT = 240.0


@dataclass(slots=True)
class ServiceFigures:
    """The three figures (seconds)."""

    first: list[float] = field(default_factory=list)  # command start -> first e-mail
    last: list[float] = field(default_factory=list)  # command start -> last e-mail
    command: list[float] = field(default_factory=list)  # the CLI command itself
    crashed_after: float | None = None
    server_back: float | None = None  # kill -9 -> health check answers
    next_event_served: float | None = None  # kill -9 -> first invitation of the next event

    @property
    def median_first(self) -> float:
        return statistics.median(self.first)

    @property
    def median_last(self) -> float:
        return statistics.median(self.last)


def _copy(folder: Path, example: str, code: str, old_day: str, new_day: str) -> Path:
    """An example event under another code and day (rooms are never double-booked)."""
    text = (EXAMPLES / example).read_text().replace(old_day, new_day)
    old_code = next(line for line in text.splitlines() if line.startswith("code:"))
    path = folder / f"{code}.yaml"
    text = text.replace("participants_file: ", f"participants_file: {EXAMPLES}/")
    path.write_text(text.replace(old_code, f"code: {code}"))
    return path


def _wait(condition: Callable[[], bool], timeout: float = TIMEOUT) -> float:
    """Seconds until `condition()` holds (polled every 10 ms)."""
    began = time.monotonic()
    while not condition():
        if time.monotonic() - began > timeout:
            raise TimeoutError(f"not within {timeout} s")
        time.sleep(0.01)
    return time.monotonic() - began


def _answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=0.5).status_code == 200
    except httpx.HTTPError:
        return False


def measure(work: Path, trials: int = 5, poll: float = 1.0) -> ServiceFigures:
    """Start `acara serve` in `work`, take the three figures, stop it."""
    figures = ServiceFigures()
    folder = work / "service"
    folder.mkdir(parents=True, exist_ok=True)
    with SmtpSink(discard=True) as sink:
        service = Service(folder, sink.url)
        log.info("service: starting acara serve (--poll %s)", poll)
        service.start("--poll", str(poll), "--no-web")
        try:
            _latency(service, sink, figures, trials)
            _crash(service, sink, figures)
            _server_killed(service, sink, figures)
        finally:
            if service.process is not None and service.process.poll() is None:
                service.process.send_signal(signal.SIGTERM)
                service.process.wait(timeout=30)
    return figures


def _latency(service: Service, sink: SmtpSink, figures: ServiceFigures, trials: int) -> None:
    for n in range(trials):
        code = f"jambi-bench-{n}"
        day = f"2027-02-{10 + n:02d}"
        path = _copy(service.folder, "kunjungan-camat-jambi.yaml", code, "2026-12-08", day)
        service.acara("event", "import", str(path))
        sink.reset()
        began = time.monotonic()
        service.acara("event", "transition", code, "announce")
        figures.command.append(time.monotonic() - began)
        _wait(lambda: sink.count >= 1)
        figures.first.append(time.monotonic() - began)
        _wait(lambda: sink.count >= PEOPLE)
        figures.last.append(time.monotonic() - began)
        log.info("service: %s first %.1f s, last %.1f s", code, figures.first[-1], figures.last[-1])


def _crash(service: Service, sink: SmtpSink, figures: ServiceFigures) -> None:
    service.acara("event", "import", str(EXAMPLES / "fkp-volume-3.yaml"))
    sink.reset()
    sink.delay = 0.3
    service.acara("event", "transition", "fkp-vol-3-2027", "announce")
    _wait(lambda: sink.count >= 10)
    kill_like_a_dead_machine(service)
    sink.delay = 0.0

    def crashed() -> bool:
        runs = service.flow_runs("send-invitations")
        return any("fkp-vol-3" in r["name"] and r["state_type"] == "CRASHED" for r in runs)

    began = time.monotonic()
    _wait(lambda: _every(1.0, crashed))
    figures.crashed_after = time.monotonic() - began
    log.info("service: CRASHED %.0f s after kill -9", figures.crashed_after)


def _every(seconds: float, check: Callable[[], bool]) -> bool:
    time.sleep(seconds)
    return check()


def _server_killed(service: Service, sink: SmtpSink, figures: ServiceFigures) -> None:
    path = _copy(service.folder, "fgd-halifax.yaml", "fgd-bench", "2026-12-10", "2027-03-03")
    service.acara("event", "import", str(path))
    serve_json = service.folder / "data" / "prefect" / "serve.json"
    os.kill(service.pid_of("prefect server start"), signal.SIGKILL)
    began = time.monotonic()
    _wait(lambda: not serve_json.exists(), timeout=10)
    _wait(lambda: _answers(service.api_url))
    figures.server_back = time.monotonic() - began
    _wait(serve_json.exists, timeout=10)
    sink.reset()
    service.acara("event", "transition", "fgd-bench", "announce")
    _wait(lambda: sink.count >= 1)
    figures.next_event_served = time.monotonic() - began
    log.info(
        "service: server back %.1f s, next event served %.1f s after kill -9",
        figures.server_back,
        figures.next_event_served,
    )


__all__ = ["ServiceFigures", "measure"]
