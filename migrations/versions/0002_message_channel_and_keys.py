"""outbox rows name their channel; typed keys instead of structured purposes

Revision ID: 0002
Revises: 0001

A message names its channel (every row so far was an e-mail), and what used to be written
into the purpose gets columns of its own, which join the once-only unique keys:

    reminder:3d                    -> reminder, reminder_offset 4320 (minutes)
    action-reminder:12:2026-12-12  -> action-reminder, action_item_id 12, action_step_on 2026-12-12
    escalation:12                  -> escalation, action_item_id 12

Reminder rounds get the same reminder_offset. Rows are converted both ways.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

NO_DAY = date(1970, 1, 1)
_MINUTES = {"d": 24 * 60, "h": 60, "m": 1}
_OFFSET = re.compile(r"(\d+)([dhm])")

_MESSAGE_KEY_BEFORE = ["event_id", "recipient", "purpose", "sequence"]
_MESSAGE_KEY_AFTER = [
    "event_id",
    "recipient",
    "purpose",
    "sequence",
    "channel",
    "reminder_offset",
    "action_item_id",
    "action_step_on",
]
_ROUND_KEY_BEFORE = ["event_id", "purpose", "sequence"]
_ROUND_KEY_AFTER = ["event_id", "purpose", "reminder_offset", "sequence"]

message = sa.table(
    "message",
    sa.column("id", sa.Integer),
    sa.column("purpose", sa.String),
    sa.column("reminder_offset", sa.Integer),
    sa.column("action_item_id", sa.Integer),
    sa.column("action_step_on", sa.Date),
)
reminderround = sa.table(
    "reminderround",
    sa.column("id", sa.Integer),
    sa.column("purpose", sa.String),
    sa.column("reminder_offset", sa.Integer),
)


def _minutes(label: str) -> int:
    match = _OFFSET.fullmatch(label)
    if match is None:
        raise ValueError(f"not a reminder offset: {label!r}")
    return int(match[1]) * _MINUTES[match[2]]


def _label(minutes: int) -> str:
    for unit in "dh":
        if minutes % _MINUTES[unit] == 0:
            return f"{minutes // _MINUTES[unit]}{unit}"
    return f"{minutes}m"


def _typed(purpose: str) -> dict[str, Any]:
    """The columns an old structured purpose stands for."""
    kind, _, rest = purpose.partition(":")
    typed: dict[str, Any] = {
        "purpose": kind,
        "reminder_offset": 0,
        "action_item_id": 0,
        "action_step_on": NO_DAY,
    }
    if kind == "reminder":
        typed["reminder_offset"] = _minutes(rest)
    elif kind == "escalation":
        typed["action_item_id"] = int(rest)
    elif kind == "action-reminder":
        item, _, day = rest.partition(":")
        typed["action_item_id"] = int(item)
        typed["action_step_on"] = date.fromisoformat(day)
    else:
        raise ValueError(f"unknown structured purpose {purpose!r}")
    return typed


def _structured(row: Any) -> dict[str, Any]:
    """The old purpose of a row with typed columns."""
    if row.purpose == "reminder":
        return {"purpose": f"reminder:{_label(row.reminder_offset)}"}
    if row.purpose == "escalation":
        return {"purpose": f"escalation:{row.action_item_id}"}
    step = row.action_step_on
    day = step if isinstance(step, date) else date.fromisoformat(step)
    return {"purpose": f"action-reminder:{row.action_item_id}:{day.isoformat()}"}


def _rewrite(
    table: Any, where: Any, columns: list[str], change: Callable[[Any], dict[str, Any]]
) -> None:
    """Give every row matching `where` the values change(row) computes (the same keys each)."""
    connection = op.get_bind()
    rows = connection.execute(sa.select(table.c.id, *(table.c[c] for c in columns)).where(where))
    updates = [{"row_id": row.id, **change(row)} for row in rows]
    if not updates:
        return
    statement = (
        table.update()
        .where(table.c.id == sa.bindparam("row_id"))
        .values({name: sa.bindparam(name) for name in updates[0] if name != "row_id"})
    )
    connection.execute(statement, updates)


def upgrade() -> None:
    with op.batch_alter_table("message") as batch:
        batch.drop_constraint("uq_message_once", type_="unique")
        batch.add_column(
            sa.Column(
                "channel",
                sa.Enum("email", name="channel", native_enum=False, length=32),
                nullable=False,
                server_default="email",
            )
        )
        batch.add_column(
            sa.Column("reminder_offset", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(
            sa.Column("action_item_id", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(
            sa.Column(
                "action_step_on", sa.Date(), nullable=False, server_default=NO_DAY.isoformat()
            )
        )
    with op.batch_alter_table("reminderround") as batch:
        batch.drop_constraint("uq_reminderround_once", type_="unique")
        batch.add_column(
            sa.Column("reminder_offset", sa.Integer(), nullable=False, server_default="0")
        )

    _rewrite(message, message.c.purpose.like("%:%"), ["purpose"], lambda row: _typed(row.purpose))
    _rewrite(reminderround, reminderround.c.purpose.like("%:%"), ["purpose"], _round_typed)

    with op.batch_alter_table("message") as batch:
        for name in ("channel", "reminder_offset", "action_item_id", "action_step_on"):
            batch.alter_column(name, server_default=None)
        batch.create_unique_constraint("uq_message_once", _MESSAGE_KEY_AFTER)
    with op.batch_alter_table("reminderround") as batch:
        batch.alter_column("reminder_offset", server_default=None)
        batch.create_unique_constraint("uq_reminderround_once", _ROUND_KEY_AFTER)


def _round_typed(row: Any) -> dict[str, Any]:
    typed = _typed(row.purpose)
    return {"purpose": typed["purpose"], "reminder_offset": typed["reminder_offset"]}


def downgrade() -> None:
    with op.batch_alter_table("message") as batch:
        batch.drop_constraint("uq_message_once", type_="unique")
    with op.batch_alter_table("reminderround") as batch:
        batch.drop_constraint("uq_reminderround_once", type_="unique")

    _rewrite(
        message,
        message.c.purpose.in_(("reminder", "escalation", "action-reminder")),
        ["purpose", "reminder_offset", "action_item_id", "action_step_on"],
        _structured,
    )
    _rewrite(
        reminderround,
        reminderround.c.purpose == "reminder",
        ["purpose", "reminder_offset"],
        _structured,
    )

    with op.batch_alter_table("message") as batch:
        for name in ("action_step_on", "action_item_id", "reminder_offset", "channel"):
            batch.drop_column(name)
        batch.create_unique_constraint("uq_message_once", _MESSAGE_KEY_BEFORE)
    with op.batch_alter_table("reminderround") as batch:
        batch.drop_column("reminder_offset")
        batch.create_unique_constraint("uq_reminderround_once", _ROUND_KEY_BEFORE)
