"""Shared fixtures: a migrated database on SQLite and on a real PostgreSQL, settings per test."""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from acara import db as acara_db
from acara.settings import get_settings
from tests.pg import LocalPostgres

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
_counter = itertools.count()


class ExternalPostgres:
    """A server someone else runs (ACARA_TEST_POSTGRES_URL: a role allowed to create databases)."""

    def __init__(self, url: str) -> None:
        self.base = make_url(url)

    def url(self, database: str) -> str:
        """URL of one database on that server."""
        return self.base.set(database=database).render_as_string(hide_password=False)


@dataclass(frozen=True)
class PostgresTemplate:
    """A server and the name of a migrated database on it that tests are copied from."""

    server: LocalPostgres | ExternalPostgres
    template: str

    def new_database(self) -> str:
        """A fresh, migrated database (a copy of the template); returns its URL."""
        name = f"acara_test_{os.getpid()}_{next(_counter)}"
        _admin(self.server, f"CREATE DATABASE {name} TEMPLATE {self.template}")
        return self.server.url(name)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresTemplate]:
    """A PostgreSQL server with a migrated template database, for the whole session."""
    external = os.environ.get("ACARA_TEST_POSTGRES_URL")
    server: LocalPostgres | ExternalPostgres = (
        ExternalPostgres(external) if external else LocalPostgres()
    )
    if isinstance(server, LocalPostgres):
        server.start()
    template = f"acara_template_{os.getpid()}"
    try:
        _admin(server, f"CREATE DATABASE {template}")
        acara_db.upgrade(server.url(template))
        acara_db.engine_for(server.url(template)).dispose()
        yield PostgresTemplate(server, template)
    finally:
        if isinstance(server, LocalPostgres):
            server.stop()
        else:
            _admin(server, f"DROP DATABASE IF EXISTS {template}")


def _admin(server: LocalPostgres | ExternalPostgres, statement: str) -> None:
    admin = create_engine(server.url("postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(statement))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that each test copies (migrating once is much faster)."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    url = f"sqlite:///{path}"
    acara_db.upgrade(url)
    acara_db.engine_for(url).dispose()
    return path


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[str]:
    """A freshly migrated, empty database: every DB test runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        target = tmp_path / "acara.db"
        shutil.copyfile(sqlite_template, target)
        url = f"sqlite:///{target}"
    else:
        url = request.getfixturevalue("postgres").new_database()
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
