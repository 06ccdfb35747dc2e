"""stripe connect onboarding: the connected account's state as Stripe last told it, and the parts sent for a
Stripe transfer (the others are paid by SPEI)

Revision ID: e5b2d8e31c42
Revises: e6a72d386197
Create Date: 2026-12-06 21:55:00.000000
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = "e5b2d8e31c42"
down_revision = "e6a72d386197"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing organizations start "not enabled": an account set by hand before onboarding existed is
    # confirmed by its next account.updated event or its owner's visit to the return page.
    with op.batch_alter_table("organization") as batch:
        for name in ("stripe_charges_enabled", "stripe_payouts_enabled", "stripe_details_submitted"):
            batch.add_column(sa.Column(name, sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("stripe_synced_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    op.create_table(
        "transferrequest",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fulfillment_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["fulfillment_id"], ["fulfillment.id"]),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("fulfillment_id"),
    )
    op.create_index("ix_transferrequest_organization_id", "transferrequest", ["organization_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_transferrequest_organization_id", table_name="transferrequest")
    op.drop_table("transferrequest")
    with op.batch_alter_table("organization") as batch:
        for name in ("stripe_synced_at", "stripe_details_submitted", "stripe_payouts_enabled"):
            batch.drop_column(name)
        batch.drop_column("stripe_charges_enabled")
