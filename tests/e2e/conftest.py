"""Browser tests' fixtures: Debian's Chromium through Playwright, the app on a real uvicorn."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, Playwright, sync_playwright
from sqlmodel import Session

from acara.settings import get_settings
from acara.web import create_app

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's Chromium, installed by scripts/system-deps.sh when missing."""
    if not Path(CHROMIUM).exists():
        subprocess.run(["bash", str(ROOT / "scripts" / "system-deps.sh")], check=False)
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.fail("Chromium is missing and scripts/system-deps.sh could not install it")
    return CHROMIUM


# Module scope: Playwright's sync API keeps an event loop running in the main thread while it
# is open, which would break every later test that calls asyncio.run().
@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright, chromium: str) -> Iterator[Browser]:
    """One browser for these tests; each test gets a fresh context (no shared cookies)."""
    instance = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
    yield instance
    instance.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def server(session: Session, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The web app served by uvicorn on a free port, in a thread; yields its base URL, which
    is ACARA_BASE_URL meanwhile (forms posted from any other origin are refused)."""
    port = _free_port()
    monkeypatch.setenv("ACARA_BASE_URL", f"http://127.0.0.1:{port}")
    get_settings.cache_clear()
    config = uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning")
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not instance.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    instance.should_exit = True
    thread.join(10)


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A phone-sized page: participants open their links on phones."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="id-ID")
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()
