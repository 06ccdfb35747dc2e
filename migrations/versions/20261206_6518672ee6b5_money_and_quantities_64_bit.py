"""money and quantities 64-bit

Money (centavos), quantities, stock and their sums outgrow 32 bits: an award of 100,000 kg at $300 is
3,000,000,000 centavos. PostgreSQL widens each column in place (ALTER ... TYPE BIGINT keeps the data);
SQLite stores any integer in 64 bits already, so batch mode only records the declared type.

Revision ID: 6518672ee6b5
Revises: 46726fe77a5f
Create Date: 2026-12-06 10:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '6518672ee6b5'
down_revision = '46726fe77a5f'
branch_labels = None
depends_on = None

# table -> its columns of money or quantity (all others, ids included, stay 32-bit)
COLUMNS = {
    'organization': ('delivery_fee_cents', 'shipping_fee_cents'),
    'listing': ('price_cents', 'stock', 'minimum_order'),
    'pricetier': ('min_quantity', 'unit_price_cents'),
    'cartitem': ('quantity',),
    'demand': ('quantity', 'max_unit_price_cents'),
    'quote': ('unit_price_cents', 'quantity'),
    'award': ('quantity', 'unit_price_cents'),
    'orders': ('subtotal_cents', 'delivery_cents', 'total_cents', 'platform_fee_cents'),
    'fulfillment': ('subtotal_cents', 'delivery_cents', 'platform_fee_cents'),
    'orderline': ('unit_price_cents', 'quantity', 'total_cents'),
    'payment': ('amount_cents',),
    'refund': ('amount_cents',),
    'payout': ('amount_cents',),
    'ledgerentry': ('amount_cents',),
    'dispute': ('refund_cents',),
}


def _retype(old: sa.types.TypeEngine, new: sa.types.TypeEngine) -> None:
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.alter_column(column, existing_type=old, type_=new)


def upgrade() -> None:
    _retype(sa.Integer(), sa.BigInteger())


def downgrade() -> None:
    # Fails on PostgreSQL if any value no longer fits 32 bits, rather than losing it.
    _retype(sa.BigInteger(), sa.Integer())
