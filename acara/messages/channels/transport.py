"""What every channel's transport offers: send a batch, report each message as it goes.

A transport takes a batch of ComposedMessage and reports one DeliveryResult per message
through ``on_result`` as soon as its outcome is known, so the caller can mark the outbox row
at once: a crash then leaves at most the messages in flight unmarked.

``on_result`` runs on the event loop thread that awaits ``send_batch``, one call at a
time, never concurrently; it may be a plain function or return an awaitable (awaited
before that worker sends its next message). It should be quick: while a plain function
runs, no worker sends. If it raises, the batch stops and the exception propagates.

``send_batch`` returns the results in the order of the messages given. When it raises
(TransportAuthError, TransportUnavailable, an exception from on_result), the results
already passed to on_result stand and every other message is untouched: leave its row
as it was, it was not sent.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from acara.messages.message import ComposedMessage

ResultCallback = Callable[["DeliveryResult"], Awaitable[None] | None]


class DeliveryStatus(StrEnum):
    """Outcome of one message: sent, worth retrying later, or refused for good."""

    SENT = "sent"
    RETRY = "retry"  # 4xx, lost connection, timeout, or not attempted
    FAILED = "failed"  # 5xx for this recipient, or a message that cannot be built


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    """What happened to one message, keyed by its outbox key."""

    key: str
    status: DeliveryStatus
    detail: str = ""  # the server's reply (queue id when sent) or the error
    smtp_message_id: str | None = None  # the Message-ID header sent, e.g. "<acara...@host>"
    attempts: int = 0  # transactions tried for it in this batch


class TransportError(Exception):
    """Base of the errors that stop a whole batch."""


class TransportAuthError(TransportError):
    """The server refused our credentials: stop, nothing more can be sent."""


class TransportUnavailable(TransportError):
    """The server could not be reached at the start of a batch: nothing was sent."""


class Transport(Protocol):
    """Something that delivers a batch of messages in one channel's medium."""

    async def send_batch(
        self,
        messages: Sequence[ComposedMessage],
        on_result: ResultCallback | None = None,
    ) -> list[DeliveryResult]:
        """Deliver the messages; one result per message, in order."""
        ...

    def describe(self) -> str:
        """Where the messages go, for logs and the CLI (never a password)."""
        ...


async def report(callback: ResultCallback, result: DeliveryResult) -> None:
    """Hand one result to on_result, awaiting it when it returns an awaitable."""
    outcome = callback(result)
    if inspect.isawaitable(outcome):
        await outcome
