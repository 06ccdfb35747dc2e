"""e-mail messages and preferences

Every message is now a row of `email` (queued with the change that causes it, delivered by the worker over
SMTP or into the local mailbox). E-mails still waiting in the outbox under the old "email" topic, which no
worker reads any more, are parked there with a note, to be seen rather than lost silently.

Revision ID: 51a4dc83712d
Revises: b5b63078254a
Create Date: 2026-12-06 12:30:00.000000
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '51a4dc83712d'
down_revision = 'b5b63078254a'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('email',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('to_address', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('locale', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('context', sa.JSON(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('available_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('tries', sa.Integer(), nullable=False),
    sa.Column('rejections', sa.Integer(), nullable=False),
    sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('sent_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('digest_id', sa.Integer(), nullable=True),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('text_body', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('html_body', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.ForeignKeyConstraint(['digest_id'], ['email.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('message_id')
    )
    with op.batch_alter_table('email', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_email_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_email_kind'), ['kind'], unique=False)
        batch_op.create_index('ix_email_status_available_at', ['status', 'available_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_email_to_address'), ['to_address'], unique=False)
        batch_op.create_index(batch_op.f('ix_email_user_id'), ['user_id'], unique=False)
    op.execute(
        "UPDATE outboxevent SET parked_at = CURRENT_TIMESTAMP, last_error = 'replaced by the email table' "
        "WHERE topic = 'email' AND processed_at IS NULL AND parked_at IS NULL"
    )

    op.create_table('email_preference',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('muted', sa.JSON(), nullable=False),
    sa.Column('daily_digest', sa.Boolean(), nullable=False),
    sa.Column('last_digest_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id')
    )


def downgrade() -> None:
    op.drop_table('email_preference')
    with op.batch_alter_table('email', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_email_user_id'))
        batch_op.drop_index(batch_op.f('ix_email_to_address'))
        batch_op.drop_index('ix_email_status_available_at')
        batch_op.drop_index(batch_op.f('ix_email_kind'))
        batch_op.drop_index(batch_op.f('ix_email_created_at'))

    op.drop_table('email')
