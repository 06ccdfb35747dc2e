"""JSON API of reviews: rate a completed fulfillment, reply once, and read an organization's or a
listing's reviews with their rating summary."""

from __future__ import annotations

from fastapi import APIRouter, Query

from market.bounds import Id, PageNumber
from market.catalog import service as catalog
from market.deps import ApiUserDep, ApiVisitorDep, SessionDep
from market.organizations import service as organizations
from market.reviews import queries, service
from market.reviews.schemas import ReplyCreate, ReviewCreate, ReviewPage, ReviewPublic

router = APIRouter(tags=["reviews"])


@router.post(
    "/fulfillments/{fulfillment_id}/review",
    response_model=ReviewPublic,
    status_code=201,
    responses={409: {"description": "Not completed yet, or already reviewed"}},
)
def create_review(
    fulfillment_id: Id, data: ReviewCreate, user: ApiUserDep, session: SessionDep
) -> ReviewPublic:
    review = service.create(session, user, fulfillment_id, data.rating, data.comment)
    return queries.get_public(session, review.id or 0)


@router.post(
    "/reviews/{review_id}/reply",
    response_model=ReviewPublic,
    responses={409: {"description": "Already replied"}},
)
def reply(review_id: Id, data: ReplyCreate, user: ApiUserDep, session: SessionDep) -> ReviewPublic:
    service.reply(session, user, review_id, data.text)
    return queries.get_public(session, review_id)


@router.get("/organizations/{slug}/reviews", response_model=ReviewPage)
def organization_reviews(
    slug: str,
    visitor: ApiVisitorDep,
    session: SessionDep,
    page: PageNumber = 1,
    per_page: int = Query(20, ge=1, le=100),
) -> ReviewPage:
    organization = organizations.get_visible(session, slug, visitor)
    assert organization.id is not None
    found = queries.of_organization(session, organization.id, page, per_page)
    return ReviewPage(**found.model_dump(), summary=queries.summary_of_organization(session, organization.id))


@router.get("/listings/{listing_id}/reviews", response_model=ReviewPage)
def listing_reviews(
    listing_id: Id,
    visitor: ApiVisitorDep,
    session: SessionDep,
    page: PageNumber = 1,
    per_page: int = Query(20, ge=1, le=100),
) -> ReviewPage:
    catalog.get_visible(session, listing_id, visitor)
    found = queries.of_listing(session, listing_id, page, per_page)
    return ReviewPage(**found.model_dump(), summary=queries.summary_of_listing(session, listing_id))
