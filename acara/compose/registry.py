"""The composer registry: the purpose of an outbox row picks the function that writes it."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from functools import lru_cache

from sqlmodel import Session

from acara.mail import OutgoingMessage
from models.outbox import Message

Composer = Callable[[Session, Message], OutgoingMessage]
_REGISTRY: dict[str, Composer] = {}


class NoComposer(LookupError):
    """No composer is registered for a purpose (a bug, reported per message)."""


class NotOwed(LookupError):
    """Raise it from a composer when its row no longer stands for a message: it is superseded."""


def composer(purpose: str) -> Callable[[Composer], Composer]:
    """Register a function `(session, message) -> OutgoingMessage` for a purpose prefix."""
    if not purpose or ":" in purpose:
        raise ValueError(f"register the prefix before ':' only, got {purpose!r}")

    def register(function: Composer) -> Composer:
        existing = _REGISTRY.get(purpose)
        if existing is not None and existing is not function:
            raise ValueError(f"purpose {purpose!r} already has composer {existing.__qualname__}")
        _REGISTRY[purpose] = function
        return function

    return register


@lru_cache(maxsize=1)
def _discover() -> None:
    # Every module of this package registers its composers on import: adding a purpose is
    # adding a module here, with no central list to edit.
    package = importlib.import_module("acara.compose")
    for info in pkgutil.iter_modules(package.__path__):
        if info.name not in ("registry", "common"):
            importlib.import_module(f"acara.compose.{info.name}")


# Where the most frequent purposes live, so sending invitations does not first import every
# composer (the follow-up letters pull in the PDF toolchain); anything else is discovered.
_HOME = {"invitation": "invitations", "update": "invitations", "cancellation": "invitations"}


def composer_for(purpose: str) -> Composer:
    """The composer for a purpose ("reminder:3d" uses the one registered as "reminder")."""
    prefix = purpose.split(":", 1)[0]
    if prefix not in _REGISTRY and prefix in _HOME:
        importlib.import_module(f"acara.compose.{_HOME[prefix]}")
    if prefix not in _REGISTRY:
        _discover()
    try:
        return _REGISTRY[prefix]
    except KeyError:
        raise NoComposer(f"no composer for purpose {purpose!r}") from None


def compose(session: Session, message: Message) -> OutgoingMessage:
    """Write the e-mail an outbox row stands for."""
    return composer_for(message.purpose)(session, message)
