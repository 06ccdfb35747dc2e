"""JSON API for administrators: moderation of listings, signing a person out everywhere, the audit log."""

from __future__ import annotations

from fastapi import APIRouter, Query

from market.accounts import sessions
from market.accounts.schemas import SignedOutPublic
from market.admin import audit
from market.admin.schemas import AuditEntryPublic, ListingModeration, Suspension
from market.bounds import Id, PageNumber
from market.catalog import service as catalog
from market.catalog.models import Listing
from market.deps import ApiUserDep, SessionDep
from market.i18n import gettext as _
from market.pagination import Page

router = APIRouter(prefix="/admin", tags=["admin"])


def _moderation(listing: Listing) -> ListingModeration:
    return ListingModeration.model_validate(listing.model_dump())


@router.post("/listings/{listing_id}/suspend", response_model=ListingModeration)
def suspend_listing(
    listing_id: Id, data: Suspension, user: ApiUserDep, session: SessionDep
) -> ListingModeration:
    audit.require_admin(user)  # before the lookup: others cannot probe which listings exist
    listing = catalog.get(session, listing_id)
    catalog.suspend(session, user, listing, data.reason)
    return _moderation(listing)


@router.post("/listings/{listing_id}/restore", response_model=ListingModeration)
def restore_listing(
    listing_id: Id,
    user: ApiUserDep,
    session: SessionDep,
    data: Suspension | None = None,
) -> ListingModeration:
    audit.require_admin(user)
    listing = catalog.get(session, listing_id)
    catalog.restore(session, user, listing, data.reason if data else None)
    return _moderation(listing)


@router.post("/users/{user_id}/sign-out", response_model=SignedOutPublic)
def sign_out_user(user_id: Id, user: ApiUserDep, session: SessionDep) -> SignedOutPublic:
    """Ends every session of the person and revokes their API tokens (a lost phone, a taken-over account)."""
    result = sessions.sign_out_everywhere(session, user, user_id)
    return SignedOutPublic(
        user_id=user_id, sessions_ended=result.sessions_ended, tokens_revoked=result.tokens_revoked
    )


@router.get("/audit", response_model=Page[AuditEntryPublic])
def audit_log(
    user: ApiUserDep,
    session: SessionDep,
    action: str | None = Query(None, description="An action (listing.suspend) or its start (listing)"),
    page: PageNumber = 1,
    per_page: int = Query(50, ge=1, le=100),
) -> Page[AuditEntryPublic]:
    result = audit.entries(session, user, action or None, page, per_page)
    return Page(
        items=[
            AuditEntryPublic.model_validate(
                entry.model_dump()
                | {"actor_name": actor.name, "action_label": _(audit.action_label(entry.action))}
            )
            for entry, actor in result.items
        ],
        total=result.total,
        page=result.page,
        per_page=result.per_page,
    )
