"""Shared fixtures: a migrated database on SQLite and on a real PostgreSQL, settings per test."""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from acara import db as acara_db
from acara.settings import get_settings
from acara.userfiles import load_yaml
from models.organisations import import_organisations, parse_organisations
from tests.pg import LocalPostgres
from tests.smtp_server import SmtpSink

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
_counter = itertools.count()
POSTGRES_URL = "ACARA_TEST_POSTGRES_URL"  # a server to use instead of starting one
_SHARED_SERVER = pytest.StashKey[LocalPostgres]()
RAM_DISK = "/dev/shm"
RAM_DISK_NEEDED = 2 * 1024**3  # bytes free; a run keeps well under a tenth of it


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

    @contextmanager
    def new_database(self) -> Iterator[str]:
        """A fresh, migrated database (a copy of the template), dropped after use."""
        name = f"acara_test_{os.getpid()}_{next(_counter)}"
        _admin(self.server, f"CREATE DATABASE {name} TEMPLATE {self.template}")
        url = self.server.url(name)
        yield url
        acara_db.engine_for(url).dispose()
        _admin(self.server, f"DROP DATABASE {name} WITH (FORCE)")


def pytest_configure(config: pytest.Config) -> None:
    """Temporary files go to RAM when it has room; under pytest-xdist the controller starts the
    one PostgreSQL server all workers share."""
    _temporary_files_in_ram()
    if _distributed(config) and not os.environ.get(POSTGRES_URL):
        server = LocalPostgres()
        config.stash[_SHARED_SERVER] = server
        server.start()


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """Tell each xdist worker where the controller's PostgreSQL server listens."""
    server = node.config.stash.get(_SHARED_SERVER, None)
    if server is not None:
        node.workerinput[POSTGRES_URL] = server.url("postgres")


def pytest_unconfigure(config: pytest.Config) -> None:
    server = config.stash.get(_SHARED_SERVER, None)
    if server is not None:
        server.stop()


def _temporary_files_in_ram() -> None:
    """Point TMPDIR (pytest's tmp_path, the PostgreSQL cluster, Prefect's test database) at
    /dev/shm unless TMPDIR is set: a disk's sync costs make CREATE DATABASE and SQLite commits
    ten times slower there. Workers and subprocesses inherit it."""
    if os.environ.get("TMPDIR") or not os.access(RAM_DISK, os.W_OK):
        return
    stat = os.statvfs(RAM_DISK)
    if stat.f_bavail * stat.f_frsize >= RAM_DISK_NEEDED:
        os.environ["TMPDIR"] = RAM_DISK
        tempfile.tempdir = None  # gettempdir() reads TMPDIR again


def _distributed(config: pytest.Config) -> bool:
    """True in the xdist controller of a run with workers."""
    return bool(getattr(config.option, "numprocesses", None)) and not hasattr(config, "workerinput")


@pytest.fixture(scope="session")
def postgres(pytestconfig: pytest.Config) -> Iterator[PostgresTemplate]:
    """A PostgreSQL server with a migrated template database, for the whole session.

    The server is, in this order: ACARA_TEST_POSTGRES_URL's, the one the xdist controller
    started, or one this process starts. Each process migrates its own template.
    """
    workerinput = getattr(pytestconfig, "workerinput", {})
    external = os.environ.get(POSTGRES_URL) or workerinput.get(POSTGRES_URL)
    server: LocalPostgres | ExternalPostgres = (
        ExternalPostgres(external) if external else LocalPostgres()
    )
    if isinstance(server, LocalPostgres):
        server.start()
    template = f"acara_template_{os.getpid()}"
    try:
        _admin(server, f"CREATE DATABASE {template}")
        migrated(server.url(template))
        yield PostgresTemplate(server, template)
    finally:
        if isinstance(server, LocalPostgres):
            server.stop()
        else:
            _admin(server, f"DROP DATABASE IF EXISTS {template}")


def migrated(url: str) -> None:
    """Migrate a template database and load the example host organisations into it (event
    files name their host by key: examples/organisations.yaml)."""
    acara_db.upgrade(url)
    folder = EXAMPLES
    parsed = parse_organisations(
        load_yaml(folder / "organisations.yaml"), "organisations.yaml", folder
    )
    with Session(acara_db.engine_for(url)) as session:
        import_organisations(session, parsed)
        session.commit()
    acara_db.engine_for(url).dispose()


def _admin(server: LocalPostgres | ExternalPostgres, statement: str) -> None:
    admin = create_engine(server.url("postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(statement))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that each test copies (migrating once is much faster)."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    migrated(f"sqlite:///{path}")
    return path


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[str]:
    """A freshly migrated, empty database: every DB test runs on SQLite and on PostgreSQL."""
    if request.param == "postgres":
        with request.getfixturevalue("postgres").new_database() as url:
            yield url
        return
    target = tmp_path / "acara.db"
    shutil.copyfile(sqlite_template, target)
    url = f"sqlite:///{target}"
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


@pytest.fixture
def sink(acara_env: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpSink]:
    """An SMTP server the settings point at (acara's transport reuses its connections)."""
    with SmtpSink() as server:
        monkeypatch.setenv("ACARA_SMTP_URL", server.url)
        get_settings.cache_clear()
        yield server


@pytest.fixture(scope="session")
def prefect_harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The one Prefect test server of the session (about 10 s to start); flows run against it."""
    home = tmp_path_factory.mktemp("prefect-home")
    os.environ.setdefault("PREFECT_HOME", str(home))
    os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    from prefect.settings import PREFECT_SERVER_DATABASE_CONNECTION_URL
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        database = make_url(PREFECT_SERVER_DATABASE_CONNECTION_URL.value()).database
        yield
    # Prefect removes the folder of its test database at exit, which xdist workers skip: empty
    # it here, and leave the folder itself for Prefect's own clean-up where that does run.
    if database:
        folder = Path(database).parent
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(exist_ok=True)
