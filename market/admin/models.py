"""The audit log: every administrative action, who took it, on what, when and why."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from market.db import utcnow


class AuditEntry(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    actor_id: int = Field(foreign_key="user.id", index=True)
    action: str = Field(max_length=48, index=True)  # organization.verify, listing.suspend, payout.send...
    target_type: str = Field(max_length=24)  # organization | buyer_organization | listing | order | ...
    target_id: int
    target_label: str = Field(max_length=200)  # the name at the time, so the log reads well after renames
    reason: str | None = Field(default=None, max_length=1000)
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, index=True)
