"""Listing (+ its organization) -> search document. Pure functions, plus the queries that feed them."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from market.catalog.models import Listing, ListingPhoto
from market.catalog.service import public_listings_query
from market.catalog.taxonomy import CATEGORIES_BY_SLUG
from market.media import media_url
from market.mexico import CERTIFICATIONS, state_name
from market.organizations.models import Organization


def version_of(listing: Listing, organization: Organization) -> str:
    """Changes whenever anything the document shows changes; compared by `market search check`."""
    return f"{listing.updated_at.timestamp():.6f}/{organization.updated_at.timestamp():.6f}"


def listing_document(
    listing: Listing, organization: Organization, photo: str | None = None
) -> dict[str, Any]:
    delivery = [
        name
        for name, offered in (
            ("pickup", listing.pickup),
            ("delivery", bool(listing.delivery_states)),
            ("national", listing.national_shipping),
        )
        if offered
    ]
    document: dict[str, Any] = {
        "id": listing.id,
        "title": listing.title,
        "description": listing.description,
        "category": listing.category,
        "category_name": CATEGORIES_BY_SLUG[listing.category].name,
        "kind": listing.kind,
        "unit": listing.unit,
        "price_cents": listing.price_cents,
        "in_stock": listing.stock is None or listing.stock >= listing.minimum_order,
        "delivery": delivery,
        "delivery_states": listing.delivery_states,
        "organization_slug": organization.slug,
        "organization_name": organization.name,
        "legal_form": organization.legal_form,
        "certifications": organization.certifications,
        "certification_names": [
            CERTIFICATIONS[c] for c in organization.certifications if c in CERTIFICATIONS
        ],
        "state": organization.state,
        "state_name": state_name(organization.state),
        "municipality": organization.municipality,
        "women_led": organization.members_count > 0
        and 2 * organization.women_members_count >= organization.members_count,
        "indigenous": bool(organization.indigenous_community),
        "created_at": int(listing.created_at.timestamp()),
        "rating": 0.0,  # reviews arrive later; the attribute exists so the sort does too
        "photo": photo,
        "version": version_of(listing, organization),
    }
    if organization.latitude is not None and organization.longitude is not None:
        document["_geo"] = {"lat": organization.latitude, "lng": organization.longitude}
    return document


def _first_photos(session: Session, listing_ids: Sequence[int]) -> dict[int, str]:
    first = (
        select(ListingPhoto.listing_id, func.min(ListingPhoto.position).label("position"))
        .where(col(ListingPhoto.listing_id).in_(listing_ids))
        .group_by(col(ListingPhoto.listing_id))
        .subquery()
    )
    rows = session.exec(
        select(ListingPhoto.listing_id, ListingPhoto.thumb_path).join(
            first,
            (col(ListingPhoto.listing_id) == first.c.listing_id)
            & (col(ListingPhoto.position) == first.c.position),
        )
    ).all()
    return {listing_id: media_url(path) or "" for listing_id, path in rows}


def public_documents(
    session: Session, ids: Sequence[int] | None = None, batch_size: int = 2000
) -> Iterator[list[dict[str, Any]]]:
    """Documents of every searchable listing (or of those among `ids`), in batches, streamed from the
    database so that memory stays flat whatever the catalog size."""
    query = public_listings_query(Listing, Organization).order_by(col(Listing.id))
    if ids is not None:
        query = query.where(col(Listing.id).in_(ids))
    batch: list[tuple[Listing, Organization]] = []
    for listing, organization in session.exec(query.execution_options(yield_per=batch_size)):
        batch.append((listing, organization))
        if len(batch) == batch_size:
            yield _documents(session, batch)
            batch = []
    if batch:
        yield _documents(session, batch)


def _documents(session: Session, rows: list[tuple[Listing, Organization]]) -> list[dict[str, Any]]:
    photos = _first_photos(session, [listing.id for listing, _org in rows if listing.id is not None])
    return [listing_document(listing, org, photos.get(listing.id or 0)) for listing, org in rows]


def count_public(session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(public_listings_query().subquery())).one())


def public_versions(session: Session) -> dict[int, str]:
    rows = session.exec(public_listings_query(Listing, Organization)).all()
    return {listing.id: version_of(listing, org) for listing, org in rows if listing.id is not None}
