"""The whole content of a (small) test database, to prove a rejected change left no trace."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

import models  # noqa: F401  (registers every table)


def snapshot(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every acara table, in a stable order."""
    out: dict[str, list[tuple[object, ...]]] = {}
    with engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            rows = conn.execute(select(table)).all()
            out[table.name] = sorted((tuple(r) for r in rows), key=repr)
    return out
