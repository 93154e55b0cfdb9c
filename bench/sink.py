"""An SMTP sink in its own process, so it never competes with the sender for the GIL."""

from __future__ import annotations

import multiprocessing as mp
import resource
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from multiprocessing.connection import Connection


@dataclass(frozen=True, slots=True)
class SinkInfo:
    """Where the sink listens, and how to ask it how many messages it accepted."""

    host: str
    port: int
    _control: Connection

    @property
    def url(self) -> str:
        """An smtp:// URL for acara's transport_from_url."""
        return f"smtp://{self.host}:{self.port}"

    def accepted(self) -> int:
        """Messages (one per recipient) the sink has accepted so far."""
        self._control.send("count")
        return int(self._control.recv())

    def cpu_seconds(self) -> float:
        """CPU time the sink process has used so far (to tell whether it is the bottleneck)."""
        self._control.send("cpu")
        return float(self._control.recv())

    def reset(self) -> None:
        """Start counting from zero."""
        self._control.send("reset")
        self._control.recv()


def _serve(control: Connection) -> None:
    # Imported here: only the child process runs the server.
    from tests.smtp_server import SmtpSink

    sink = SmtpSink(discard=True).start()
    try:
        control.send((sink.host, sink.port))
        while True:
            command = control.recv()
            if command == "count":
                control.send(sink.count)
            elif command == "reset":
                sink.reset()
                control.send("ok")
            elif command == "cpu":
                usage = resource.getrusage(resource.RUSAGE_SELF)
                control.send(usage.ru_utime + usage.ru_stime)
            else:
                break
    finally:
        sink.stop()


@contextmanager
def sink_process() -> Iterator[SinkInfo]:
    """Start tests.smtp_server.SmtpSink(discard=True) in a child process for the block."""
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe()
    process = ctx.Process(target=_serve, args=(child,), daemon=True, name="smtp-sink")
    process.start()
    try:
        if not parent.poll(30) or not process.is_alive():
            raise RuntimeError("the SMTP sink did not start within 30 s")
        host, port = parent.recv()
        yield SinkInfo(host, port, parent)
    finally:
        with suppress(OSError):
            parent.send("stop")
        process.join(10)
        if process.is_alive():
            process.kill()
