"""image uploads per person, counted for the hourly limit

Each accepted listing photo or logo writes a row (who, when); rows older than an hour count for nothing and
the worker deletes them.

Revision ID: b5b63078254a
Revises: 92762921a8c3
Create Date: 2026-12-06 12:00:00.000000
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = 'b5b63078254a'
down_revision = '92762921a8c3'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('image_upload',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_image_upload_user_id_created_at', 'image_upload', ['user_id', 'created_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_image_upload_user_id_created_at', table_name='image_upload')
    op.drop_table('image_upload')
