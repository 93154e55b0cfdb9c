"""Running the web app with uvicorn."""

from __future__ import annotations

import copy
import logging
import re
from typing import Any

import uvicorn
from uvicorn.config import LOGGING_CONFIG

from acara.web.app import create_app

log = logging.getLogger(__name__)

# Paths whose last parts are secrets: a signed RSVP or survey token, a personal check-in code.
# Whoever reads the access log must not be able to answer or check in for someone.
_SECRET_PATH = re.compile(r"^(/(?:rsvp|survey|checkin)/)[^/?#]+")
_SECRET_QUERY = re.compile(r"((?:^|[?&])(?:token|code|t|c)=)[^&#]*", re.IGNORECASE)


def redact_path(path: str) -> str:
    """A request path as the access log may show it: tokens and codes replaced by '…'."""
    path = _SECRET_PATH.sub(r"\1…", path)
    return _SECRET_QUERY.sub(r"\1…", path)


class RedactSecrets(logging.Filter):
    """A filter for uvicorn's access log: its third argument is the path with the query."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], redact_path(args[2]), *args[3:])
        return True


def log_config() -> dict[str, Any]:
    """uvicorn's own logging set-up, with the access log passed through RedactSecrets."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact"] = {"()": RedactSecrets}
    config["handlers"]["access"].setdefault("filters", []).append("redact")
    return config


def serve(host: str, port: int) -> None:
    """Serve until interrupted; access log on, no auto-reload (this is not a dev server)."""
    log.info("acara web on http://%s:%d", host, port)
    uvicorn.run(
        create_app(),
        host=host,
        port=port,
        log_level="info",
        proxy_headers=False,
        log_config=log_config(),
    )
