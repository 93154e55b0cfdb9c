"""Timing and memory of one contestant, measured inside its own process."""

from __future__ import annotations

import os
import resource
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")


def _status_kib(key: str) -> int | None:
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def reset_peak() -> bool:
    """Reset the kernel's peak-RSS mark (Linux "5" > clear_refs); False where unsupported."""
    try:
        _CLEAR_REFS.write_text("5")
    except OSError:
        return False
    return True


@dataclass(slots=True)
class Sample:
    """One measured run: what was sent, how long it took, and the process's memory."""

    name: str
    messages: int = 0
    seconds: float = 0.0
    bytes_sent: int = 0
    rss_before_mib: float = 0.0  # resident set after setup, just before the clock starts
    peak_rss_mib: float = 0.0  # highest resident set while the clock ran
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        """Messages per second."""
        return self.messages / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, Any]:
        """Plain data for the JSON line a worker prints."""
        return asdict(self)


@contextmanager
def clocked(sample: Sample) -> Iterator[Sample]:
    """Time the block and record resident memory before it and at its peak."""
    before = _status_kib("VmRSS") or 0
    exact_peak = reset_peak()
    cpu = time.process_time()
    start = time.perf_counter()
    try:
        yield sample
    finally:
        sample.seconds = time.perf_counter() - start
        # Near 1.0 means this process was busy all along (it set the pace, not its peer).
        sample.extra["cpu_busy"] = round((time.process_time() - cpu) / sample.seconds, 2)
        peak = _status_kib("VmHWM") if exact_peak else None
        if peak is None:  # only the lifetime peak is known
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        sample.rss_before_mib = round(before / 1024, 1)
        sample.peak_rss_mib = round(peak / 1024, 1)


def best_of(runs: int, once: Callable[[], float]) -> float:
    """The smallest of `runs` timings: the least disturbed by other load on the machine."""
    return min(once() for _ in range(max(1, runs)))


def pid() -> int:
    """This process's id (for the report's footnote on where things ran)."""
    return os.getpid()
