"""people without e-mail: phone in E.164, postal address, channel

Revision ID: 0010
Revises: 0009
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import models.clock

from models.plan import normalise_phone


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

_REQUIRED = "email VARCHAR(320) NOT NULL"
_OPTIONAL = "email VARCHAR(320)"


def _email_column(before: str, after: str) -> None:
    """Make person.email optional (or required again).

    PostgreSQL alters the column. SQLite would copy the table and drop the old one, which its
    foreign keys (on in acara, and not switchable inside the migration's transaction) refuse
    while participants refer to people. Dropping or adding NOT NULL does not change how rows
    are stored, so the table's definition is edited in place, as SQLite's documentation
    describes for removing a NOT NULL constraint (ALTER TABLE, "other kinds of changes").
    """
    connection = op.get_bind()
    if connection.dialect.name != "sqlite":
        op.alter_column('person', 'email', existing_type=sa.VARCHAR(length=320), nullable=after == _OPTIONAL)
        return
    version = connection.exec_driver_sql("PRAGMA schema_version").scalar()
    connection.exec_driver_sql("PRAGMA writable_schema = ON")
    changed = connection.exec_driver_sql(
        "UPDATE sqlite_master SET sql = replace(sql, ?, ?) "
        "WHERE type = 'table' AND name = 'person' AND instr(sql, ?) > 0",
        (before, after, before),
    ).rowcount
    connection.exec_driver_sql(f"PRAGMA schema_version = {version + 1}")
    connection.exec_driver_sql("PRAGMA writable_schema = OFF")
    if changed != 1:
        raise RuntimeError(f"person.email is not declared as {before!r}; change it by hand")


def upgrade() -> None:
    op.add_column('person', sa.Column('address', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False, server_default=''))
    op.add_column('person', sa.Column('via', sa.Enum('email', 'letter', 'chat', 'letter+chat', name='via', native_enum=False, length=32), nullable=False, server_default='email'))
    _email_column(_REQUIRED, _OPTIONAL)
    op.create_index(op.f('ix_person_phone'), 'person', ['phone'], unique=False)
    # Phones are now kept in E.164, the form people are merged by; one that cannot be read
    # stays as it was written.
    connection = op.get_bind()
    person = sa.table('person', sa.column('id', sa.Integer), sa.column('phone', sa.String))
    for row in connection.execute(sa.select(person.c.id, person.c.phone).where(person.c.phone != '')).all():
        try:
            phone = normalise_phone(row.phone)
        except ValueError:
            continue
        if phone != row.phone:
            connection.execute(person.update().where(person.c.id == row.id).values(phone=phone))


def downgrade() -> None:
    connection = op.get_bind()
    if connection.execute(sa.text("SELECT count(*) FROM person WHERE email IS NULL")).scalar():
        raise RuntimeError(
            "people without an e-mail address are on file; the schema before 0010 cannot hold them"
        )
    op.drop_index(op.f('ix_person_phone'), table_name='person')
    _email_column(_OPTIONAL, _REQUIRED)
    # SQLite (3.35 and later) drops a column in place; a batch copy would meet the foreign keys.
    for column in ('via', 'address'):
        op.execute(f"ALTER TABLE person DROP COLUMN {column}")
