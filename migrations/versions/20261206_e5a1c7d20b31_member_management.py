"""member management: invitations expire and can be revoked; an institution's members have a joining date

Revision ID: e5a1c7d20b31
Revises: e5d4fa053e64
Create Date: 2026-12-06 21:45:00.000000
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = "e5a1c7d20b31"
down_revision = "e5d4fa053e64"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("invitation") as batch:
        batch.add_column(sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("revoked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    # Existing invitations last seven days from when they were sent (market.organizations.models).
    if op.get_bind().dialect.name == "postgresql":
        op.execute("UPDATE invitation SET expires_at = created_at + interval '7 days'")
    else:
        op.execute("UPDATE invitation SET expires_at = datetime(created_at, '+7 days')")
    with op.batch_alter_table("invitation") as batch:
        batch.alter_column("expires_at", existing_type=sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False)

    with op.batch_alter_table("buyermembership") as batch:
        batch.add_column(sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    # Members so far: since the institution was registered (the best date there is).
    op.execute(
        "UPDATE buyermembership SET created_at = (SELECT created_at FROM buyerorganization"
        " WHERE buyerorganization.id = buyermembership.buyer_organization_id)"
    )
    with op.batch_alter_table("buyermembership") as batch:
        batch.alter_column("created_at", existing_type=sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("buyermembership") as batch:
        batch.drop_column("created_at")
    with op.batch_alter_table("invitation") as batch:
        batch.drop_column("revoked_at")
        batch.drop_column("expires_at")
