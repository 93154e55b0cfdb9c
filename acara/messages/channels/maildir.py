"""The e-mail channel without a mail server: each message becomes an .eml file in a maildir.

The demo's and the tests' mail server: every message can be opened as a real e-mail.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import mailbox
import os
from collections.abc import Sequence
from pathlib import Path

from acara.messages.channels.mime import message_id, render, to_email
from acara.messages.channels.transport import (
    DeliveryResult,
    DeliveryStatus,
    ResultCallback,
    TransportUnavailable,
    report,
)
from acara.messages.message import ComposedMessage

log = logging.getLogger(__name__)


class MaildirTransport:
    """Writes each message as an .eml file into a maildir: the demo's mail server."""

    def __init__(self, root: Path, *, domain: str = "acara.local") -> None:
        """Deliver into the maildir at root (created with tmp/, new/, cur/ if missing)."""
        self.root = Path(root)
        self.domain = domain

    def describe(self) -> str:
        """E.g. "maildir /srv/acara/data/outbox"."""
        return f"maildir {self.root}"

    async def send_batch(
        self,
        messages: Sequence[ComposedMessage],
        on_result: ResultCallback | None = None,
    ) -> list[DeliveryResult]:
        """Write every message to new/ (through tmp/, atomically)."""
        if not messages:
            return []
        try:
            # Maildir(create=True) makes only the last folder; the data folder may not exist.
            await asyncio.to_thread(self.root.parent.mkdir, parents=True, exist_ok=True)
            await asyncio.to_thread(mailbox.Maildir, self.root, create=True)
        except OSError as exc:
            raise TransportUnavailable(f"cannot create maildir {self.root}: {exc}") from exc
        results = []
        for msg in messages:
            result = await asyncio.to_thread(self._deliver, msg)
            results.append(result)
            if on_result is not None:
                await report(on_result, result)
        return results

    def path_for(self, key: str) -> Path:
        """Where the message for an outbox key lands in new/."""
        return self.root / "new" / _file_name(key, self.domain)

    def _deliver(self, msg: ComposedMessage) -> DeliveryResult:
        mid = message_id(msg.key, self.domain)
        try:
            data = render(to_email(msg), domain=self.domain)
        except ValueError as exc:
            log.warning("message %s cannot be built: %s", msg.key, exc)
            return DeliveryResult(msg.key, DeliveryStatus.FAILED, f"invalid message: {exc}")
        # Named after the key, so sending the same outbox row again replaces the file
        # instead of adding a duplicate; LF line ends, as files are on this system.
        name = _file_name(msg.key, self.domain)
        tmp = self.root / "tmp" / name
        try:
            with open(tmp, "wb") as handle:
                handle.write(data.replace(b"\r\n", b"\n"))
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.root / "new" / name)
        except OSError as exc:
            with contextlib.suppress(OSError):
                tmp.unlink()
            return DeliveryResult(msg.key, DeliveryStatus.RETRY, f"cannot write: {exc}", attempts=1)
        return DeliveryResult(msg.key, DeliveryStatus.SENT, f"new/{name}", mid, attempts=1)


def _file_name(key: str, domain: str) -> str:
    # The Message-ID's left part is unique per key and safe in a file name (no "/", ":").
    return message_id(key, domain)[1:].split("@", 1)[0] + ".eml"
