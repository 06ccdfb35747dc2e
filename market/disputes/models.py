"""A buyer's dispute on a fulfillment: its money is held until an administrator refunds or releases it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger
from sqlmodel import Field, SQLModel

from market.db import utcnow
from market.i18n import N_
from market.statuses import Status, StatusColumn


class DisputeStatus(Status):
    """Open while an administrator decides; then refunded (all or part) or released to the producer."""

    OPEN = "open", N_("Disputa abierta")
    REFUNDED = "refunded", N_("Disputa resuelta con reembolso")
    RELEASED = "released", N_("Disputa resuelta: pago liberado a la organización")


class Dispute(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    fulfillment_id: int = Field(foreign_key="fulfillment.id", unique=True)  # one dispute per fulfillment
    opened_by: int = Field(foreign_key="user.id")
    reason: str = Field(max_length=2000)
    status: DisputeStatus = Field(
        default=DisputeStatus.OPEN, sa_type=StatusColumn(DisputeStatus, 16), index=True
    )
    # A full or partial refund, when resolved that way
    refund_cents: int | None = Field(default=None, sa_type=BigInteger)
    resolution: str | None = Field(default=None, max_length=2000)  # the administrator's why
    resolved_by: int | None = Field(default=None, foreign_key="user.id")
    resolved_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow, index=True)
