"""invoices: one row per CFDI issued for a producer (an institution's ingreso for now)

Revision ID: 7f056a06941a
Revises: 3dfefaad3d1c
Create Date: 2026-12-06 12:09:49.884178
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = "7f056a06941a"
down_revision = "3dfefaad3d1c"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "invoice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("fulfillment_id", sa.Integer(), nullable=True),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("uuid", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column("serie", sqlmodel.sql.sqltypes.AutoString(length=25), nullable=True),
        sa.Column("folio", sa.BigInteger(), nullable=True),
        sa.Column("metodo_pago", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("forma_pago", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("total_cents", sa.BigInteger(), nullable=False),
        sa.Column("signed_xml", sa.LargeBinary(), nullable=True),
        sa.Column("stamped_xml", sa.LargeBinary(), nullable=True),
        sa.Column("last_error", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("stamped_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["fulfillment_id"],
            ["fulfillment.id"],
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("fulfillment_id", "kind"),
        sa.UniqueConstraint("organization_id", "serie", "folio"),
        sa.UniqueConstraint("uuid"),
    )
    with op.batch_alter_table("invoice", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_invoice_fulfillment_id"), ["fulfillment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_invoice_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_invoice_organization_id"), ["organization_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_invoice_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("invoice", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invoice_status"))
        batch_op.drop_index(batch_op.f("ix_invoice_organization_id"))
        batch_op.drop_index(batch_op.f("ix_invoice_order_id"))
        batch_op.drop_index(batch_op.f("ix_invoice_fulfillment_id"))

    op.drop_table("invoice")
