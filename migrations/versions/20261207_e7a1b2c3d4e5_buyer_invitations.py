"""institutions add people by invitation: `buyerinvitation`

An institution's owners no longer add a colleague directly; they invite an e-mail address, and the person
joins by accepting (as in a producer organization). No existing rows change.

Revision ID: e7a1b2c3d4e5
Revises: e5f61c275086
Create Date: 2026-12-07 23:00:00.000000
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = "e7a1b2c3d4e5"
down_revision = "e5f61c275086"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "buyerinvitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("buyer_organization_id", sa.Integer(), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("token", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("invited_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("accepted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("revoked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["buyer_organization_id"], ["buyerorganization.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["invited_by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token"),
    )
    with op.batch_alter_table("buyerinvitation") as batch:
        batch.create_index(
            batch.f("ix_buyerinvitation_buyer_organization_id"), ["buyer_organization_id"], unique=False
        )
        batch.create_index(batch.f("ix_buyerinvitation_email"), ["email"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("buyerinvitation") as batch:
        batch.drop_index(batch.f("ix_buyerinvitation_email"))
        batch.drop_index(batch.f("ix_buyerinvitation_buyer_organization_id"))
    op.drop_table("buyerinvitation")
