"""Rating arithmetic and the per-listing aggregate that search documents and listing cards read. Light on
imports: the search package uses it."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Subquery, func
from sqlmodel import Session, col, select

from market.orders.models import OrderLine
from market.reviews.models import Review
from market.reviews.schemas import RatingSummary


def average(total: int, count: int) -> float:
    """The mean of `count` ratings summing to `total`, to one decimal, halves up (4.25 -> 4.3)."""
    if not count:
        return 0.0
    return float((Decimal(total) / count).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def rating_totals(listing_ids: Sequence[int] | None = None) -> Subquery:
    """(listing_id, rating_total, review_count) of every reviewed listing, or of those among
    `listing_ids`: one aggregate to join into a bulk query, never a query per listing. A listing's reviews
    are those of the fulfillments that had a line of it."""
    pairs = (
        select(OrderLine.listing_id, Review.id, Review.rating)
        .join(Review, col(Review.fulfillment_id) == OrderLine.fulfillment_id)
        .distinct()  # a review counts once per listing, however many lines of it the part had
    )
    if listing_ids is None:
        pairs = pairs.where(col(OrderLine.listing_id).is_not(None))
    else:
        pairs = pairs.where(col(OrderLine.listing_id).in_(listing_ids))
    rated = pairs.subquery("rated")
    return (
        select(
            rated.c.listing_id,
            func.sum(rated.c.rating).label("rating_total"),
            func.count().label("review_count"),
        )
        .group_by(rated.c.listing_id)
        .subquery("listing_ratings")
    )


def listing_ratings(session: Session, listing_ids: Sequence[int]) -> dict[int, RatingSummary]:
    """Average and count of the reviewed ones among these listings (a page of cards), in one query."""
    if not listing_ids:
        return {}
    totals = rating_totals(listing_ids)
    return {
        int(listing_id): RatingSummary(average=average(int(total), int(count)), count=int(count))
        for listing_id, total, count in session.execute(
            select(totals.c.listing_id, totals.c.rating_total, totals.c.review_count)
        ).all()
    }
