"""Listings (goods and services), their quantity price tiers and photos."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Column, Index, UniqueConstraint
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlmodel import AutoString, Field, SQLModel

from market.catalog.taxonomy import default_sat_product_key, default_sat_unit_key
from market.db import utcnow
from market.i18n import N_
from market.statuses import Status, StatusColumn


class ListingStatus(Status):
    """The producer's own status of a listing (an administrator's suspension is apart)."""

    DRAFT = "draft", N_("Borrador")
    ACTIVE = "active", N_("Publicado")
    PAUSED = "paused", N_("En pausa")
    ARCHIVED = "archived", N_("Archivado")


# Archived is final: an archived listing may be referenced by past orders, so it is never revived.
LISTING_TRANSITIONS: dict[ListingStatus, frozenset[ListingStatus]] = {
    ListingStatus.DRAFT: frozenset({ListingStatus.ACTIVE, ListingStatus.ARCHIVED}),
    ListingStatus.ACTIVE: frozenset({ListingStatus.PAUSED, ListingStatus.ARCHIVED}),
    ListingStatus.PAUSED: frozenset({ListingStatus.ACTIVE, ListingStatus.ARCHIVED}),
    ListingStatus.ARCHIVED: frozenset(),
}


def _suggested_product_key(context: DefaultExecutionContext) -> str:
    return default_sat_product_key(context.get_current_parameters()["category"])


def _suggested_unit_key(context: DefaultExecutionContext) -> str:
    row = context.get_current_parameters()
    return default_sat_unit_key(row["unit"], row.get("kind") or "good")


class Listing(SQLModel, table=True):
    # One per order of the public catalogue (market/catalog/keyset.py), and per order within a category:
    # the page after a key is an index walk from it, read forwards or backwards.
    __table_args__ = (
        Index("ix_listing_catalog_recent", "status", "created_at", "id"),
        Index("ix_listing_catalog_price", "status", "price_cents", "id"),
        Index("ix_listing_catalog_title", "status", "title", "id"),
        Index("ix_listing_category_recent", "category", "status", "created_at", "id"),
        Index("ix_listing_category_price", "category", "status", "price_cents", "id"),
        Index("ix_listing_category_title", "category", "status", "title", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", index=True, ondelete="CASCADE")
    slug: str = Field(max_length=160)
    title: str = Field(max_length=140)
    description: str = Field(default="", max_length=5000)
    category: str = Field(max_length=40, index=True)
    kind: str = Field(default="good", max_length=8)  # good | service
    unit: str = Field(max_length=16)
    price_cents: int = Field(sa_type=BigInteger)
    # Goods: units on hand; services: capacity. None = made to order
    stock: int | None = Field(default=None, sa_type=BigInteger)
    minimum_order: int = Field(default=1, sa_type=BigInteger)
    lead_time_days: int = 0
    pickup: bool = True
    pickup_address: str | None = Field(default=None, max_length=300)
    delivery_states: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    national_shipping: bool = False
    # The SAT's keys its invoices carry (market/catalog/sat_keys.py). A row inserted without them (a bulk
    # load, a test's listing) gets those suggested for its category and unit: a stored listing always has
    # both, so the None before an insert is never read back.
    sat_product_key: str = Field(
        default=None, sa_column=Column(AutoString(8), nullable=False, default=_suggested_product_key)
    )
    sat_unit_key: str = Field(
        default=None, sa_column=Column(AutoString(3), nullable=False, default=_suggested_unit_key)
    )
    tax_object: str = Field(default="02", max_length=2)  # c_ObjetoImp: 02 taxed (at 0 % too), 01 not
    status: ListingStatus = Field(
        default=ListingStatus.DRAFT, sa_type=StatusColumn(ListingStatus, 16), index=True
    )
    # An administrator's moderation, apart from the producer's own status: the producer cannot undo it.
    suspended: bool = False
    suspension_reason: str | None = Field(default=None, max_length=1000)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    updated_at: datetime = Field(default_factory=utcnow)


class PriceTier(SQLModel, table=True):
    """From `min_quantity` units on, each unit costs `unit_price_cents`."""

    __table_args__ = (UniqueConstraint("listing_id", "min_quantity"),)

    id: int | None = Field(default=None, primary_key=True)
    listing_id: int = Field(foreign_key="listing.id", index=True, ondelete="CASCADE")
    min_quantity: int = Field(sa_type=BigInteger)
    unit_price_cents: int = Field(sa_type=BigInteger)


class ListingPhoto(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    listing_id: int = Field(foreign_key="listing.id", index=True, ondelete="CASCADE")
    path: str = Field(max_length=200)
    thumb_path: str = Field(max_length=200)
    position: int = 0
    created_at: datetime = Field(default_factory=utcnow)
