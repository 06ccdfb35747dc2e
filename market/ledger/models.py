"""Double-entry ledger in centavos: every transaction's postings sum to zero, and a balance is a query."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger
from sqlmodel import Field, SQLModel

from market.db import utcnow


class LedgerEntry(SQLModel, table=True):
    """One posting: positive is a debit, negative a credit, on one account."""

    id: int | None = Field(default=None, primary_key=True)
    transaction_id: str = Field(max_length=36, index=True)
    kind: str = Field(max_length=24)  # payment | refund | payout
    account: str = Field(max_length=32, index=True)  # cash | platform_fees | producer_payable
    organization_id: int | None = Field(default=None, foreign_key="organization.id", index=True)
    order_id: int | None = Field(default=None, foreign_key="orders.id", index=True)
    amount_cents: int = Field(sa_type=BigInteger)
    reference: str | None = Field(default=None, max_length=80)
    created_at: datetime = Field(default_factory=utcnow)
