"""acara as a service: `acara serve` with a real Prefect server, triggers doing the sending.

An officer starts `acara serve` (it starts `prefect server start` on a free port, its state in
the test's folder, and serves prefect.yaml's deployments), then uses the plain CLI in another
"terminal": announcing the Jambi visit makes the invitations arrive on a real SMTP server
without any further command; a reschedule makes the updates arrive; a cancellation the
cancellations. The CLI itself sends nothing: it hands each event to Prefect, whose triggers
start the flows (serve polls, so each step takes some seconds).
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import httpx
import pytest

from tests.conftest import EXAMPLES
from tests.service_helpers import (
    ACARA,
    TRIGGER,
    Service,
    free_port,
    kill_like_a_dead_machine,
    processes,
    running_service,
)
from tests.smtp_server import SmtpSink

pytestmark = pytest.mark.slow  # a Prefect server and three triggers: a minute or two

CODE = "kunker-camat-jambi-2026"
PEOPLE = 34  # participants in the example event


@pytest.fixture(scope="module")
def sink() -> Iterator[SmtpSink]:
    with SmtpSink() as server:
        yield server


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory, sink: SmtpSink) -> Iterator[Service]:
    """One running service for the module (starting a Prefect server takes a while)."""
    with running_service(tmp_path_factory.mktemp("service"), sink.url) as running:
        yield running


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
    offline = _offline(service, "event", "transition", "fgd-halifax-2026", "announce")
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
    service.run_deployment("reminder-sweep", {"now": "2026-12-16T02:05:00+00:00"})  # 09.05 WIB
    arrive(sink, 18)
    reminders = [r.message() for r in sink.messages[9:]]
    subjects = sorted(m["Subject"].split(":")[0] for m in reminders)
    assert subjects == ["Pengingat"] * 7 + ["Reminder"] * 2  # two read English
    assert len({r.rcpt_tos for r in sink.messages[9:]}) == 9
    time.sleep(3)
    assert sink.count == 18


def _offline(service: Service, *args: str) -> str:
    """The CLI while no Prefect server answers: it keeps the event and does the work itself."""
    down = {**service.env, "PREFECT_API_URL": f"http://127.0.0.1:{free_port()}/api"}
    done = subprocess.run(
        [str(ACARA), *args],
        cwd=service.folder,
        env=down,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout


def _artifact_of(service: Service, run_id: str, kind: str) -> str:
    body = {"flow_runs": {"id": {"any_": [run_id]}}, "artifacts": {"type": {"any_": [kind]}}}
    answer = httpx.post(f"{service.api_url}/artifacts/filter", json=body, timeout=10)
    answer.raise_for_status()
    (artifact,) = answer.json()
    return str(artifact["data"])


def _copy_of_the_fgd(service: Service, code: str, day: str) -> Path:
    text = (EXAMPLES / "fgd-halifax.yaml").read_text().replace("2026-12-10", day)
    path = service.folder / f"{code}.yaml"
    path.write_text(text.replace("code: fgd-halifax-2026", f"code: {code}"))
    return path


def test_an_announcement_that_reaches_prefect_after_the_cancellation_ends_its_run_completed(
    service: Service, sink: SmtpSink
) -> None:
    service.acara("event", "import", str(_copy_of_the_fgd(service, "fgd-batal", "2026-12-24")))
    sink.reset()
    _offline(service, "event", "transition", "fgd-batal", "announce")
    _offline(service, "event", "cancel", "fgd-batal", "--reason", "Narasumber berhalangan", "--yes")
    assert sink.count == 18  # the CLI sent the invitations and the cancellations itself

    # Both facts reach Prefect late, in order; the announcement is stale by then.
    assert "Domain events re-sent to Prefect: 2" in service.acara("remind", "--now", "--yes")
    ended = {"COMPLETED", "FAILED", "CRASHED"}
    run = service.wait_for_run("send-invitations", "fgd-batal", ended)
    assert run["state_type"] == "COMPLETED", run["state"]
    summary = _artifact_of(service, str(run["id"]), "markdown")
    assert "Nothing to do: fgd-batal is cancelled" in summary
    assert service.wait_for_run("cancel-event", "fgd-batal", ended)["state_type"] == "COMPLETED"
    time.sleep(3)
    assert sink.count == 18


def _unsent(service: Service, code: str) -> tuple[int, int]:
    """(messages of the event, of which not sent), read from the service's database."""
    with sqlite3.connect(service.folder / "data" / "acara.db") as db:
        rows = db.execute(
            "SELECT m.status FROM message m JOIN event e ON e.id = m.event_id WHERE e.code = ?",
            (code,),
        ).fetchall()
    return len(rows), sum(status != "sent" for (status,) in rows)


