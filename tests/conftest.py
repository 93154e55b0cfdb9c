"""Shared fixtures: a migrated database on SQLite and on a real PostgreSQL, settings per test."""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlmodel import Session

from acara import db as acara_db
from acara.settings import get_settings
from tests.pg import LocalPostgres

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
_counter = itertools.count()


@pytest.fixture(scope="session")
def postgres() -> Iterator[LocalPostgres | str]:
    """A PostgreSQL server for the session: ACARA_TEST_POSTGRES_URL or one started here."""
    if url := os.environ.get("ACARA_TEST_POSTGRES_URL"):
        yield url
        return
    server = LocalPostgres()
    server.start()
    try:
        admin = create_engine(server.url("postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("CREATE DATABASE acara_template"))
        admin.dispose()
        acara_db.upgrade(server.url("acara_template"))
        acara_db.engine_for(server.url("acara_template")).dispose()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that each test copies (migrating once is much faster)."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    url = f"sqlite:///{path}"
    acara_db.upgrade(url)
    acara_db.engine_for(url).dispose()
    return path


def _postgres_database(server: LocalPostgres | str) -> str:
    if isinstance(server, str):
        return server
    name = f"acara_test_{os.getpid()}_{next(_counter)}"
    admin = create_engine(server.url("postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name} TEMPLATE acara_template"))
    admin.dispose()
    return server.url(name)


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[str]:
    """A freshly migrated, empty database: every DB test runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        target = tmp_path / "acara.db"
        shutil.copyfile(sqlite_template, target)
        url = f"sqlite:///{target}"
    else:
        url = _postgres_database(request.getfixturevalue("postgres"))
    yield url
    acara_db.engine_for(url).dispose()


@pytest.fixture
def acara_env(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point settings (database, data folder) at this test's database; yields the data folder."""
    data = tmp_path / "data"
    monkeypatch.setenv("ACARA_DATABASE_URL", db_url)
    monkeypatch.setenv("ACARA_DATA_DIR", str(data))
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield data
    get_settings.cache_clear()


@pytest.fixture
def session(acara_env: Path, db_url: str) -> Iterator[Session]:
    """A session on the test database (settings already point at it)."""
    with Session(acara_db.engine_for(db_url), expire_on_commit=False) as s:
        yield s


@pytest.fixture(scope="session")
def prefect_harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The one Prefect test server of the session (about 10 s to start); flows run against it."""
    home = tmp_path_factory.mktemp("prefect-home")
    os.environ.setdefault("PREFECT_HOME", str(home))
    os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield
