"""Runs one contestant in a fresh interpreter and prints its Sample as one JSON line.

`python -m bench.worker NAME '{"arg": ...}'`: the parent (bench.fanout) starts one process per
measurement so no contestant inherits another's warm caches, imports or memory.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

from bench.measure import Sample, clocked


def _prefect_env(home: str) -> None:
    os.environ["PREFECT_HOME"] = home
    os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    os.environ["PREFECT_LOGGING_LEVEL"] = "WARNING"
    # The ephemeral server takes ~10 s to start on an idle 2-core machine; allow for load.
    os.environ["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] = "180"
    os.environ.pop("PREFECT_API_URL", None)  # ephemeral mode: a private server per process


def _acara_env(args: dict[str, Any]) -> None:
    os.environ["ACARA_DATABASE_URL"] = args["url"]
    os.environ["ACARA_DATA_DIR"] = args["data_dir"]
    Path(args["data_dir"]).mkdir(parents=True, exist_ok=True)
    if args.get("smtp_url"):
        os.environ["ACARA_SMTP_URL"] = args["smtp_url"]
    else:
        os.environ.pop("ACARA_SMTP_URL", None)
    if args.get("workers"):
        os.environ["ACARA_SMTP_WORKERS"] = str(args["workers"])


def _warm_up_prefect() -> None:
    """Start the ephemeral server and run one flow, so start-up is not in the timing."""
    from prefect import flow

    @flow(name="bench-warm-up")
    def warm_up() -> int:
        return 1

    warm_up()


def _sent_rows(url: str, event_id: int) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        count = conn.execute(
            text("SELECT count(*) FROM message WHERE event_id = :e AND status = 'sent'"),
            {"e": event_id},
        ).scalar_one()
    engine.dispose()
    return int(count)


def acara_flow(args: dict[str, Any]) -> Sample:
    """acara's real path: the send_invitations flow (enqueue, compose, send, mark)."""
    _prefect_env(args["prefect_home"])
    _acara_env(args)
    from flows.invitations import send_invitations

    _warm_up_prefect()
    sample = Sample("acara")
    with clocked(sample):
        send_invitations(args["event_id"])
    sample.messages = _sent_rows(args["url"], args["event_id"])
    return sample


def acara_direct(args: dict[str, Any]) -> Sample:
    """The same work without Prefect: the invitation stage owes the invitations, then sends."""
    _acara_env(args)
    from acara.stages import invitations

    sample = Sample(args.get("label", "acara (no Prefect)"))
    with clocked(sample):
        invitations.send_invitations(args["event_id"])
    sample.messages = _sent_rows(args["url"], args["event_id"])
    return sample


