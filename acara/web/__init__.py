"""The web app: RSVP and check-in pages for participants, dashboard and desk for officers.

Importing this package is cheap (no FastAPI): the reminder composer only needs the QR helpers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from acara.web.codes import checkin_code, checkin_qr_png, checkin_qr_svg, checkin_url

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
    "checkin_code",
    "checkin_qr_png",
    "checkin_qr_svg",
    "checkin_url",
    "create_app",
    "serve_web",
]
