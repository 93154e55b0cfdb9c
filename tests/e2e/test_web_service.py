"""The invitations page with `acara serve` running: the send is the service's Prefect flow.

An officer logs in to the web app `acara serve` runs, confirms the plan of the Jambi visit and
watches the progress page: the announcement reaches Prefect and the send-invitations trigger
sends. Later one more camat is added; the event is announced already, so no trigger fires:
the page starts a run of the same deployment, and only the newcomer gets a letter.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import EXAMPLES
from tests.service_helpers import ACARA, TRIGGER, Service, running_service
from tests.smtp_server import SmtpSink
from tests.web_helpers import PASSWORD, csrf_token

pytestmark = pytest.mark.slow  # a Prefect server and two flow runs: a minute or two

CODE = "kunker-camat-jambi-2026"
PEOPLE = 34
NEWCOMER = "camat.pemayung@jambiprov.go.id"


@pytest.fixture(scope="module")
def sink() -> Iterator[SmtpSink]:
    with SmtpSink() as server:
        yield server


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory, sink: SmtpSink) -> Iterator[Service]:
    """The service, with the Jambi visit imported and the officer Rina's account."""
    with running_service(tmp_path_factory.mktemp("web-service"), sink.url) as running:
        running.acara("event", "import", str(EXAMPLES / "kunjungan-camat-jambi.yaml"))
        subprocess.run(
            [str(ACARA), "officer", "add", "Rina", "--password-stdin"],
            input=PASSWORD,
            text=True,
            cwd=running.folder,
            env=running.env,
            check=True,
            capture_output=True,
        )
        yield running


def logged_in(service: Service) -> httpx.Client:
    client = httpx.Client(base_url=f"http://127.0.0.1:{service.web_port}", timeout=60)
    page = client.post("/login", data={"name": "Rina", "password": PASSWORD}, follow_redirects=True)
    assert page.status_code == 200, page.text
    client.headers["X-CSRF-Token"] = csrf_token(page.text)
    return client


def send(client: httpx.Client, expected: int) -> str:
    """Confirm the plan of `expected` messages; the progress page's address."""
    plan = client.get(f"/events/{CODE}/invitations")
    assert expected == 0 or f"data-count>{expected}<" in plan.text, plan.text
    assert 'id="send-button"' in plan.text
    sent = client.post(
        f"/events/{CODE}/invitations/send", data={"expected": str(expected), "confirm": "true"}
    )
    assert sent.status_code == 303, sent.text
    return sent.headers["location"]


def finished(client: httpx.Client, progress: str, sent: int) -> str:
    deadline = time.monotonic() + TRIGGER
    while True:
        page = client.get(progress).text
        if 'id="finished"' in page:
            assert f'data-status="sent">{sent}<' in page
            assert 'http-equiv="refresh"' not in page
            return page
        assert 'http-equiv="refresh"' in page  # the page keeps reloading while it waits
        assert time.monotonic() < deadline, page
        time.sleep(1)


def test_the_web_send_runs_as_the_services_flow_and_the_page_follows_it(
    service: Service, sink: SmtpSink, tmp_path: Path
) -> None:
    client = logged_in(service)
    progress = send(client, PEOPLE)
    assert progress.endswith("?by=service")
    page = finished(client, progress, PEOPLE)
    assert "Layanan acara yang mengirimkannya" in page
    assert sink.wait_for(PEOPLE, timeout=10) and sink.count == PEOPLE
    (run,) = service.flow_runs("send-invitations")
    assert CODE in str(run["name"])

    # One more camat, whose mail server says "try later": the import leaves the letter waiting.
    sink.refuse(NEWCOMER, 451)
    newcomer = tmp_path / "tambahan.csv"
    newcomer.write_text(
        "nama,jabatan,instansi,email,kelompok\n"
        f"Drs. Yusuf Effendi,Camat Pemayung,Pemerintah Provinsi Jambi,{NEWCOMER},"
        "Kelompok 2 - Setu\n"
    )
    service.acara("participants", "import", CODE, str(newcomer), "--yes")
    deadline = time.monotonic() + TRIGGER
    while 'data-status="failed_retryable">1<' not in client.get(f"/events/{CODE}/invitations").text:
        assert time.monotonic() < deadline
        time.sleep(1)
    # Nothing new is owed and no trigger fires: sending again starts the deployment's run.
    sink.accept(NEWCOMER)
    progress = send(client, 0)
    assert progress.endswith("?by=service")
    finished(client, progress, PEOPLE + 1)
    assert sink.wait_for(PEOPLE + 1, timeout=10)
    assert [r.rcpt_tos for r in sink.messages[PEOPLE:]] == [(NEWCOMER,)]
    runs = service.flow_runs("send-invitations")
    assert len(runs) == 2 and all(CODE in str(r["name"]) for r in runs)
