"""The Markdown report `make bench` prints and writes to BENCHMARKS.md."""

from __future__ import annotations

import os
import platform
import statistics
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib.metadata import version
from typing import Any

from bench.fanout import FanoutResult
from bench.measure import Sample
from bench.service import ServiceFigures

TARGETS = {
    "bare": ("(a) bare aiosmtplib, pre-built, one connection", 0.8, "acara ≥ 0.8 × (a)"),
    "prefect-email": ("(b) prefect-email, one task per message", 5.0, "acara ≥ 5 × (b)"),
    "plain": ("(c) plain smtplib script (Jinja2 + icalendar)", 1.0, "acara ahead of (c)"),
}


def _versions() -> str:
    names = ("prefect", "aiosmtplib", "aiosmtpd", "icalendar", "jinja2", "sqlalchemy")
    found = []
    for name in names:
        try:
            found.append(f"{name} {version(name)}")
        except Exception:  # a missing package only drops it from the line
            continue
    return ", ".join(found)


def header(load_before: tuple[float, ...], load_after: tuple[float, ...]) -> list[str]:
    """Where and when the figures were taken."""
    return [
        "# Benchmarks",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `make bench` (`python -m bench`) on "
        f"{os.cpu_count()} cores, Python {platform.python_version()}; {_versions()}.",
        f"Load average (1/5/15 min) at the start {_load(load_before)}, at the end "
        f"{_load(load_after)}: on a shared machine absolute rates move with the load; the "
        "ratios compare contestants measured in the same run, one after another.",
        "",
    ]


def _load(values: tuple[float, ...]) -> str:
    return "/".join(f"{v:.1f}" for v in values)


def _mib(sample: Sample) -> str:
    growth = sample.peak_rss_mib - sample.rss_before_mib
    return f"{sample.peak_rss_mib:.0f} (+{growth:.0f})"


def fanout(results: Sequence[FanoutResult]) -> list[str]:
    """Section 1: messages per second and ratios, per size."""
    lines = [
        "## 1. Fan-out: personal invitations (HTML + text + ICS)",
        "",
        "Every contestant sends to the same aiosmtpd sink on 127.0.0.1 (tests/smtp_server.py, "
        "discard mode), which runs in its own process so it never shares the GIL with a sender. "
        "Each contestant runs in a fresh interpreter on its own copy of the database; the sink's "
        "count is checked against what each contestant claims. acara is the real "
        "`send-invitations` Prefect flow (ephemeral server, started before the clock), which "
        "owes the invitations and then sends them through the outbox over 4 SMTP connections. "
        "(a) sends acara's own bytes (rendered to a maildir beforehand). "
        "(b) gets acara's subject, HTML, text and .ics (as its attachment) and is measured on "
        "fewer messages: it opens one SMTP connection and one task run per e-mail.",
        "",
        "| participants | contestant | messages | msg/s | acara ÷ it | target | met "
        "| peak RSS MiB (+ during run) | KiB/msg | sender CPU ms/msg | CPU busy sender / sink |",
        "|---:|---|---:|---:|---:|---|:-:|---:|---:|---:|---|",
    ]
    for result in results:
        samples = result.samples
        acara = samples.get("acara")
        order = ["acara", "bare", "prefect-email", "plain", "maildir"]
        for key in order:
            sample = samples.get(key)
            if sample is None:
                continue
            name, target, wording = TARGETS.get(key, (_label(key), None, ""))
            compared = key in TARGETS
            ratio = acara.rate / sample.rate if acara and sample.rate and compared else None
            met = ""
            if ratio is not None and target is not None:
                met = "yes" if (ratio > target if key == "plain" else ratio >= target) else "**no**"
            size = sample.bytes_sent / sample.messages / 1024 if sample.bytes_sent else None
            busy = f"{sample.extra.get('cpu_busy', '')} / {sample.extra.get('sink_busy', '–')}"
            cpu_ms = sample.extra.get("cpu_busy", 0) * sample.seconds / sample.messages * 1000
            lines.append(
                f"| {result.participants:,} | {name} | {sample.messages:,} | {sample.rate:,.0f} "
                f"| {f'{ratio:.2f}' if ratio is not None else ''} | {wording} | {met} "
                f"| {_mib(sample)} | {f'{size:.1f}' if size else ''} | {cpu_ms:.2f} | {busy} |"
            )
        lines += [
            f"| {result.participants:,} | note: {n} | | | | | | | | | |" for n in result.notes
        ]
    lines.append("")
    lines += _memory(results)
    return lines


def _label(key: str) -> str:
    return {
        "acara": "**acara** (send-invitations flow)",
        "maildir": "acara to a maildir (no SMTP, fsync per file, under tracemalloc)",
    }.get(key, key)


