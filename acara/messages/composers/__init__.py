"""Composers turn an outbox row into the message it stands for, one module per kind of message.

A composer writes a ComposedMessage (acara.messages.message), the same whatever the row's
channel: the channel's transport puts it into its medium. Write one with `@composer("minutes")`
on a function `(session, message) -> ComposedMessage` in a new module of this package; it is
found by itself. Helpers for the common parts (sender, recipient, per-batch cache) are in
acara.messages.composers.common; personal links are in acara.links.
"""

from acara.messages.composers.registry import (
    Composer,
    NoComposer,
    NotOwed,
    compose,
    composer,
    composer_for,
)

__all__ = ["Composer", "NoComposer", "NotOwed", "compose", "composer", "composer_for"]
