"""Running the web app with uvicorn."""

from __future__ import annotations

import logging

import uvicorn

from acara.web.app import create_app

log = logging.getLogger(__name__)


def serve(host: str, port: int) -> None:
    """Serve until interrupted; access log on, no auto-reload (this is not a dev server)."""
    log.info("acara web on http://%s:%d", host, port)
    uvicorn.run(create_app(), host=host, port=port, log_level="info", proxy_headers=False)