def test_a_send_whose_machine_dies_is_crashed_and_the_next_sweep_sends_the_rest(
    service: Service, sink: SmtpSink
) -> None:
    service.acara("event", "import", str(EXAMPLES / "fkp-volume-3.yaml"))
    sink.reset()
    sink.delay = 0.3  # a slow mail server: the send is still going when the machine dies
    service.acara("event", "transition", "fkp-vol-3-2027", "announce")
    assert sink.wait_for(10, timeout=TRIGGER), service.tail()

    # kill -9 of the runner and of the flow run it started, as when their machine dies.
    kill_like_a_dead_machine(service)
    killed = time.monotonic()
    at_kill = sink.count
    sink.delay = 0.0
    total, unsent = _unsent(service, "fkp-vol-3-2027")
    assert unsent > 0, "the kill came too late to leave anything unsent"

    run = service.wait_for_run("send-invitations", "fkp-vol-3-2027", {"CRASHED"}, timeout=240)
    crashed_after = time.monotonic() - killed
    assert crashed_after < 180, crashed_after

    # The next sweep (run here at once instead of waiting for the quarter hour; a scheduled
    # one may have come first: then this one finds nothing left).
    sweep = service.run_deployment("reminder-sweep", {})
    deadline = time.monotonic() + TRIGGER
    while service.run_state(sweep) != "COMPLETED":
        assert service.run_state(sweep) not in {"FAILED", "CRASHED"}, service.tail()
        assert time.monotonic() < deadline, service.tail()
        time.sleep(1)
    assert _unsent(service, "fkp-vol-3-2027") == (total, 0)
    recipients = Counter(address for r in sink.messages for address in r.rcpt_tos)
    assert len(recipients) == total  # nobody lost
    duplicates = sink.count - total
    assert duplicates <= 4  # at most the messages on the wire at the kill (4 connections)
    print(
        f"CRASHED {crashed_after:.0f} s after the kill ({at_kill} of {total} sent by then); "
        f"{duplicates} duplicate(s); run {run['name']}"
    )


def test_a_killed_prefect_server_answers_again_within_30_s_and_serves_the_next_event(
    service: Service, sink: SmtpSink
) -> None:
    serve_json = service.folder / "data" / "prefect" / "serve.json"
    os.kill(service.pid_of("prefect server start"), signal.SIGKILL)
    killed = time.monotonic()
    while serve_json.exists():  # it never names a dead server for long
        assert time.monotonic() - killed < 5, "serve.json still names the dead server"
        time.sleep(0.1)
    while True:
        try:
            if httpx.get(f"{service.api_url}/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        assert time.monotonic() - killed < 30, service.tail()
        time.sleep(0.2)
    back = time.monotonic() - killed
    service.wait_for_log("the Prefect server answers again", 10)
    assert json.loads(serve_json.read_text())["api_url"] == service.api_url

    service.acara("event", "import", str(_copy_of_the_fgd(service, "fgd-pulih", "2026-12-31")))
    sink.reset()
    announced = service.acara("event", "transition", "fgd-pulih", "announce")
    assert "Sent to the service (Prefect)" in announced
    arrive(sink, 9)
    print(f"the Prefect server answered again {back:.1f} s after kill -9")


def test_a_second_serve_on_the_same_data_folder_refuses_clearly(service: Service) -> None:
    done = subprocess.run(
        [str(ACARA), "serve", "--prefect-port", str(free_port()), "--web-port", str(free_port())],
        cwd=service.folder,
        env=service.env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 5
    assert "acara serve is already running for this data folder" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_sigterm_stops_the_service_within_10_s_with_exit_0_and_nothing_left(
    service: Service,
) -> None:
    started = service.descendants()
    assert started
    began = time.monotonic()
    assert service.stop() == 0
    assert time.monotonic() - began < 10
    stopping = service.log.read_text().partition("Stopping …")[2]
    assert "acara serve stopped." in stopping and "Traceback" not in stopping
    for url in (f"{service.api_url}/health", f"http://127.0.0.1:{service.web_port}/login"):
        with pytest.raises(httpx.HTTPError):
            httpx.get(url, timeout=2)
    # Every process it started is gone (same pid and command line: pids get reused; a
    # zombie has no command line any more).
    left = {pid for pid, command in started.items() if processes().get(pid, (0, ""))[1] == command}
    assert not left, left
    assert not (service.folder / "data" / "prefect" / "serve.json").exists()
