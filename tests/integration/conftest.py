"""Fixtures of the web tests over HTTP: a client of the app, and one logged in as an officer."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from acara.web import create_app
from tests.web_helpers import add_officer, log_in


@pytest.fixture
def client(session: Session, db_url: str) -> Iterator[TestClient]:
    """A client on the test database; server errors become pages, as for a real browser."""
    with TestClient(create_app(), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def officer(client: TestClient) -> TestClient:
    """The same client, logged in as the officer Rina."""
    add_officer("Rina")
    log_in(client)
    return client
