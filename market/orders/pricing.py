"""What a cart line and an order part cost: the unit price a quantity reaches through volume tiers, and
the delivery fee of the way the buyer chose. The cart and checkout price with the same functions."""

from __future__ import annotations

from collections import defaultdict

from sqlmodel import Session, col, select

from market.catalog.models import Listing, PriceTier
from market.organizations.models import Organization


def unit_price(listing: Listing, tiers: list[PriceTier], quantity: int) -> int:
    """The price of each unit for this quantity: the deepest volume tier reached, else the list price."""
    reached = [t.unit_price_cents for t in tiers if t.min_quantity <= quantity]
    return min(reached, default=listing.price_cents)


def load_for_pricing(
    session: Session, ids: list[int]
) -> tuple[dict[int, tuple[Listing, Organization]], dict[int, list[PriceTier]]]:
    """Listings with their organizations and volume tiers, in two queries: what pricing needs."""
    rows = session.exec(
        select(Listing, Organization)
        .join(Organization, col(Organization.id) == Listing.organization_id)
        .where(col(Listing.id).in_(ids))
    ).all()
    tiers: dict[int, list[PriceTier]] = defaultdict(list)
    for tier in session.exec(select(PriceTier).where(col(PriceTier.listing_id).in_(ids))).all():
        tiers[tier.listing_id].append(tier)
    return {listing.id or 0: (listing, org) for listing, org in rows}, tiers


def delivery_fee(organization: Organization, method: str) -> int:
    return {
        "pickup": 0,
        "delivery": organization.delivery_fee_cents,
        "national": organization.shipping_fee_cents,
    }[method]
