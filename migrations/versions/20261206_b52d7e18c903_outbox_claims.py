"""outbox claims: a worker claims a batch of events in one statement, for a while (claimed_until)

Revision ID: b52d7e18c903
Revises: a41c0e9d7b52
Create Date: 2026-12-06 17:30:00.000000
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = "b52d7e18c903"
down_revision = "a41c0e9d7b52"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outboxevent") as batch:
        batch.add_column(sa.Column("claimed_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outboxevent") as batch:
        batch.drop_column("claimed_until")
