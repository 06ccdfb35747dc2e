"""organization pickup hours: when a buyer may pick up (shown on the listing, the cart and the order)

Revision ID: d4f1a3c8e217
Revises: b52d7e18c903
Create Date: 2026-12-06 19:40:00.000000
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = "d4f1a3c8e217"
down_revision = "b52d7e18c903"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("organization") as batch:
        batch.add_column(sa.Column("pickup_hours", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("organization") as batch:
        batch.drop_column("pickup_hours")
