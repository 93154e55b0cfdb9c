"""Database engine, sessions and migrations.

A SQLite file is watched: every connection taken from the pool and every commit first checks
that the file is still the one opened (same device and inode). A database deleted or replaced
under a running server is refused (DatabaseLost, HTTP 503, exit code 4) instead of answers
being written to an unlinked file and lost. Only `acara db upgrade` creates a database file:
other commands refuse a missing one, and a file that existed before (a marker lies next to
it) is never silently recreated empty.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from sqlalchemy import event as sa_event
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from acara.settings import get_settings
from models.errors import AcaraError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


class DatabaseLost(AcaraError):
    """The database file is missing, or was deleted or replaced while acara was using it."""

    exit_code = 4
    http_status = 503


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for PostgreSQL and in-memory SQLite)."""
    if not url.startswith("sqlite"):
        return None
    path = url.split("///", 1)[-1].split("?", 1)[0]
    if not path or path == ":memory:" or path.startswith("file:"):
        return None
    return Path(path)


def marker_of(path: Path) -> Path:
    """The file that records that a database was created at `path` (and when)."""
    return path.with_name(path.name + ".created")


def _earlier_database(path: Path) -> str | None:
    """Why we believe a database existed at `path` before, or None."""
    marker = marker_of(path)
    if marker.exists():
        created = marker.read_text(encoding="utf-8", errors="replace").strip()[:40]
        return f"{marker.name} says one was created there ({created})"
    for suffix in ("-wal", "-shm"):
        if path.with_name(path.name + suffix).exists():
            return f"{path.name}{suffix} is still there"
    return None


def missing_message(path: Path) -> str:
    """What to tell an officer when the database file is not there."""
    earlier = _earlier_database(path)
    if earlier:
        return (
            f"the database {path} is missing, but an earlier one existed ({earlier}). "
            "Restore it from a backup, or run `acara db upgrade` to start a new, empty one."
        )
    return f"the database {path} does not exist yet: run `acara db upgrade` first."


class _FileGuard:
    """Remembers which file a SQLite engine opened and refuses any other (or none)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.identity: tuple[int, int] | None = None

    def connect(self) -> sqlite3.Connection:
        # mode=rw: opening never creates the file (only `upgrade` does).
        if not self.path.exists():
            if self.identity is not None:
                raise self._lost("was deleted")
            raise DatabaseLost(missing_message(self.path))
        connection = sqlite3.connect(
            f"file:{quote(str(self.path))}?mode=rw", uri=True, timeout=30, check_same_thread=False
        )
        self.check()
        return connection

    def check(self, *_: Any) -> None:
        try:
            stat = os.stat(self.path)
        except FileNotFoundError:
            raise self._lost("was deleted") from None
        identity = (stat.st_dev, stat.st_ino)
        if self.identity is None:
            self.identity = identity
        elif identity != self.identity:
            raise self._lost("was replaced by another file")

    def _lost(self, what: str) -> DatabaseLost:
        return DatabaseLost(
            f"the database {self.path} {what} while acara was running; nothing more is "
            "written to it. Stop acara, restore the file from a backup (or run `acara db "
            "upgrade` for a new, empty one) and start acara again."
        )


_GUARDS: dict[str, _FileGuard] = {}


@lru_cache
def engine_for(url: str) -> Engine:
    """One engine per database URL, with SQLite set up for concurrent writers and watched."""
    path = sqlite_path(url)
    if path is not None:
        guard = _GUARDS[url] = _FileGuard(path.resolve())
        engine = create_engine(url, creator=guard.connect)
        sa_event.listen(engine, "connect", _sqlite_pragmas)
        sa_event.listen(engine, "checkout", guard.check)
        sa_event.listen(engine, "commit", guard.check)
        return engine
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        sa_event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


# The tables whose absence means "not an acara database" (or not migrated).
CORE_TABLES = ("alembic_version", "event", "participant", "message")


def check_health(url: str | None = None) -> None:
    """DatabaseLost unless the database answers and holds acara's tables."""
    url = url or get_settings().database
    with engine_for(url).connect() as connection:
        present = set(sa_inspect(connection).get_table_names())
    missing = [t for t in CORE_TABLES if t not in present]
    if missing:
        raise DatabaseLost(
            f"the database has no acara tables ({', '.join(missing)} missing): "
            "run `acara db upgrade`."
        )


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    # WAL lets the web app read while a sender writes; foreign keys are off by default.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    # In WAL mode NORMAL still survives a killed process (only a power cut can lose the last
    # commits); FULL would fsync on every commit, ~10 ms here, and the outbox commits often.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def engine() -> Engine:
    """The engine for the configured database."""
    return engine_for(get_settings().database)


@contextmanager
def unit_of_work(url: str | None = None, *, keep: bool = True) -> Iterator[Session]:
    """A session that commits when the block ends and rolls back on any error.

    keep=False rolls back at the end as well: a dry run that leaves no trace.
    """
    with Session(engine_for(url) if url else engine(), expire_on_commit=False) as session:
        try:
            yield session
            if keep:
                session.commit()
            else:
                # Detached first, the objects keep what the block made of them (a dry run's
                # "as if"); the rollback then discards it all in the database.
                session.expunge_all()
                session.rollback()
        except BaseException:
            session.rollback()
            raise


def alembic_config(url: str) -> Config:
    """Alembic configuration pointing at our migrations and the given database."""
    from alembic.config import Config  # only migrations need Alembic: keep the CLI quick

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def create_sqlite_file(path: Path, *, replace_lost: bool) -> bool:
    """Create an empty SQLite file where none is; True if one was created.

    A file that existed there before (see `missing_message`) is recreated only with
    replace_lost (the officer ran `acara db upgrade`); otherwise DatabaseLost.
    """
    if path.exists():
        return False
    if not replace_lost and _earlier_database(path):
        raise DatabaseLost(missing_message(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("-wal", "-shm"):  # an old journal must not be replayed into the new file
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    sqlite3.connect(path).close()
    marker_of(path).write_text(datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC") + "\n")
    return True


def upgrade(url: str | None = None, *, replace_lost: bool = False) -> bool:
    """Bring the database schema to the newest migration; True if a new SQLite file was made.

    A SQLite file is created when missing, unless one existed before and replace_lost is
    False (a restart must not silently start from an empty database).
    """
    from alembic import command

    url = url or get_settings().database
    path = sqlite_path(url)
    created = create_sqlite_file(path.resolve(), replace_lost=replace_lost) if path else False
    if created and url in _GUARDS:  # a new file: this process may use it from now on
        engine_for(url).dispose()
        _GUARDS[url].identity = None
    config = alembic_config(url)
    # Reuse our engine so SQLite gets its folder and pragmas like every other connection.
    with engine_for(url).begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    return created
