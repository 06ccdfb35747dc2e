"""institutions buy as institutions: a budget line (partida) on demands, and a second approval of awards

A demand may name the partida presupuestal it is paid from (a Clasificador por Objeto del Gasto code and its
description); an institution may require it, and may set an amount above which an award waits for a second
owner (`awardapproval`). Existing demands have no partida; existing institutions require none and need no
second approval.

Revision ID: e5f61c275086
Revises: e5c3e9f42d53
Create Date: 2026-12-06 21:50:00.000000
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = "e5f61c275086"
down_revision = "e5c3e9f42d53"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("buyerorganization") as batch:
        batch.add_column(sa.Column("partida_required", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("approval_threshold_cents", sa.BigInteger(), nullable=True))
    with op.batch_alter_table("demand") as batch:
        batch.add_column(sa.Column("partida_code", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=True))
        batch.add_column(
            sa.Column(
                "partida_description",
                sqlmodel.sql.sqltypes.AutoString(length=120),
                nullable=False,
                server_default="",
            )
        )
    op.create_table(
        "awardapproval",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("demand_id", sa.Integer(), nullable=False),
        sa.Column("proposed_by", sa.Integer(), nullable=False),
        sa.Column("allocations", sa.JSON(), nullable=False),
        sa.Column("total_cents", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["decided_by"], ["user.id"]),
        sa.ForeignKeyConstraint(["demand_id"], ["demand.id"]),
        sa.ForeignKeyConstraint(["proposed_by"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("awardapproval") as batch:
        batch.create_index(batch.f("ix_awardapproval_demand_id"), ["demand_id"], unique=False)
        batch.create_index(batch.f("ix_awardapproval_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("awardapproval") as batch:
        batch.drop_index(batch.f("ix_awardapproval_status"))
        batch.drop_index(batch.f("ix_awardapproval_demand_id"))
    op.drop_table("awardapproval")
    with op.batch_alter_table("demand") as batch:
        batch.drop_column("partida_description")
        batch.drop_column("partida_code")
    with op.batch_alter_table("buyerorganization") as batch:
        batch.drop_column("approval_threshold_cents")
        batch.drop_column("partida_required")
