"""Reading reviews: an organization's or a listing's reviews (newest first), their rating summaries, and
what the order page offers on each part."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from market.accounts.models import User
from market.errors import NotFound
from market.orders.fulfillment import acts_for_buyer
from market.orders.models import Fulfillment, FulfillmentStatus, Order, OrderLine
from market.orders.schemas import FulfillmentPublic
from market.organizations import service as organizations
from market.organizations.models import Organization
from market.pagination import Page, paginate
from market.reviews.models import Review
from market.reviews.ratings import average
from market.reviews.schemas import RatingSummary, ReviewPublic

STARS = (5, 4, 3, 2, 1)


def first_name(name: str) -> str:
    """Reviews are public: they show who wrote them by first name only."""
    return (name.split() or ["—"])[0]


def _public(review: Review, author_name: str) -> ReviewPublic:
    return ReviewPublic.model_validate(review.model_dump() | {"author_name": first_name(author_name)})


def get_public(session: Session, review_id: int) -> ReviewPublic:
    row = session.exec(
        select(Review, User.name).join(User, col(User.id) == Review.author_id).where(Review.id == review_id)
    ).first()
    if row is None:
        raise NotFound()
    return _public(*row)


def _summary(counts: Sequence[tuple[int, int]]) -> RatingSummary:
    """From (stars, reviews) rows."""
    distribution = {stars: 0 for stars in STARS} | {int(stars): int(n) for stars, n in counts}
    count = sum(distribution.values())
    total = sum(stars * n for stars, n in distribution.items())
    return RatingSummary(average=average(total, count), count=count, distribution=distribution)


def _fulfillments_with(listing_id: int) -> Any:
    """The fulfillments that had a line of this listing: their reviews are the listing's."""
    return select(OrderLine.fulfillment_id).where(OrderLine.listing_id == listing_id)


def _page(session: Session, condition: Any, page: int, per_page: int) -> Page[ReviewPublic]:
    query = (
        select(Review, User.name)
        .join(User, col(User.id) == Review.author_id)
        .where(condition)
        .order_by(col(Review.created_at).desc(), col(Review.id).desc())
    )
    found = paginate(session, query, page, per_page)
    return Page[ReviewPublic](
        items=[_public(review, name) for review, name in found.items],
        total=found.total,
        page=found.page,
        per_page=found.per_page,
    )


def of_organization(
    session: Session, organization_id: int, page: int = 1, per_page: int = 20
) -> Page[ReviewPublic]:
    return _page(session, col(Review.organization_id) == organization_id, page, per_page)


def of_listing(session: Session, listing_id: int, page: int = 1, per_page: int = 20) -> Page[ReviewPublic]:
    return _page(session, col(Review.fulfillment_id).in_(_fulfillments_with(listing_id)), page, per_page)


def summary_of_organization(session: Session, organization_id: int) -> RatingSummary:
    rows = session.exec(
        select(Review.rating, func.count())
        .where(Review.organization_id == organization_id)
        .group_by(col(Review.rating))
    ).all()
    return _summary(rows)


def summary_of_listing(session: Session, listing_id: int) -> RatingSummary:
    rows = session.exec(
        select(Review.rating, func.count())
        .where(col(Review.fulfillment_id).in_(_fulfillments_with(listing_id)))
        .group_by(col(Review.rating))
    ).all()
    return _summary(rows)


# --- the order page ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewBox:
    """What one part of an order shows about its review, to this person."""

    review: ReviewPublic | None
    may_review: bool  # the buyer, on a completed part not reviewed yet
    may_reply: bool  # a member of the producer, on a review without reply


def order_boxes(
    session: Session, user: User, order: Order, fulfillments: Sequence[Fulfillment | FulfillmentPublic]
) -> dict[int, ReviewBox]:
    """By fulfillment id, for the parts of `order` this person sees."""
    ids = [f.id or 0 for f in fulfillments]
    rows = session.exec(
        select(Review, User.name)
        .join(User, col(User.id) == Review.author_id)
        .where(col(Review.fulfillment_id).in_(ids))
    ).all()
    reviews = {review.fulfillment_id: _public(review, name) for review, name in rows}
    is_buyer = acts_for_buyer(session, user, order)
    boxes = {}
    for f in fulfillments:
        review = reviews.get(f.id or 0)
        organization = session.get(Organization, f.organization_id)
        producer = organization is not None and organizations.role_in(session, user, organization) is not None
        boxes[f.id or 0] = ReviewBox(
            review=review,
            may_review=is_buyer and f.status == FulfillmentStatus.COMPLETED and review is None,
            may_reply=producer and review is not None and review.reply is None,
        )
    return boxes
