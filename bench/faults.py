"""The fault figures beside the speed figures: what the fault tests measured, as Markdown.

The fault tests (tests/faults/, `make test` and `make test-faults`) record what they saw
(kill -9 runs and the duplicates they made, SMTP fault runs, concurrent senders and sweeps,
relay caps) in bench/fault-figures.json, one entry per test and database; the end of the test
session and `make bench` write them into BENCHMARKS.md as its "Faults" section.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FIGURES = ROOT / "bench" / "fault-figures.json"
BENCHMARKS = ROOT / "BENCHMARKS.md"
BEGIN, END = "<!-- fault figures: written by the fault tests -->", "<!-- end of fault figures -->"


def load(path: Path = FIGURES) -> dict[str, dict[str, Any]]:
    """Every recorded entry, by test and database."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def record(key: str, entry: dict[str, Any], path: Path = FIGURES) -> None:
    """Keep one test's figures (the latest run of it replaces the one before)."""
    data = load(path)
    data[key] = entry
    path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def section(figures: dict[str, dict[str, Any]]) -> list[str]:
    """The Faults section: one row per recorded test and database."""
    if not figures:
        return []
    lines = [
        BEGIN,
        "## 5. Faults",
        "",
        "Recorded by the fault tests (`make test`, `make test-faults`); each row is the latest "
        "run of one test on one database. Nothing may be lost; duplicates only from messages "
        "in flight at a `kill -9` (at most one per SMTP worker).",
        "",
        "| fault | database | messages | delivered once | lost | duplicates | what happened "
        "| measured |",
        "|---|---|---:|---:|---:|---:|---|---|",
    ]
    for key in sorted(figures):
        f = figures[key]
        lines.append(
            f"| {f.get('fault', key)} | {f.get('database', '')} | {f.get('messages', '')} | "
            f"{f.get('once', '')} | {f.get('lost', '')} | {f.get('duplicates', '')} | "
            f"{f.get('detail', '')} | {f.get('at', '')} |"
        )
    lines += ["", END, ""]
    return lines


def write_into(benchmarks: Path = BENCHMARKS, figures_path: Path = FIGURES) -> None:
    """Replace (or add) the Faults section of BENCHMARKS.md with the recorded figures."""
    lines = section(load(figures_path))
    if not lines or not benchmarks.exists():
        return
    text = benchmarks.read_text(encoding="utf-8")
    block = "\n".join(lines)
    pattern = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END) + r"\n?", re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: block, text)
    else:
        text = text.rstrip() + "\n\n" + block
    benchmarks.write_text(text, encoding="utf-8")
