"""Request and response models of reviews. The service checks the rating and the lengths, so that the
page and the API give the same Spanish messages."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from market.pagination import Page


class ReviewCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rating: int = Field(description="Stars, 1 to 5")
    comment: str = Field(default="", description="Up to 2000 characters")


class ReplyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(description="1 to 2000 characters")


class ReviewPublic(BaseModel):
    """A review as anyone may see it: the author by first name only."""

    id: int
    fulfillment_id: int
    organization_id: int
    author_name: str
    rating: int
    comment: str
    reply: str | None
    replied_at: datetime | None
    created_at: datetime


class RatingSummary(BaseModel):
    average: float  # rounded to one decimal; 0.0 without reviews
    count: int
    distribution: dict[int, int] = Field(default_factory=dict)  # stars (1..5) -> reviews


class ReviewPage(Page[ReviewPublic]):
    summary: RatingSummary
