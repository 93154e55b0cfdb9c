"""Channels: how a composed message reaches someone, one transport per channel.

The registry maps an outbox row's channel to the transport the settings configure for it.
Today only e-mail exists (SMTP, or a maildir without a server). A printed letter (a PDF to
print and post) and a chat message (a WhatsApp click-to-chat link) come as new values of
models.outbox.Channel, each with a module here offering a `transport_from_settings`.
"""

from __future__ import annotations

from collections.abc import Callable

from acara.messages.channels import email
from acara.messages.channels.transport import (
    DeliveryResult,
    DeliveryStatus,
    ResultCallback,
    Transport,
    TransportAuthError,
    TransportError,
    TransportUnavailable,
)
from models.outbox import Channel

# channel -> how to make its transport from the settings
TRANSPORTS: dict[Channel, Callable[[], Transport]] = {
    Channel.EMAIL: email.transport_from_settings,
}


def transport_for(channel: Channel) -> Transport:
    """The transport the settings configure for a channel."""
    return TRANSPORTS[channel]()


__all__ = [
    "TRANSPORTS",
    "DeliveryResult",
    "DeliveryStatus",
    "ResultCallback",
    "Transport",
    "TransportAuthError",
    "TransportError",
    "TransportUnavailable",
    "transport_for",
]
