"""`make demo-service`: the engine at work, as an operator leaves it running.

Starts `acara serve` (a Prefect server, prefect.yaml's deployments, the web app) on the demo's
data, announces the Jambi visit with the plain CLI, waits for the run its trigger starts,
prints the run's state, its artifacts and the Prefect UI's address, then stops the service
as a service manager would (SIGTERM). Mail goes to the maildir (data/demo-service/outbox).
Set DEMO_KEEP_RUNNING=1 to leave the service running for a look at the UI (Ctrl-C stops it).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
ACARA = Path(sys.executable).parent / "acara"
DATA = ROOT / "data" / "demo-service"
CODE = "kunker-camat-jambi-2026"


def port(wanted: int) -> int:
    """The wanted port when it is free, else any free one."""
    for candidate in (wanted, 0):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", candidate))
            except OSError:
                continue
            return int(sock.getsockname()[1])
    raise SystemExit("no free port")


def acara(*args: str) -> str:
    done = subprocess.run([str(ACARA), *args], cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"acara {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def say(text: str) -> None:
    print(f"\n== {text}", flush=True)


def wait_for(log: Path, text: str, process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while text not in log.read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"acara serve did not get ready; its log:\n{log.read_text()[-3000:]}")
        time.sleep(0.5)


def finished_run(api: str, flow: str, timeout: float = 180) -> dict[str, object]:
    body = {"flows": {"name": {"any_": [flow]}}}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = httpx.post(f"{api}/flow_runs/filter", json=body, timeout=10).json()
        done = [r for r in runs if r["state_type"] in ("COMPLETED", "FAILED", "CRASHED")]
        if done:
            return dict(done[0])
        time.sleep(0.5)
    raise SystemExit(f"no {flow} run finished within {timeout:.0f} s")


def artifacts(api: str, run_id: object) -> dict[str, object]:
    body = {"flow_runs": {"id": {"any_": [str(run_id)]}}}
    found = httpx.post(f"{api}/artifacts/filter", json=body, timeout=10).json()
    return {a["type"]: a["data"] for a in found}


def main() -> int:
    shutil.rmtree(DATA, ignore_errors=True)
    os.environ.update(
        ACARA_DATA_DIR=str(DATA),
        PREFECT_HOME=str(DATA / "prefect"),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
    )
    os.environ.pop("PREFECT_API_URL", None)
    os.environ.pop("ACARA_SMTP_URL", None)  # the demo's mail goes to the maildir
    say("The demo's data: the visit of 30 camat from Jambi")
    acara("db", "upgrade")
    # The visit moved to next week, as `make demo` does: invitations go out only before it ends.
    files = DATA / "files"
    names = ["kunjungan-camat-jambi.yaml", "camat_jambi.csv"]
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "demo_dates.py"), "examples", str(files), *names],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    print(acara("event", "import", str(files / names[0])).strip())

    prefect_port, web_port = port(4200), port(8000)
    api, ui = f"http://127.0.0.1:{prefect_port}/api", f"http://127.0.0.1:{prefect_port}"
    log = DATA / "serve.log"
    say(f"acara serve (its output: {log.relative_to(ROOT)})")
    command = [str(ACARA), "serve", "--poll", "1"]
    command += ["--prefect-port", str(prefect_port), "--web-port", str(web_port)]
    with log.open("wb") as output:
        serve = subprocess.Popen(command, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT)
    run: dict[str, object] = {}
    try:
        began = time.monotonic()
        wait_for(log, "Your deployments are being served", serve, timeout=300)
        print(f"Serving after {time.monotonic() - began:.0f} s. Prefect UI: {ui}")
        print(f"Web app: http://127.0.0.1:{web_port}/login")

        say("An officer announces the visit (the plain CLI; the service does the rest)")
        announced = time.monotonic()
        print(acara("event", "transition", CODE, "announce").strip())
        run = finished_run(api, "send-invitations")
        took = time.monotonic() - announced
        say(f"The run its trigger started, {took:.0f} s after the command")
        print(f"{run['name']}: {run['state_type']}")
        print(f"{ui}/runs/flow-run/{run['id']}")
        found = artifacts(api, run["id"])
        say("Its artifact")
        print(str(found.get("markdown", "(none)")))
        for row in json.loads(str(found.get("table", "[]"))):
            print("  " + ", ".join(f"{k}: {v}" for k, v in row.items()))
        mail = sorted((DATA / "outbox" / "new").glob("*.eml"))
        print(f"\n{len(mail)} invitations in {(DATA / 'outbox' / 'new').relative_to(ROOT)}")
        if os.environ.get("DEMO_KEEP_RUNNING"):
            say(f"Still running: open {ui}; Ctrl-C stops it")
            serve.wait()
    except KeyboardInterrupt:
        pass
    finally:
        say("Stopping the service (SIGTERM)")
        stopping = time.monotonic()
        if serve.poll() is None:
            serve.send_signal(signal.SIGTERM)
        code = serve.wait(timeout=30)
        print(f"acara serve exited with {code} after {time.monotonic() - stopping:.1f} s")
    return 0 if code == 0 and run.get("state_type") == "COMPLETED" else 1


if __name__ == "__main__":
    sys.exit(main())
