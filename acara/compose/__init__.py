"""Composers turn an outbox row into the e-mail it stands for, one module per kind of message.

Write one with `@composer("minutes")` on a function `(session, message) -> OutgoingMessage` in a
new module of this package; it is found by itself. Helpers for the common parts (sender,
recipient, per-batch cache, RSVP links) are in acara.compose.common.
"""

from acara.compose.registry import Composer, NoComposer, NotOwed, compose, composer, composer_for

__all__ = ["Composer", "NoComposer", "NotOwed", "compose", "composer", "composer_for"]
