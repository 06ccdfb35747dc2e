"""log-in attempts are counted per (e-mail, address) and per address over time

The throttling asks "failures from this address against this e-mail since T" and "failures from this
address since T": two composite indexes replace the single-column ones on email and ip (the first also
serves "failures against this e-mail since T").

Revision ID: 3f1d8c2b7a90
Revises: e3b8d51f0a27
Create Date: 2026-12-06 12:00:00.000000
"""
from alembic import op


revision = '3f1d8c2b7a90'
down_revision = 'e3b8d51f0a27'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('loginattempt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_loginattempt_ip'))
        batch_op.drop_index(batch_op.f('ix_loginattempt_email'))
        batch_op.create_index('ix_loginattempt_email_ip_created_at', ['email', 'ip', 'created_at'], unique=False)
        batch_op.create_index('ix_loginattempt_ip_created_at', ['ip', 'created_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('loginattempt', schema=None) as batch_op:
        batch_op.drop_index('ix_loginattempt_ip_created_at')
        batch_op.drop_index('ix_loginattempt_email_ip_created_at')
        batch_op.create_index(batch_op.f('ix_loginattempt_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_loginattempt_ip'), ['ip'], unique=False)
