"""An SMTP sink in its own process, so it never competes with the sender for the GIL."""

from __future__ import annotations

import multiprocessing as mp
import socket
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

    def reset(self) -> None:
        """Start counting from zero."""
        self._control.send("reset")
        self._control.recv()


class _Counter:
    """Accepts and discards; counts recipients (stand-in until tests.smtp_server lands)."""

    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        self.count += len(envelope.rcpt_tos)  # type: ignore[attr-defined]
        return "250 OK"


def _serve(control: Connection) -> None:
    # Imported here: only the child process needs the server.
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = _Counter()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        control.send(("127.0.0.1", port))
        while True:
            command = control.recv()
            if command == "count":
                control.send(handler.count)
            elif command == "reset":
                handler.count = 0
                control.send("ok")
            else:
                break
    finally:
        controller.stop()


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
