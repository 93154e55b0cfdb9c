"""Benchmark 1: personal invitations to N participants, acara against three baselines."""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.data import build_database, copy_sqlite
from bench.measure import Sample
from bench.sink import SinkInfo

log = logging.getLogger("bench.fanout")
ROOT = Path(__file__).resolve().parent.parent


class BenchError(RuntimeError):
    """A contestant failed or did not deliver what it claimed."""


def run_worker(name: str, args: dict[str, Any], *, timeout: float = 1800) -> Sample:
    """Run one contestant in a fresh interpreter and read back its Sample."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "bench.worker", name, json.dumps(args)],
        cwd=args.get("cwd", ROOT),
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode != 0:
        raise BenchError(f"{name} failed (exit {done.returncode}):\n{done.stderr[-4000:]}")
    data = json.loads(done.stdout.strip().splitlines()[-1])
    return Sample(**data)


def against_sink(sink: SinkInfo, name: str, args: dict[str, Any]) -> Sample:
    """Run a contestant that sends to the sink; check the sink got every message it claims."""
    count, cpu = sink.accepted(), sink.cpu_seconds()
    sample = run_worker(name, args)
    got = sink.accepted() - count
    sample.extra["sink_received"] = got
    # Near 1.0 means the sink, not the sender, set the pace.
    sample.extra["sink_busy"] = round((sink.cpu_seconds() - cpu) / sample.seconds, 2)
    if got != sample.messages:
        raise BenchError(f"{sample.name}: claims {sample.messages} sent, the sink got {got}")
    return sample


@dataclass(slots=True)
class FanoutResult:
    """Every sample for one size."""

    participants: int
    samples: dict[str, Sample] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def acara_available() -> bool:
    """True once the delivery pipeline is importable."""
    return importlib.util.find_spec("acara.messages.delivery") is not None


def flow_available() -> bool:
    """True once the invitations flow is importable."""
    return importlib.util.find_spec("flows.invitations") is not None


def run_size(
    work: Path,
    participants: int,
    sink: SinkInfo,
    *,
    prefect_email_n: int = 0,
) -> FanoutResult:
    """Prepare a database for `participants`, then run every contestant against `sink`."""
    result = FanoutResult(participants)
    folder = work / f"fanout-{participants}"
    folder.mkdir(parents=True, exist_ok=True)
    template = folder / "template.db"
    event = build_database(f"sqlite:///{template}", participants)
    corpus = folder / "corpus.pickle"
    have_acara = acara_available()

    def args(tag: str, **more: Any) -> dict[str, Any]:
        data = folder / tag
        data.mkdir(exist_ok=True)
        return {
            "url": copy_sqlite(template, data / "acara.db"),
            "event_id": event.event_id,
            "data_dir": str(data / "data"),
            "prefect_home": str(data / "prefect"),
            "host": sink.host,
            "port": sink.port,
            "cwd": str(data),
            **more,
        }

    # The corpus: exactly the bytes acara sends, rendered to a maildir (no SMTP involved).
    if have_acara:
        result.samples["maildir"] = run_worker("corpus", args("corpus", corpus=str(corpus)))
    else:
        result.notes.append("acara's delivery path is not there yet: corpus from the plain script")
        run_worker("plain-corpus", args("corpus", corpus=str(corpus)))

    samples = result.samples
    samples["bare"] = against_sink(sink, "bare", args("bare", corpus=str(corpus)))
    if have_acara:
        if flow_available():
            samples["acara"] = against_sink(sink, "acara", args("acara", smtp_url=sink.url))
        else:
            result.notes.append(
                "flows/invitations.py is not there yet: acara measured without Prefect"
            )
            samples["acara"] = against_sink(sink, "acara-direct", args("acara", smtp_url=sink.url))
    samples["plain"] = against_sink(sink, "plain", args("plain"))
    if prefect_email_n:
        more = args("prefect-email", corpus=str(corpus), limit=prefect_email_n)
        samples["prefect-email"] = against_sink(sink, "prefect-email", more)
    return result


def prefect_overhead(work: Path, sink: SinkInfo, *, runs: int = 5) -> Sample:
    """Benchmark 4: one invitation through the flow against the same steps called directly."""
    folder = work / "overhead"
    folder.mkdir(parents=True, exist_ok=True)
    template = folder / "template.db"
    event = build_database(f"sqlite:///{template}", 1)
    urls = [copy_sqlite(template, folder / f"run-{n}.db") for n in range(2 * (runs + 1))]
    args = {
        "urls": urls,
        "event_id": event.event_id,
        "smtp_url": sink.url,
        "data_dir": str(folder / "data"),
        "prefect_home": str(folder / "prefect"),
        "cwd": str(folder),
    }
    return run_worker("overhead", args)
