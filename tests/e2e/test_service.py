"""acara as a service: `acara serve` with a real Prefect server, triggers doing the sending.

An officer starts `acara serve` (it starts `prefect server start` on a free port, its state in
the test's folder, and serves prefect.yaml's deployments), then uses the plain CLI in another
"terminal": announcing the Jambi visit makes the invitations arrive on a real SMTP server
without any further command; a reschedule makes the updates arrive; a cancellation the
cancellations. The CLI itself sends nothing: it hands each event to Prefect, whose triggers
start the flows (serve polls, so each step takes some seconds).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import httpx
import pytest

from tests.conftest import EXAMPLES
from tests.smtp_server import SmtpSink

pytestmark = pytest.mark.slow  # a Prefect server and three triggers: a minute or two

ACARA = Path(sys.executable).parent / "acara"
CODE = "kunker-camat-jambi-2026"
PEOPLE = 34  # participants in the example event
STARTUP = 300.0  # seconds for the Prefect server and the runner on a busy machine
TRIGGER = 180.0  # seconds from a CLI command to its last message


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

    def start(self) -> None:
        command = [str(ACARA), "serve", "--poll", "2"]
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
        return self.process.wait(timeout=90)

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

    def flow_runs(self, flow_name: str) -> list[dict[str, object]]:
        body = {"flows": {"name": {"any_": [flow_name]}}}
        answer = httpx.post(f"{self.api_url}/flow_runs/filter", json=body, timeout=10)
        answer.raise_for_status()
        return list(answer.json())


@pytest.fixture(scope="module")
def sink() -> Iterator[SmtpSink]:
    with SmtpSink() as server:
        yield server


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory, sink: SmtpSink) -> Iterator[Service]:
    """One running service for the module (starting a Prefect server takes a while)."""
    running = Service(tmp_path_factory.mktemp("service"), sink.url)
    running.start()
    try:
        yield running
    finally:
        if running.process is not None and running.process.poll() is None:
            running.process.kill()
            running.process.wait()


def arrive(sink: SmtpSink, total: int) -> float:
    """Wait until `total` messages have arrived; seconds waited."""
    began = time.monotonic()
    assert sink.wait_for(total, timeout=TRIGGER), f"{sink.count} of {total} arrived"
    return time.monotonic() - began


def calendars(sink: SmtpSink, first: int) -> list[str]:
    """The text/calendar part of each message from the `first`-th on."""
    parts = []
    for received in sink.messages[first:]:
        message: EmailMessage = received.message()
        calendar = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
        parts.append(calendar.get_content())
    return parts


def test_the_service_sends_invitations_updates_and_cancellations_by_itself(
    service: Service, sink: SmtpSink
) -> None:
    sink.reset()
    assert httpx.get(f"{service.api_url}/health", timeout=5).status_code == 200
    assert httpx.get(f"http://127.0.0.1:{service.web_port}/login", timeout=5).status_code == 200
    service.acara("event", "import", str(EXAMPLES / "kunjungan-camat-jambi.yaml"))
    latency: dict[str, float] = {}

    announced = service.acara("event", "transition", CODE, "announce")
    assert "Sent to the service (Prefect)" in announced and "Delivery" not in announced
    latency["announce"] = arrive(sink, PEOPLE)
    invitations = calendars(sink, 0)
    assert all("METHOD:REQUEST" in c and "SEQUENCE:0" in c for c in invitations)
    assert len({r.rcpt_tos for r in sink.messages}) == PEOPLE  # each person once
    (run,) = service.flow_runs("send-invitations")
    assert CODE in str(run["name"])  # the run list says which event

    moved = service.acara("event", "reschedule", CODE, "--start", "2026-12-15 08:30", "--yes")
    assert "Sent to the service (Prefect)" in moved
    latency["reschedule"] = arrive(sink, 2 * PEOPLE)
    assert all("METHOD:REQUEST" in c and "SEQUENCE:1" in c for c in calendars(sink, PEOPLE))

    service.acara("event", "cancel", CODE, "--reason", "Agenda pimpinan berubah", "--yes")
    latency["cancel"] = arrive(sink, 3 * PEOPLE)
    cancellations = calendars(sink, 2 * PEOPLE)
    assert all("METHOD:CANCEL" in c and "STATUS:CANCELLED" in c for c in cancellations)

    time.sleep(3)  # a duplicate would arrive now
    assert sink.count == 3 * PEOPLE
    print("trigger latency (s):", {k: round(v, 1) for k, v in latency.items()})


def test_events_stored_while_the_server_was_down_are_sent_later_and_change_nothing(
    service: Service, sink: SmtpSink
) -> None:
    sink.reset()
    service.acara("event", "import", str(EXAMPLES / "fgd-halifax.yaml"))
    # Prefect unreachable: the CLI keeps the event and sends the invitations itself.
    down = {**service.env, "PREFECT_API_URL": f"http://127.0.0.1:{free_port()}/api"}
    offline = subprocess.run(
        [str(ACARA), "event", "transition", "fgd-halifax-2026", "announce"],
        cwd=service.folder,
        env=down,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    assert "does not answer" in offline and "Sent now" in offline
    invited = sink.count
    assert invited == 9
    assert not [r for r in service.flow_runs("send-invitations") if "fgd" in str(r["name"])]

    # The next sweep re-emits it; the trigger runs send-invitations, which owes nothing new.
    swept = service.acara("remind", "--now", "--yes")
    assert "Domain events re-sent to Prefect: 1" in swept
    deadline = time.monotonic() + TRIGGER
    while not [
        r
        for r in service.flow_runs("send-invitations")
        if "fgd-halifax" in str(r["name"]) and r["state_type"] == "COMPLETED"
    ]:
        assert time.monotonic() < deadline, service.tail()
        time.sleep(1)
    time.sleep(3)
    assert sink.count == invited  # the duplicate event was harmless


def test_the_reminder_deployment_run_from_the_prefect_ui_reminds_each_invitee_once(
    service: Service, sink: SmtpSink
) -> None:
    # The FGD again, a week later under its own code: announced, its invitations out.
    text = (EXAMPLES / "fgd-halifax.yaml").read_text().replace("2026-12-10", "2026-12-17")
    event_file = service.folder / "fgd-minggu-depan.yaml"
    event_file.write_text(text.replace("code: fgd-halifax-2026", "code: fgd-minggu-depan"))
    service.acara("event", "import", str(event_file))
    sink.reset()
    service.acara("event", "transition", "fgd-minggu-depan", "announce")
    arrive(sink, 9)

    # What an officer does in the UI: run the reminder-sweep deployment with a time (H-1).
    answer = httpx.get(f"{service.api_url}/deployments/name/reminder-sweep/reminder-sweep")
    run = httpx.post(
        f"{service.api_url}/deployments/{answer.json()['id']}/create_flow_run",
        json={"parameters": {"now": "2026-12-16T02:05:00+00:00"}},  # 09.05 WIB, the day before
        timeout=10,
    )
    assert run.status_code == 201, run.text
    arrive(sink, 18)
    reminders = [r.message() for r in sink.messages[9:]]
    subjects = sorted(m["Subject"].split(":")[0] for m in reminders)
    assert subjects == ["Pengingat"] * 7 + ["Reminder"] * 2  # two read English
    assert len({r.rcpt_tos for r in sink.messages[9:]}) == 9
    time.sleep(3)
    assert sink.count == 18


def test_stopping_the_service_stops_the_prefect_server_and_the_web_app(service: Service) -> None:
    assert service.stop() == 0
    assert "acara serve stopped." in service.log.read_text()
    for url in (f"{service.api_url}/health", f"http://127.0.0.1:{service.web_port}/login"):
        with pytest.raises(httpx.HTTPError):
            httpx.get(url, timeout=2)
