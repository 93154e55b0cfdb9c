"""`python -m bench` (`make bench`): every benchmark in one run, a Markdown table out.

python -m bench                 # full run (about 10-15 minutes on 2 idle cores)
python -m bench --quick         # small sizes, a smoke test of the harness
python -m bench --only fanout,micro --out -   # print only, write nothing
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
from pathlib import Path

from bench import report
from bench.fanout import ROOT, FanoutResult, prefect_overhead, run_size
from bench.sink import sink_process

log = logging.getLogger("bench")
SECTIONS = ("fanout", "sweep", "micro", "overhead", "service", "imports")


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes (harness smoke test)")
    parser.add_argument("--sizes", help="fan-out sizes, e.g. 2000,10000")
    parser.add_argument("--prefect-email", type=int, help="messages for prefect-email (200)")
    parser.add_argument("--sweep-sizes", help="reminder sweep sizes, e.g. 1000,100000")
    parser.add_argument("--only", help=f"comma-separated sections of {','.join(SECTIONS)}")
    parser.add_argument("--out", default=str(ROOT / "BENCHMARKS.md"), help="'-' writes nothing")
    return parser.parse_args(argv)


def _ints(text: str | None, default: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(int(x) for x in text.split(",")) if text else default


def main(argv: list[str] | None = None) -> int:
    """Run the selected benchmarks, print the report, write BENCHMARKS.md."""
    logging.basicConfig(level=logging.INFO, format="bench: %(message)s", stream=sys.stderr)
    args = _arguments(argv)
    sections = set(args.only.split(",")) if args.only else set(SECTIONS)
    sizes = _ints(args.sizes, (300, 1000) if args.quick else (2_000, 10_000))
    sweep_sizes = _ints(args.sweep_sizes, (1_000, 10_000) if args.quick else (1_000, 100_000))
    prefect_n = args.prefect_email or (50 if args.quick else 200)
    # Prefect keeps its state under PREFECT_HOME; a benchmark must not touch ~/.prefect.
    os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    load_before = os.getloadavg()
    lines: list[str] = []
    with tempfile.TemporaryDirectory(prefix="acara-bench-") as tmp, sink_process() as sink:
        work = Path(tmp)
        os.environ["PREFECT_HOME"] = str(work / "prefect")
        fanouts: list[FanoutResult] = []
        if "fanout" in sections:
            for n, size in enumerate(sizes):
                log.info("fan-out: %d participants", size)
                # prefect-email is slow by design: measured once, at the first size.
                fanouts.append(run_size(work, size, sink, prefect_email_n=prefect_n * (n == 0)))
        sweep_rows = []
        if "sweep" in sections:
            from bench.reminder_sweep import timings

            log.info("reminder sweep: %s invitations", sweep_sizes)
            sweep_rows = timings(sweep_sizes, smtp_url=sink.url, workdir=work)
        micro_rows = []
        if "micro" in sections:
            from bench import micro

            log.info("micro-benchmarks")
            micro_rows = micro.run(work / "micro")
        overhead = None
        if "overhead" in sections:
            log.info("Prefect overhead")
            overhead = prefect_overhead(work, sink)
        service = None
        if "service" in sections:
            from bench.service import measure

            log.info("the service: trigger latency, dead runs, a killed Prefect server")
            service = measure(work, trials=3 if args.quick else 5)
        import_rows = []
        if "imports" in sections:
            from bench import imports

            log.info("participant list import")
            import_rows = imports.run(work, (5_000,) if args.quick else (50_000,))
            # The FKP list: 1,000 RW heads, every 25th with a phone number only (40).
            import_rows += imports.run(work, (1_000,), every_without_email=25)
    lines += report.header(load_before, os.getloadavg())
    lines += report.fanout(fanouts) if fanouts else []
    lines += report.sweep(sweep_rows)
    lines += report.micro(micro_rows)
    lines += report.overhead(overhead)
    lines += report.service(service)
    from bench import faults, imports

    lines += ["", *imports.section(import_rows)] if import_rows else []
    lines += ["", *faults.section(faults.load())]
    text = "\n".join(lines).rstrip() + "\n"
    sys.stdout.write(text)
    if args.out != "-":
        Path(args.out).write_text(text, encoding="utf-8")
        log.info("written to %s", args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
