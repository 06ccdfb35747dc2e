"""the public catalogue's orders as composite indexes ([category,] status, sort column, id), for keyset pages

Revision ID: 5c1d7e0a9b42
Revises: 3d829f602146
Create Date: 2026-12-06 14:30:00
"""

from alembic import op

revision = "5c1d7e0a9b42"
down_revision = "3d829f602146"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_listing_catalog_recent": ["status", "created_at", "id"],
    "ix_listing_catalog_price": ["status", "price_cents", "id"],
    "ix_listing_catalog_title": ["status", "title", "id"],
    "ix_listing_category_recent": ["category", "status", "created_at", "id"],
    "ix_listing_category_price": ["category", "status", "price_cents", "id"],
    "ix_listing_category_title": ["category", "status", "title", "id"],
}


def upgrade() -> None:
    with op.batch_alter_table("listing") as batch_op:
        for name, columns in INDEXES.items():
            batch_op.create_index(name, columns, unique=False)


def downgrade() -> None:
    with op.batch_alter_table("listing") as batch_op:
        for name in INDEXES:
            batch_op.drop_index(name)
