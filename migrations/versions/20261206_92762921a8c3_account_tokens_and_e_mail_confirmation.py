"""account tokens (password reset, e-mail confirmation) and confirmed e-mails

`accounttoken` holds the SHA-256 of each single-use link e-mailed to a person. `user.email_confirmed_at`
says when the person confirmed their e-mail; accounts that exist before this revision count as confirmed
(since they were created), so nobody who could buy yesterday is stopped today.

Revision ID: 92762921a8c3
Revises: 3f1d8c2b7a90
Create Date: 2026-12-06 04:56:26.058485
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '92762921a8c3'
down_revision = '3f1d8c2b7a90'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('accounttoken',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('used_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    with op.batch_alter_table('accounttoken', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_accounttoken_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_confirmed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    op.execute('UPDATE "user" SET email_confirmed_at = created_at')


def downgrade() -> None:
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('email_confirmed_at')

    with op.batch_alter_table('accounttoken', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_accounttoken_user_id'))

    op.drop_table('accounttoken')
