"""A buyer's rating of a completed fulfillment, and the producer's one reply."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel

from market.db import utcnow


class Review(SQLModel, table=True):
    __table_args__ = (CheckConstraint("rating BETWEEN 1 AND 5", name="ck_review_rating"),)

    id: int | None = Field(default=None, primary_key=True)
    fulfillment_id: int = Field(foreign_key="fulfillment.id", unique=True)  # one review per fulfillment
    organization_id: int = Field(foreign_key="organization.id", index=True)
    author_id: int = Field(foreign_key="user.id", index=True)
    rating: int
    comment: str = Field(default="", max_length=2000)
    reply: str | None = Field(default=None, max_length=2000)
    replied_by: int | None = Field(default=None, foreign_key="user.id")
    replied_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow, index=True)
