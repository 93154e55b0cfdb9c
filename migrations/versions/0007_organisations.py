"""organisations with kop, logo, sender and signatories; an event's signatory; one event per
series volume

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

# Columns added to organisation: (name, length). Existing rows (guests and hosts named in event
# files) get empty values; `acara organisations import` fills the hosts in.
TEXT_COLUMNS = (
    ('logo', 500),
    ('address', 500),
    ('phone', 80),
    ('website', 200),
    ('email', 320),
    ('city', 120),
    ('sender_name', 300),
    ('sender_email', 320),
    ('default_signatory', 80),
)


# Only added columns and indexes: SQLite then alters the tables in place, never copying a table
# that other rows refer to (the copy would fail on their foreign keys).
def upgrade() -> None:
    op.create_table('signatory',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('position', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('rank', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('nip', sqlmodel.sql.sqltypes.AutoString(length=18), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('organisation_id', 'key')
    )
    op.create_index(op.f('ix_signatory_organisation_id'), 'signatory', ['organisation_id'], unique=False)

    op.add_column('event', sa.Column('signatory', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True))
    op.create_index('uq_event_series_number', 'event', ['series', 'number'], unique=True)

    op.add_column('organisation', sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True))
    op.add_column('organisation', sa.Column('kop_lines', sa.JSON(), server_default='[]', nullable=False))
    for name, length in TEXT_COLUMNS:
        op.add_column('organisation', sa.Column(name, sqlmodel.sql.sqltypes.AutoString(length=length), server_default='', nullable=False))
    op.create_index(op.f('ix_organisation_key'), 'organisation', ['key'], unique=True)


def downgrade() -> None:
    op.drop_index(op.f('ix_organisation_key'), table_name='organisation')
    for name, _ in reversed(TEXT_COLUMNS):
        op.drop_column('organisation', name)
    op.drop_column('organisation', 'kop_lines')
    op.drop_column('organisation', 'key')

    op.drop_index('uq_event_series_number', table_name='event')
    op.drop_column('event', 'signatory')

    op.drop_index(op.f('ix_signatory_organisation_id'), table_name='signatory')
    op.drop_table('signatory')
