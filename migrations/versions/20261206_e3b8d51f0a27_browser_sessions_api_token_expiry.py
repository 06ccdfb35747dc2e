"""browser sessions kept on the server; API tokens expire

Who a browser signs in is now a `browsersession` row (only the hash of its cookie's secret is stored), so
cookies signed before this revision sign no one in: everyone logs in again once. Tokens issued before it
expire 90 days (the default API_TOKEN_DAYS) after the upgrade, so that no script stops at once.

Revision ID: e3b8d51f0a27
Revises: c7e2a9d41b36
Create Date: 2026-12-06 04:57:30.951126
"""
from datetime import UTC, datetime, timedelta

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = 'e3b8d51f0a27'
down_revision = 'c7e2a9d41b36'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('browsersession',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('secret_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('device', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('ip', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('last_seen_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('secret_hash')
    )
    with op.batch_alter_table('browsersession', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_browsersession_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_browsersession_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('apitoken', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    apitoken = sa.table('apitoken', sa.column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime()))
    op.execute(apitoken.update().values(expires_at=datetime.now(UTC) + timedelta(days=90)))
    with op.batch_alter_table('apitoken', schema=None) as batch_op:
        batch_op.alter_column('expires_at', existing_type=sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False)
        batch_op.create_index(batch_op.f('ix_apitoken_expires_at'), ['expires_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('apitoken', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_apitoken_expires_at'))
        batch_op.drop_column('expires_at')

    with op.batch_alter_table('browsersession', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_browsersession_user_id'))
        batch_op.drop_index(batch_op.f('ix_browsersession_expires_at'))

    op.drop_table('browsersession')
