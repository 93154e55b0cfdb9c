"""The web app: RSVP and check-in pages for participants, dashboard and desk for officers.

Importing this package is cheap (no FastAPI): the CLI asks it for the host and port.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def create_app() -> FastAPI:
    """The FastAPI application on the database of the settings."""
    from acara.web.app import create_app as _create_app

    return _create_app()


def serve_web(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> None:
    """Serve the web app with uvicorn until interrupted."""
    from acara.web.server import serve

    serve(host, port)


__all__ = [
    "create_app",
    "serve_web",
]
