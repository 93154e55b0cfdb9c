"""Baseline (a): pre-built messages over one reused aiosmtplib connection, nothing else.

No database, no rendering, no bookkeeping: the fastest a single sender gets through this
SMTP server, i.e. the ceiling any real pipeline on one connection is measured against.
"""

from __future__ import annotations

import asyncio

import aiosmtplib

from bench.corpus import Built


async def _send(messages: list[Built], host: str, port: int) -> int:
    smtp = aiosmtplib.SMTP(hostname=host, port=port, start_tls=False, use_tls=False)
    await smtp.connect()
    try:
        for message in messages:
            await smtp.sendmail(message.sender, [message.recipient], message.data)
    finally:
        await smtp.quit()
    return len(messages)


def send_all(messages: list[Built], host: str, port: int) -> int:
    """Send every message over one connection; returns how many were accepted."""
    return asyncio.run(_send(messages, host, port))