def _memory(results: Sequence[FanoutResult]) -> list[str]:
    acara = [(r.participants, r.samples["acara"]) for r in results if "acara" in r.samples]
    if len(acara) < 2:
        return []
    heaps = [
        f"{r.participants:,}: {r.samples['maildir'].extra['py_heap_peak_mib']} MiB"
        for r in results
        if "py_heap_peak_mib" in r.samples.get("maildir", Sample("")).extra
    ]
    (small_n, small), (large_n, large) = acara[0], acara[-1]
    grow_small = small.peak_rss_mib - small.rss_before_mib
    grow_large = large.peak_rss_mib - large.rss_before_mib
    per_1000 = (grow_large - grow_small) / ((large_n - small_n) / 1000)
    return [
        f"acara's memory: the sending process grew by {grow_small:.0f} MiB at {small_n:,} "
        f"participants and {grow_large:.0f} MiB at {large_n:,} ({per_1000:.2f} MiB more per "
        "1,000 participants). Rows are claimed and composed 500 at a time, so what grows with "
        "N is what the database connection and the summary keep per row, not the messages. "
        "Peak of Python's own allocations (tracemalloc) during the same delivery to a maildir: "
        + "; ".join(heaps)
        + ".",
        "",
    ]


def sweep(rows: Sequence[Any]) -> list[str]:
    """Section 2: the reminder sweep at two database sizes."""
    if not rows:
        return []
    lines = [
        "## 2. Reminder sweep",
        "",
        "bench/reminder_sweep.py: 100 announced events a week apart, all invitations sent; "
        "the sweep's database step (find open windows, owe each round) with nothing due and "
        "with one event's H-1 reminder due (1% of the invitations); median of 5. "
        "`deliver` sends those reminders to the sink.",
        "",
        "| invitations | case | step | owed | ms |",
        "|---:|---|---|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row.invitations:,} | {row.case} | {row.step} | {row.owed:,} "
            f"| {row.seconds * 1000:,.1f} |"
        )
    quiet = {r.invitations: r.seconds for r in rows if r.case == "nothing due"}
    if len(quiet) >= 2:
        small, large = min(quiet), max(quiet)
        lines += [
            "",
            f"Nothing due: {large:,} / {small:,} invitations takes "
            f"{quiet[large] / quiet[small]:.2f}× the time (target: near 1).",
        ]
    return [*lines, ""]


def micro(timings: Sequence[Any]) -> list[str]:
    """Section 3: the parts of one invitation."""
    if not timings:
        return []
    lines = [
        "## 3. One invitation, part by part (timeit, best of 5)",
        "",
        "| part | µs per call | what |",
        "|---|---:|---|",
    ]
    lines += [f"| {t.name} | {t.micros:,.0f} | {t.note} |" for t in timings]
    return [*lines, ""]


def overhead(sample: Sample | None) -> list[str]:
    """Section 4: Prefect's share of sending one e-mail."""
    if sample is None:
        return []
    flow, direct = sample.extra["flow"], sample.extra["direct"]
    return [
        "## 4. Prefect overhead",
        "",
        "One invitation to one participant: the `send-invitations` flow (ephemeral API server "
        "already running) against the same two steps called directly "
        "(the invitation stage's `send_invitations`); "
        f"median of {sample.extra['runs_each']} runs each.",
        "",
        "| path | wall time ms |",
        "|---|---:|",
        f"| flow | {flow * 1000:,.0f} |",
        f"| direct | {direct * 1000:,.0f} |",
        f"| Prefect's overhead | {(flow - direct) * 1000:,.0f} |",
        "",
    ]


def service(figures: ServiceFigures | None) -> list[str]:
    """The service as an operator meets it: trigger latency, dead runs, a killed server."""
    if figures is None:
        return []
    spread = ", ".join(f"{a:.1f}/{b:.1f}" for a, b in zip(figures.first, figures.last, strict=True))
    first = figures.median_first
    verdict = "met" if first <= 3 else "missed"
    command = statistics.median(figures.command)
    after = statistics.median(f - c for f, c in zip(figures.first, figures.command, strict=True))
    return [
        "## The service (`acara serve`, a real Prefect server)",
        "",
        "| figure | seconds | target |",
        "|---|---:|---|",
        f"| trigger latency: `acara event transition … announce` to the first e-mail "
        f"(median of {len(figures.first)}) | {first:.1f} | ≤ 3 ({verdict}) |",
        f"| … to the last of 34 e-mails (median) | {figures.median_last:.1f} | |",
        f"| … of which the CLI command itself (median) | {command:.1f} | |",
        f"| end of the command to the first e-mail (median) | {after:.1f} | |",
        f"| kill -9 of a running send (runner and flow run) to the run CRASHED "
        f"| {figures.crashed_after or 0:.0f} | ≤ 180 |",
        f"| kill -9 of the Prefect server to its health check answering again "
        f"| {figures.server_back or 0:.1f} | ≤ 30 |",
        f"| kill -9 of the Prefect server to the first e-mail of the next event announced "
        f"| {figures.next_event_served or 0:.1f} | |",
        "",
        f"Each trial (first/last, s): {spread}. `acara serve --poll 1 --no-web`; the trigger "
        "path is CLI commit → event to the Prefect server → trigger creates the run → the "
        "runner's next poll → a flow-run process forked from a warm one → the send-invitations "
        "flow. The CLI command's own time (Python start, imports, database, handing the "
        "event over) moves with the machine's load.",
        "",
    ]
