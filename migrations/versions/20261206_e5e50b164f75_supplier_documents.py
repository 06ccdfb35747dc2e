"""supplier documents

The documents a producer keeps on file for institutional buyers (Constancia de Situación Fiscal, Opinión de
Cumplimiento 32-D, acta constitutiva or RAN registration, evidence of each certification): one row per
upload, kept as history when a newer one replaces it. A new table: no existing row changes.

Revision ID: e5e50b164f75
Revises: e5a1c7d20b31
Create Date: 2026-12-06 21:50:00.000000
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = "e5e50b164f75"
down_revision = "e5a1c7d20b31"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "supplier_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("certification", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("file_key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("content_type", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("file_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("rejection_reason", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("superseded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("reminded_days", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["reviewed_by_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["uploaded_by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("supplier_document", schema=None) as batch_op:
        batch_op.create_index(
            "ix_supplier_document_organization_kind",
            ["organization_id", "kind", "certification"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_supplier_document_expires_on"), ["expires_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_supplier_document_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("supplier_document", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supplier_document_status"))
        batch_op.drop_index(batch_op.f("ix_supplier_document_expires_on"))
        batch_op.drop_index("ix_supplier_document_organization_kind")
    op.drop_table("supplier_document")
