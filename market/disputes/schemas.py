"""Dispute requests and responses (lengths and amounts are checked by the service, in Spanish)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from market.bounds import MAX_AMOUNT_CENTS
from market.disputes.models import DisputeStatus


class DisputeOpen(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str  # what went wrong, 10 to 2000 characters


class DisputeResolve(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Literal["refund", "release"]
    amount_cents: int | None = Field(default=None, le=MAX_AMOUNT_CENTS)  # a refund: the whole part if unsaid
    note: str  # the administrator's why, read by the buyer and the producer


class DisputePublic(BaseModel):
    id: int
    order_id: int
    fulfillment_id: int
    organization_id: int
    status: DisputeStatus
    reason: str
    refund_cents: int | None
    resolution: str | None
    created_at: datetime
    resolved_at: datetime | None
