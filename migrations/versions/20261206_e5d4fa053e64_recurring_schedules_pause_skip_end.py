"""recurring schedules that bend: an awarded demand's deliveries may be paused, resumed or ended, and each
delivery (call-off) has a status: scheduled, placed, skipped or cancelled

Existing demands are running (`active`); an existing call-off whose order was placed is `placed`, any other
`scheduled`.

Revision ID: e5d4fa053e64
Revises: e5b2d8e31c42
Create Date: 2026-12-06 21:45:00.000000
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = "e5d4fa053e64"
down_revision = "e5b2d8e31c42"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("demand") as batch:
        batch.add_column(
            sa.Column(
                "schedule_status", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False, server_default="active"
            )
        )
        batch.add_column(sa.Column("paused_on", sa.Date(), nullable=True))
    with op.batch_alter_table("calloff") as batch:
        batch.add_column(
            sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False, server_default="scheduled")
        )
        batch.create_index(batch.f("ix_calloff_status"), ["status"], unique=False)
    op.execute("UPDATE calloff SET status = 'placed' WHERE order_id IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("calloff") as batch:
        batch.drop_index(batch.f("ix_calloff_status"))
        batch.drop_column("status")
    with op.batch_alter_table("demand") as batch:
        batch.drop_column("paused_on")
        batch.drop_column("schedule_status")
