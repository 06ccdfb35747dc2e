"""impact rollup: the impact figures kept as running sums by month, organization and producer profile,
filled from the existing ledger

Revision ID: a41c0e9d7b52
Revises: 5c1d7e0a9b42
Create Date: 2026-12-06 14:20:00.000000
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = "a41c0e9d7b52"
down_revision = "5c1d7e0a9b42"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "impact_rollup",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("legal_form", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("women_led", sa.Boolean(), nullable=False),
        sa.Column("indigenous", sa.Boolean(), nullable=False),
        sa.Column("certifications", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
        sa.Column("sdgs", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("institutional", sa.Boolean(), nullable=False),
        sa.Column("sales", sa.Integer(), nullable=False),
        sa.Column("counted", sa.Integer(), nullable=False),
        sa.Column("unpaid_sales", sa.Integer(), nullable=False),
        sa.Column("gross_cents", sa.BigInteger(), nullable=False),
        sa.Column("refunded_cents", sa.BigInteger(), nullable=False),
        sa.Column("paid_cents", sa.BigInteger(), nullable=False),
        sa.Column("unpaid_cents", sa.BigInteger(), nullable=False),
        sa.Column("fee_cents", sa.BigInteger(), nullable=False),
        sa.Column("producer_cents", sa.BigInteger(), nullable=False),
        sa.Column("cost_cents", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organization.id"], name="fk_impact_rollup_organization_id_organization"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_impact_rollup"),
        sa.UniqueConstraint(
            "month",
            "organization_id",
            "state",
            "legal_form",
            "women_led",
            "indigenous",
            "certifications",
            "sdgs",
            "institutional",
            name="uq_impact_rollup_key",
        ),
    )
    with op.batch_alter_table("impact_rollup", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_impact_rollup_organization_id"), ["organization_id"], unique=False
        )
    backfill()


def backfill() -> None:
    """The sums of the sales already in the ledger, computed as the application does (the rates of
    PAYMENT_COST_RATES in this environment), reading them in chunks of orders."""
    from sqlmodel import Session

    from market.impact import rollup

    with Session(bind=op.get_bind()) as session:
        rollup.rebuild(session, rollup.process_settings())
        session.flush()


def downgrade() -> None:
    with op.batch_alter_table("impact_rollup", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_impact_rollup_organization_id"))
    op.drop_table("impact_rollup")
