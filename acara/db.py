"""Database engine, sessions and migrations."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import event as sa_event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from acara.settings import get_settings

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


@lru_cache
def engine_for(url: str) -> Engine:
    """One engine per database URL, with SQLite set up for concurrent writers."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        sa_event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


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


def upgrade(url: str | None = None) -> None:
    """Bring the database schema to the newest migration."""
    from alembic import command

    url = url or get_settings().database
    config = alembic_config(url)
    # Reuse our engine so SQLite gets its folder and pragmas like every other connection.
    with engine_for(url).begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
