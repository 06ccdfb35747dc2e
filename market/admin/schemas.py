"""Request and response models of the administrators' JSON API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from market.catalog.models import ListingStatus


class Suspension(BaseModel):
    # Required by the service (with its own message), so a missing reason is refused like an empty one.
    reason: str | None = Field(default=None, max_length=1000)


class ListingModeration(BaseModel):
    id: int
    title: str
    organization_id: int
    status: ListingStatus
    suspended: bool
    suspension_reason: str | None


class AuditEntryPublic(BaseModel):
    id: int
    created_at: datetime
    actor_id: int
    actor_name: str
    action: str
    action_label: str  # in the request's language
    target_type: str
    target_id: int
    target_label: str
    reason: str | None
    details: dict[str, Any]
