"""Importing a large participant list: 50,000 valid rows read, checked and stored.

Each size runs in a fresh interpreter on a fresh SQLite database with one event, so the time
and peak memory are those of `acara participants import` alone (reading the CSV, validating
every row, adding the people and participants in one transaction).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# VmHWM is this process's own peak; ru_maxrss may carry the parent's from before exec.
_CHILD = """
import json, sys, time
from pathlib import Path
from acara.db import upgrade
from acara.stages import organisations, planning
def hwm():
    lines = Path("/proc/self/status").read_text().splitlines()
    return next(int(l.split()[1]) for l in lines if l.startswith("VmHWM:")) / 1024
upgrade()
organisations.import_file(Path(sys.argv[2]).with_name("organisations.yaml"), actor="bench")
planning.import_event_file(Path(sys.argv[2]), actor="bench")
rss_before = hwm()
started = time.perf_counter()
done = planning.import_participants(
    "fgd-halifax-2026", Path(sys.argv[1]), skip_invalid=False, actor="bench"
)
seconds = time.perf_counter() - started
peak = hwm()
print(json.dumps({"rows": done.report.added, "seconds": seconds, "peak_mib": peak,
                  "before_mib": rss_before}))
"""


def write_list(path: Path, rows: int, every_without_email: int = 0) -> Path:
    """A CSV of `rows` valid participants, as an officer's export would look; with
    `every_without_email` = 25, every 25th has a phone number and no e-mail (40 in 1,000)."""
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("No;Nama;Jabatan;Instansi;Email;Telepon\r\n")
        for n in range(1, rows + 1):
            email = f"ketua.rw{n:05d}@kel.tangerangkota.go.id"
            if every_without_email and n % every_without_email == 0:
                email = ""
            out.write(
                f'{n};"Ketua RW {n:05d}, S.Sos.";Ketua RW {n % 20 + 1:03d};'
                f"Kelurahan Sukaasih;{email};0812{n:08d}\r\n"
            )
    return path


def run(
    workdir: Path, sizes: tuple[int, ...] = (50_000,), every_without_email: int = 0
) -> list[dict[str, float]]:
    """Time and peak memory of importing each size (every n-th row without e-mail, if given)."""
    results = []
    for size in sizes:
        folder = workdir / f"import-{size}-{every_without_email}"
        folder.mkdir(parents=True, exist_ok=True)
        listed = write_list(folder / "peserta.csv", size, every_without_email)
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "ACARA_DATA_DIR": str(folder / "data"),
            "ACARA_DATABASE_URL": f"sqlite:///{folder / 'data' / 'acara.db'}",
        }
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                _CHILD,
                str(listed),
                str(ROOT / "examples" / "fgd-halifax.yaml"),
            ],
            capture_output=True,
            text=True,
            env=env,
            cwd=folder,
            timeout=3600,
            check=True,
        )
        result = json.loads(done.stdout.strip().splitlines()[-1])
        result["size_mb"] = listed.stat().st_size / 1_000_000
        result["without_email"] = size // every_without_email if every_without_email else 0
        results.append(result)
    return results


def section(results: list[dict[str, float]]) -> list[str]:
    """The Markdown table of the import benchmark."""
    if not results:
        return []
    lines = [
        "## 6. Importing a participant list",
        "",
        "bench/imports.py: a semicolon CSV with a 'No' column, as Excel saves it; read, every row "
        "validated, people and participants added in one transaction (SQLite), in a fresh "
        "process.",
        "",
        "| rows | without e-mail | file MB | seconds | rows/s | peak RSS MiB (+ during import) |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['rows']:,.0f} | {r['without_email']:,.0f} | {r['size_mb']:.1f} | "
            f"{r['seconds']:.1f} | "
            f"{r['rows'] / r['seconds']:,.0f} | {r['peak_mib']:.0f} "
            f"(+{r['peak_mib'] - r['before_mib']:.0f}) |"
        )
    return [*lines, ""]