def corpus(args: dict[str, Any]) -> Sample:
    """acara to a maildir (no SMTP): gives the exact bytes the baselines send."""
    import tracemalloc

    from bench import corpus as store

    args = {**args, "smtp_url": None}
    import acara.messages.composers.registry
    import acara.messages.delivery
    import flows.invitations  # noqa: F401

    acara.messages.composers.registry.composer_for("invitation")  # imports every composer
    # Python's own allocations during the run (imports done): what grows with N, if anything.
    tracemalloc.start()
    sample = acara_direct({**args, "label": "acara to maildir"})
    sample.extra["py_heap_peak_mib"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
    tracemalloc.stop()
    maildir = Path(args["data_dir"]) / "outbox"
    built = store.read_maildir(maildir)
    store.save(Path(args["corpus"]), built)
    sample.bytes_sent = sum(len(b.data) for b in built)
    sample.extra["corpus"] = len(built)
    return sample


def plain_corpus(args: dict[str, Any]) -> Sample:
    """Fallback corpus from the plain script, while acara's delivery path is not there."""
    from bench import corpus as store
    from bench.plain_smtplib import SENDER, build_messages

    sample = Sample("plain script render")
    built = []
    with clocked(sample):
        for msg in build_messages(args["url"], args["event_id"]):
            data = msg.as_bytes(policy=msg.policy.clone(linesep="\r\n"))
            built.append(store.Built(SENDER.addr_spec, msg["To"].addresses[0].addr_spec, data))
    store.save(Path(args["corpus"]), built)
    sample.messages = len(built)
    sample.bytes_sent = sum(len(b.data) for b in built)
    return sample


def bare(args: dict[str, Any]) -> Sample:
    """(a) the pre-built corpus over one aiosmtplib connection."""
    from bench import corpus as store
    from bench.bare_aiosmtplib import send_all

    messages = store.load(Path(args["corpus"]))
    sample = Sample("bare aiosmtplib")
    with clocked(sample):
        sample.messages = send_all(messages, args["host"], args["port"])
    sample.bytes_sent = sum(len(m.data) for m in messages)
    return sample


def plain(args: dict[str, Any]) -> Sample:
    """(c) render with Jinja2 + icalendar and send with smtplib, in one plain script."""
    from bench.plain_smtplib import send_all

    sample = Sample("plain smtplib script")
    with clocked(sample):
        sample.messages, sample.bytes_sent = send_all(
            args["url"], args["event_id"], args["host"], args["port"]
        )
    return sample


def prefect_email(args: dict[str, Any]) -> Sample:
    """(b) prefect-email's email_send_message, one task run per message, from a flow."""
    import asyncio
    import pickle

    _prefect_env(args["prefect_home"])
    from bench import corpus as store
    from bench.prefect_email_baseline import send_with_prefect_email, write_ics_files

    messages = [store.parts(b) for b in store.load(Path(args["corpus"]))[: args["limit"]]]
    files = write_ics_files(messages, Path(args["prefect_home"]) / "ics")
    sender = store.load(Path(args["corpus"]))[0].sender
    prepared = Path(args["prefect_home"]) / "messages.pickle"
    prepared.write_bytes(pickle.dumps((messages, files)))
    _warm_up_prefect()
    sample = Sample("prefect-email")
    with clocked(sample):
        sample.messages = asyncio.run(
            send_with_prefect_email(str(prepared), args["host"], args["port"], sender)
        )
    return sample


def overhead(args: dict[str, Any]) -> Sample:
    """Benchmark 4: send_invitations for one participant, as a flow and called directly.

    `urls` are copies of a one-participant event; half go through the flow, half directly,
    alternating, after one warm-up of each. Reports the medians in `extra`.
    """
    import statistics
    import time

    _prefect_env(args["prefect_home"])
    os.environ["ACARA_SMTP_URL"] = args["smtp_url"]
    os.environ["ACARA_DATA_DIR"] = args["data_dir"]
    from acara.settings import get_settings
    from acara.stages import invitations
    from flows.invitations import send_invitations

    def direct(event_id: int) -> None:
        invitations.send_invitations(event_id)

    def as_flow(event_id: int) -> None:
        send_invitations(event_id)

    _warm_up_prefect()
    times: dict[str, list[float]] = {"flow": [], "direct": []}
    for n, url in enumerate(args["urls"]):
        os.environ["ACARA_DATABASE_URL"] = url
        get_settings.cache_clear()
        kind = "flow" if n % 2 == 0 else "direct"
        began = time.perf_counter()
        (as_flow if kind == "flow" else direct)(args["event_id"])
        if n >= 2:  # the first of each kind warms imports and caches
            times[kind].append(time.perf_counter() - began)
    sample = Sample("prefect overhead", messages=len(args["urls"]))
    sample.extra = {k: statistics.median(v) for k, v in times.items()}
    sample.extra["runs_each"] = len(times["flow"])
    return sample


CONTESTANTS = {
    "acara": acara_flow,
    "acara-direct": acara_direct,
    "corpus": corpus,
    "plain-corpus": plain_corpus,
    "bare": bare,
    "plain": plain,
    "prefect-email": prefect_email,
    "overhead": overhead,
}


def main() -> None:
    """Run the named contestant and print its sample as JSON on the last line of stdout."""
    logging.basicConfig(level=logging.WARNING)
    name, raw = sys.argv[1], sys.argv[2]
    sample = CONTESTANTS[name](json.loads(raw))
    sys.stdout.write("\n" + json.dumps(sample.as_dict()) + "\n")


if __name__ == "__main__":
    main()
