"""spei dispersions: a batch file of SPEI payouts for the bank's portal, and each payout's status

Revision ID: e5c3e9f42d53
Revises: e5e50b164f75
Create Date: 2026-12-06 22:00:00.000000
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = "e5c3e9f42d53"
down_revision = "e5e50b164f75"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dispersion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("layout", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("total_cents", sa.BigInteger(), nullable=False),
        sa.Column("line_count", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("settled_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["created_by"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_dispersion_status"), "dispersion", ["status"], unique=False)
    # Every payout recorded before dispersions existed was sent when it was recorded.
    with op.batch_alter_table("payout") as batch:
        batch.add_column(
            sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False, server_default="sent")
        )
        batch.add_column(sa.Column("dispersion_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("tracking_key", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True))
        batch.add_column(sa.Column("failure_reason", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True))
        batch.add_column(sa.Column("settled_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch.create_index(batch.f("ix_payout_status"), ["status"], unique=False)
        batch.create_index(batch.f("ix_payout_dispersion_id"), ["dispersion_id"], unique=False)
        batch.create_foreign_key("fk_payout_dispersion_id_dispersion", "dispersion", ["dispersion_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("payout") as batch:
        batch.drop_constraint("fk_payout_dispersion_id_dispersion", type_="foreignkey")
        batch.drop_index(batch.f("ix_payout_dispersion_id"))
        batch.drop_index(batch.f("ix_payout_status"))
        batch.drop_column("settled_at")
        batch.drop_column("failure_reason")
        batch.drop_column("tracking_key")
        batch.drop_column("dispersion_id")
        batch.drop_column("status")
    op.drop_index(op.f("ix_dispersion_status"), table_name="dispersion")
    op.drop_table("dispersion")
