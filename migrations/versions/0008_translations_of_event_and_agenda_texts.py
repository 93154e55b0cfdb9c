"""translations of event and agenda texts

Revision ID: 0008
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

# Title, subject, description (event) and title, description (agenda session) for foreign
# guests: {"en": {"title": ...}} (models.event.Translated). Plain ALTER TABLE, not a batch: a
# batch rebuilds the table on SQLite, and dropping `event` fails while rows refer to it.
TABLES = ('event', 'agendasession')


def upgrade() -> None:
    for table in TABLES:
        op.add_column(
            table,
            sa.Column('translations', sa.JSON(), server_default=sa.text("'{}'"), nullable=False),
        )


def downgrade() -> None:
    for table in TABLES:
        op.drop_column(table, 'translations')
