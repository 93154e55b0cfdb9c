"""Benchmark: what the official letter (a PDF per invitation) costs a fan-out, and what stamping
saves. `python -m bench.letters [--participants 1000] [--full 40]`

On the benchmark forum (bench.data) with N invitees, in CPU milliseconds per message (this
process only: the machine is shared, CPU time is what the letters add):

- baseline: composing an invitation without its letter (e-mail text, HTML and calendar);
- with the letter, stamped: the real composer, each addressee stamped onto its group's page;
- with the letter, rendered in full: stamping switched off, WeasyPrint lays out every letter;
- the whole delivery of the N invitations into a maildir, with stamped letters and without any.

Ratios are against the baseline. The full render is measured on fewer messages (--full).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from bench.data import build_database, copy_sqlite


@contextmanager
def _letters(mode: str) -> Iterator[None]:
    """'stamped' (as shipped), 'full' (no templates) or 'none' (no letter at all)."""
    from acara.documents import letters
    from acara.messages.composers import invitations

    saved = (letters.template_for, invitations.letter_pdf, invitations._sheet)
    if mode == "full":
        letters.template_for = lambda *args: None  # type: ignore[assignment]
    elif mode == "none":
        sheet = invitations._sheet

        def no_sheet(*args: Any) -> Any:
            return _NONE.setdefault("sheet", sheet(*args))  # built once, then reused

        invitations._sheet = no_sheet  # type: ignore[assignment]
        invitations.letter_pdf = lambda sheet: b"%PDF-1.7"  # type: ignore[assignment]
    try:
        yield
    finally:
        letters.template_for, invitations.letter_pdf, invitations._sheet = saved  # type: ignore[assignment]
        _NONE.clear()


_NONE: dict[str, Any] = {}


def _cpu_ms(function: Callable[[], Any], count: int) -> float:
    start = time.process_time()
    for _ in range(count):
        function()
    return (time.process_time() - start) / count * 1000


def run(work: Path, participants: int, full: int) -> list[tuple[str, float, str]]:
    """(what, CPU ms per message, note) for each measurement."""
    from acara import db as acara_db
    from acara.messages import composers
    from acara.messages.delivery import deliver
    from acara.settings import get_settings
    from acara.stages.invitations import CALENDAR_PURPOSES
    from models.event import Event
    from models.invitations import owe_invitations
    from models.outbox import Message

    template = work / "template.db"
    prepared = build_database(f"sqlite:///{template}", participants)
    with Session(acara_db.engine_for(prepared.url)) as session:
        event = session.get(Event, prepared.event_id)
        assert event is not None
        owe_invitations(session, event)
        session.commit()
    acara_db.engine_for(prepared.url).dispose()
    rows: list[tuple[str, float, str]] = []

    def composing(mode: str, count: int) -> float:
        url = copy_sqlite(template, work / f"compose-{mode}.db")
        os.environ["ACARA_DATABASE_URL"] = url
        get_settings.cache_clear()
        with Session(acara_db.engine_for(url)) as session, _letters(mode):
            messages = list(session.exec(select(Message).order_by(col(Message.id))))[:count]
            cycle = iter(messages)
            ms = _cpu_ms(lambda: composers.compose(session, next(cycle)), len(messages))
            session.rollback()
        return ms

    def delivering(mode: str) -> float:
        url = copy_sqlite(template, work / f"deliver-{mode}.db")
        os.environ["ACARA_DATABASE_URL"] = url
        os.environ["ACARA_DATA_DIR"] = str(work / f"data-{mode}")
        get_settings.cache_clear()
        with _letters(mode):
            start = time.process_time()
            summary = deliver(event_id=prepared.event_id, purposes=CALENDAR_PURPOSES)
            spent = time.process_time() - start
        assert summary.sent == participants, summary
        return spent / participants * 1000

    baseline = composing("none", participants)
    rows.append(("compose, no letter (baseline)", baseline, "e-mail text, HTML, calendar"))
    rows.append(
        (
            "compose with the letter, stamped",
            composing("stamped", participants),
            "a template per group, form and kind; each addressee stamped in",
        )
    )
    rows.append(
        (
            "compose with the letter, full render",
            composing("full", full),
            f"WeasyPrint lays out every letter (first {full} messages)",
        )
    )
    rows.append(("deliver to a maildir, no letter", delivering("none"), f"{participants} messages"))
    rows.append(
        ("deliver to a maildir, stamped letters", delivering("stamped"), f"{participants} messages")
    )
    return rows


def main(argv: list[str] | None = None) -> int:
    """Print the table (Markdown)."""
    parser = argparse.ArgumentParser(prog="python -m bench.letters", description=__doc__)
    parser.add_argument("--participants", type=int, default=1000)
    parser.add_argument("--full", type=int, default=40, help="messages for the full render")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="acara-bench-letters-") as tmp:
        os.environ["ACARA_DATA_DIR"] = str(Path(tmp) / "data")
        rows = run(Path(tmp), args.participants, args.full)
    baseline = {"compose": rows[0][1], "deliver": rows[3][1]}
    print(f"Official letters, {args.participants} invitations (CPU ms per message, ratio)\n")
    print("| measurement | CPU ms/msg | ÷ baseline | note |")
    print("|---|---:|---:|---|")
    for what, ms, note in rows:
        base = baseline["deliver" if what.startswith("deliver") else "compose"]
        print(f"| {what} | {ms:.2f} | {ms / base:.1f}× | {note} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
