"""The composer registry: the purpose of an outbox row picks the function that writes it."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from functools import lru_cache

from sqlmodel import Session

from acara.messages.message import ComposedMessage
from models.outbox import Message

Composer = Callable[[Session, Message], ComposedMessage]
_REGISTRY: dict[str, Composer] = {}
_PACKAGE = "acara.messages.composers"


class NoComposer(LookupError):
    """No composer is registered for a purpose (a bug, reported per message)."""


class NotOwed(LookupError):
    """Raise it from a composer when its row no longer stands for a message: it is superseded."""


def composer(purpose: str) -> Callable[[Composer], Composer]:
    """Register a function `(session, message) -> ComposedMessage` for a purpose."""
    if not purpose:
        raise ValueError("a composer needs a purpose")

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
    package = importlib.import_module(_PACKAGE)
    for info in pkgutil.iter_modules(package.__path__):
        if info.name not in ("registry", "common"):
            importlib.import_module(f"{_PACKAGE}.{info.name}")


# Where the most frequent purposes live, so sending invitations does not first import every
# composer (the follow-up letters pull in the PDF toolchain); anything else is discovered.
_HOME = {"invitation": "invitations", "update": "invitations", "cancellation": "invitations"}


def composer_for(purpose: str) -> Composer:
    """The composer registered for a purpose."""
    if purpose not in _REGISTRY and purpose in _HOME:
        importlib.import_module(f"{_PACKAGE}.{_HOME[purpose]}")
    if purpose not in _REGISTRY:
        _discover()
    try:
        return _REGISTRY[purpose]
    except KeyError:
        raise NoComposer(f"no composer for purpose {purpose!r}") from None


def compose(session: Session, message: Message) -> ComposedMessage:
    """Write the message an outbox row stands for."""
    return composer_for(message.purpose)(session, message)
