"""organization changes held for review; orders record their institution; sales keep their producer

Changes of a verified organization's name, RFC or CLABE wait in `organizationchange`. An order records the
institution it was bought for (existing orders: an awarded demand's institution, else the one verified
institution its buyer belongs to now: the best that is known). A fulfillment keeps what the impact figures
say about its producer (existing ones: the producer as it is now).

Revision ID: c7e2a9d41b36
Revises: 6518672ee6b5
Create Date: 2026-12-06 02:05:05.000682
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = 'c7e2a9d41b36'
down_revision = '6518672ee6b5'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('organizationchange',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('organizationchange', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organizationchange_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_organizationchange_status'), ['status'], unique=False)
    pending = sa.text("status = 'pending'")
    op.create_index(
        'uq_organizationchange_pending', 'organizationchange', ['organization_id'], unique=True,
        sqlite_where=pending, postgresql_where=pending,
    )

    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('buyer_organization_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_orders_buyer_organization_id'), ['buyer_organization_id'], unique=False)
        batch_op.create_foreign_key(
            'fk_orders_buyer_organization_id', 'buyerorganization', ['buyer_organization_id'], ['id']
        )
    op.execute(
        "UPDATE orders SET buyer_organization_id = "
        "(SELECT demand.buyer_organization_id FROM demand WHERE demand.id = orders.demand_id) "
        "WHERE demand_id IS NOT NULL"
    )
    verified_of_buyer = (
        "FROM buyermembership JOIN buyerorganization ON buyerorganization.id = buyermembership.buyer_organization_id "
        "WHERE buyermembership.user_id = orders.buyer_id AND buyerorganization.verification_status = 'verified'"
    )
    op.execute(
        f"UPDATE orders SET buyer_organization_id = (SELECT MIN(buyerorganization.id) {verified_of_buyer}) "
        f"WHERE demand_id IS NULL AND (SELECT COUNT(*) {verified_of_buyer}) = 1"
    )

    with op.batch_alter_table('fulfillment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('producer_state', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('producer_legal_form', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('producer_women_led', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('producer_indigenous', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('producer_certifications', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('producer_sdgs', sa.JSON(), nullable=False, server_default='[]'))
    of_producer = "FROM organization WHERE organization.id = fulfillment.organization_id"
    op.execute(
        "UPDATE fulfillment SET "
        f"producer_state = (SELECT state {of_producer}), "
        f"producer_legal_form = (SELECT legal_form {of_producer}), "
        # Led by women: women are at least half of the members (Organization.women_led).
        f"producer_women_led = (SELECT members_count > 0 AND 2 * women_members_count >= members_count {of_producer}), "
        f"producer_indigenous = (SELECT COALESCE(TRIM(indigenous_community), '') <> '' {of_producer}), "
        f"producer_certifications = (SELECT certifications {of_producer}), "
        f"producer_sdgs = (SELECT sdgs {of_producer}) "
        f"WHERE EXISTS (SELECT 1 {of_producer})"  # a row whose producer is gone keeps the defaults
    )


def downgrade() -> None:
    with op.batch_alter_table('fulfillment', schema=None) as batch_op:
        batch_op.drop_column('producer_sdgs')
        batch_op.drop_column('producer_certifications')
        batch_op.drop_column('producer_indigenous')
        batch_op.drop_column('producer_women_led')
        batch_op.drop_column('producer_legal_form')
        batch_op.drop_column('producer_state')

    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_constraint('fk_orders_buyer_organization_id', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_orders_buyer_organization_id'))
        batch_op.drop_column('buyer_organization_id')

    op.drop_index('uq_organizationchange_pending', table_name='organizationchange')
    with op.batch_alter_table('organizationchange', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organizationchange_status'))
        batch_op.drop_index(batch_op.f('ix_organizationchange_organization_id'))

    op.drop_table('organizationchange')
