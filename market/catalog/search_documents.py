"""What a listing looks like to the search engines: listing (+ its organization) -> search document, and
the queries that feed it (every searchable listing, or some; their version stamps).

The queries read plain columns (no ORM objects): a full reindex builds 100,000 documents, and hydrating
models for each would cost more than the search engine takes to index them."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from market.catalog.models import Listing, ListingPhoto
from market.catalog.service import public_listings_query
from market.catalog.taxonomy import CATEGORIES_BY_SLUG
from market.media import media_url
from market.mexico import CERTIFICATIONS, state_name
from market.organizations.models import Organization, indigenous, women_led
from market.reviews.ratings import average, rating_totals

LISTING_FIELDS = (
    "id",
    "title",
    "description",
    "category",
    "kind",
    "unit",
    "price_cents",
    "stock",
    "minimum_order",
    "pickup",
    "delivery_states",
    "national_shipping",
    "created_at",
    "updated_at",
)
ORGANIZATION_FIELDS = (
    "slug",
    "name",
    "legal_form",
    "certifications",
    "state",
    "municipality",
    "members_count",
    "women_members_count",
    "indigenous_community",
    "latitude",
    "longitude",
    "updated_at",
)
# The words a category's listings are found by, where its name joins kinds that not every listing is:
# a liqueur of "Mezcal y destilados" is no mezcal, and "mezcal artesanal" should not find it before the
# mezcales (the name would give it both words). Listings are found by their own kind through their text.
CATEGORY_SEARCH_NAMES = {
    "mezcal-destilados": "Destilados",
    "maiz-granos": "Granos",
    "miel": "Productos de la colmena",
    "cacao-chocolate": "Cacao",
}
COLUMNS = [getattr(Listing, f) for f in LISTING_FIELDS] + [
    getattr(Organization, f).label(f"org_{f}") for f in ORGANIZATION_FIELDS
]


# Raised when `document` changes what it makes of the same rows (the category names it is found by): every
# indexed document is then stale, and `market search check --repair` (or `market reindex`) rebuilds them.
DOCUMENTS = 2


def _version(
    listing_updated: datetime,
    organization_updated: datetime,
    rating_total: int | None,
    review_count: int | None,
) -> str:
    """Changes whenever anything the document shows changes; compared by `market search check`. A review
    changes the rating without touching the listing, so its totals are part of the stamp, and so is the
    way documents are made (`DOCUMENTS`)."""
    stamp = f"{DOCUMENTS}/{listing_updated.timestamp():.6f}/{organization_updated.timestamp():.6f}"
    return f"{stamp}/{review_count}:{rating_total}" if review_count else stamp


def document(row: Mapping[Any, Any], photo: str | None = None) -> dict[str, Any]:
    """A search document from a flat row: the listing's fields, and its organization's as `org_<field>`."""
    delivery = [
        name
        for name, offered in (
            ("pickup", row["pickup"]),
            ("delivery", bool(row["delivery_states"])),
            ("national", row["national_shipping"]),
        )
        if offered
    ]
    members, women = row["org_members_count"], row["org_women_members_count"]
    rating_total, review_count = row.get("rating_total") or 0, row.get("review_count") or 0
    certifications = row["org_certifications"]
    result: dict[str, Any] = {
        "id": row["id"],
        "title": row["title"],
        "description": row["description"],
        "category": row["category"],
        "category_name": CATEGORY_SEARCH_NAMES.get(row["category"], CATEGORIES_BY_SLUG[row["category"]].name),
        "kind": row["kind"],
        "unit": row["unit"],
        "price_cents": row["price_cents"],
        "in_stock": row["stock"] is None or row["stock"] >= row["minimum_order"],
        "delivery": delivery,
        "delivery_states": row["delivery_states"],
        "organization_slug": row["org_slug"],
        "organization_name": row["org_name"],
        "legal_form": row["org_legal_form"],
        "certifications": certifications,
        "certification_names": [CERTIFICATIONS[c] for c in certifications if c in CERTIFICATIONS],
        "state": row["org_state"],
        "state_name": state_name(row["org_state"]),
        "municipality": row["org_municipality"],
        "women_led": women_led(members, women),
        "indigenous": indigenous(row["org_indigenous_community"]),
        "created_at": int(row["created_at"].timestamp()),
        "rating": average(rating_total, review_count),  # 0.0 without reviews: last when sorting by rating
        "review_count": review_count,
        "photo": photo,
        "version": _version(row["updated_at"], row["org_updated_at"], rating_total, review_count),
    }
    if row["org_latitude"] is not None and row["org_longitude"] is not None:
        result["_geo"] = {"lat": row["org_latitude"], "lng": row["org_longitude"]}
    return result


def listing_document(
    listing: Listing, organization: Organization, photo: str | None = None
) -> dict[str, Any]:
    """The document of model instances (tests, one-off use); the same function as for query rows."""
    row = {f: getattr(listing, f) for f in LISTING_FIELDS} | {
        f"org_{f}": getattr(organization, f) for f in ORGANIZATION_FIELDS
    }
    return document(row, photo)


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
    session: Session, ids: Sequence[int] | None = None, batch_size: int = 5000
) -> Iterator[list[dict[str, Any]]]:
    """Documents of every searchable listing (or of those among `ids`), in batches streamed from the
    database (no ORDER BY, so rows flow at once), so memory stays flat whatever the catalog size. Ratings
    come from one aggregate joined in, not from a query per listing."""
    ratings = rating_totals(ids)
    query = public_listings_query(*COLUMNS, ratings.c.rating_total, ratings.c.review_count).outerjoin(
        ratings, ratings.c.listing_id == Listing.id
    )
    if ids is not None:
        query = query.where(col(Listing.id).in_(ids))
    result = session.execute(query.execution_options(yield_per=batch_size))
    for rows in result.mappings().partitions():
        photos = _first_photos(session, [row["id"] for row in rows])
        yield [document(row, photos.get(row["id"])) for row in rows]


def count_public(session: Session) -> int:
    return int(
        session.exec(select(func.count()).select_from(public_listings_query(Listing.id).subquery())).one()
    )


def public_versions(session: Session) -> dict[int, str]:
    ratings = rating_totals()
    columns = (Listing.id, Listing.updated_at, Organization.updated_at, ratings.c.rating_total)
    rows = session.execute(
        public_listings_query(*columns, ratings.c.review_count).outerjoin(
            ratings, ratings.c.listing_id == Listing.id
        )
    ).all()
    return {
        listing_id: _version(updated, org_updated, total, count)
        for listing_id, updated, org_updated, total, count in rows
    }
