"""invoices of every kind: the month's public sales (global invoice), buyers' own fiscal data, egresos
related to what they correct, cancellations with their motive and acuse, the month of a global/commission

Revision ID: 2e4b26be1e44
Revises: 7f056a06941a
Create Date: 2026-12-06 13:27:07.215938
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = "2e4b26be1e44"
down_revision = "7f056a06941a"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "order_receiver",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("rfc", sqlmodel.sql.sqltypes.AutoString(length=13), nullable=False),
        sa.Column("razon_social", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("regimen_fiscal", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("codigo_postal", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
        sa.Column("uso_cfdi", sqlmodel.sql.sqltypes.AutoString(length=4), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("order_id"),
    )
    op.create_table(
        "public_sale",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fulfillment_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column("total_cents", sa.BigInteger(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["fulfillment_id"],
            ["fulfillment.id"],
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoice.id"],
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("fulfillment_id"),
    )
    with op.batch_alter_table("public_sale", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_public_sale_invoice_id"), ["invoice_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_public_sale_organization_id"), ["organization_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_public_sale_period"), ["period"], unique=False)

    with op.batch_alter_table("invoice", schema=None) as batch_op:
        batch_op.add_column(sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=True))
        batch_op.add_column(sa.Column("related_invoice_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("cancel_motive", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=True)
        )
        batch_op.add_column(sa.Column("cancel_ack", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("cancelled_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.create_unique_constraint(
            "uq_invoice_organization_id_kind_period", ["organization_id", "kind", "period"]
        )
        batch_op.create_foreign_key(
            "fk_invoice_related_invoice_id", "invoice", ["related_invoice_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("invoice", schema=None) as batch_op:
        batch_op.drop_constraint("fk_invoice_related_invoice_id", type_="foreignkey")
        batch_op.drop_constraint("uq_invoice_organization_id_kind_period", type_="unique")
        batch_op.drop_column("cancelled_at")
        batch_op.drop_column("cancel_ack")
        batch_op.drop_column("cancel_motive")
        batch_op.drop_column("related_invoice_id")
        batch_op.drop_column("period")

    with op.batch_alter_table("public_sale", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_public_sale_period"))
        batch_op.drop_index(batch_op.f("ix_public_sale_organization_id"))
        batch_op.drop_index(batch_op.f("ix_public_sale_invoice_id"))

    op.drop_table("public_sale")
    op.drop_table("order_receiver")
