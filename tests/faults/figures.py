"""What a fault test saw, kept for BENCHMARKS.md (bench/faults.py writes the section)."""

from __future__ import annotations

import os
from collections import Counter
from datetime import UTC, datetime

from bench import faults

RECORDED: list[str] = []


def record(
    fault: str,
    db_url: str,
    *,
    emails: tuple[str, ...] | list[str],
    got: Counter[str],
    detail: str = "",
    expected_missing: int = 0,
) -> None:
    """Record one fault run: how many were owed, delivered once, lost, duplicated."""
    if os.environ.get("ACARA_NO_FAULT_FIGURES"):
        return
    database = "PostgreSQL" if db_url.startswith("postgres") else "SQLite"
    owed = set(emails)
    once = sum(1 for e in owed if got.get(e) == 1)
    lost = len([e for e in owed if not got.get(e)]) - expected_missing
    duplicates = sum(got.values()) - len(got)
    faults.record(
        f"{fault} ({database})",
        {
            "fault": fault,
            "database": database,
            "messages": len(owed),
            "once": once,
            "lost": lost,
            "duplicates": duplicates,
            "detail": detail,
            "at": f"{datetime.now(UTC):%Y-%m-%d}",
        },
    )
    RECORDED.append(fault)
