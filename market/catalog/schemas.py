"""Listing requests and responses. Prices are integer centavos."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from market import media
from market.bounds import MAX_PRICE_CENTS, MAX_QUANTITY
from market.catalog.models import ListingStatus
from market.catalog.sat_keys import TAXED, ProductKey, TaxObject, UnitKey
from market.catalog.taxonomy import (
    GOOD_UNITS,
    SERVICE_UNITS,
    CategorySlug,
    ListingKind,
    UnitCode,
    default_sat_product_key,
    default_sat_unit_key,
)
from market.mexico import StateCode, StateCodes
from market.validation import invalid

MAX_TIERS = 10


class TierIn(BaseModel):
    min_quantity: int = Field(gt=1, le=MAX_QUANTITY)
    unit_price_cents: int = Field(gt=0, le=MAX_PRICE_CENTS)


class ListingBase(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    title: str = Field(min_length=3, max_length=140)
    description: str = Field(default="", max_length=5000)
    category: CategorySlug
    kind: ListingKind = "good"
    unit: UnitCode
    price_cents: int = Field(gt=0, le=MAX_PRICE_CENTS)
    stock: int | None = Field(default=None, ge=0, le=MAX_QUANTITY)
    minimum_order: int = Field(default=1, ge=1, le=MAX_QUANTITY)
    tiers: list[TierIn] = Field(default_factory=list, max_length=MAX_TIERS)
    lead_time_days: int = Field(default=0, ge=0, le=365)
    pickup: bool = True
    pickup_address: str | None = Field(default=None, max_length=300)
    delivery_states: StateCodes = Field(default_factory=list)
    national_shipping: bool = Field(default=False, validate_default=True)
    # The SAT's keys its invoices carry; left out, those suggested for its category and unit.
    sat_product_key: ProductKey | None = Field(
        default=None, description="c_ClaveProdServ (8 digits); default: the category's"
    )
    sat_unit_key: UnitKey | None = Field(default=None, description="c_ClaveUnidad; default: the unit's")
    tax_object: TaxObject = Field(default=TAXED, description="c_ObjetoImp: 02 taxed (also at 0 %), 01 not")

    @field_validator("unit")
    @classmethod
    def _unit_fits_kind(cls, unit: str, info: ValidationInfo) -> str:
        """A unit of the vocabulary (its type checks that), and one of this kind of listing."""
        units = SERVICE_UNITS if info.data.get("kind") == "service" else GOOD_UNITS
        if unit not in units:
            raise invalid(
                "unit_unknown", "Elige una unidad válida para este tipo: {units}.", units=", ".join(units)
            )
        return unit

    @field_validator("tiers")
    @classmethod
    def _tiers_lower_the_price(cls, tiers: list[TierIn], info: ValidationInfo) -> list[TierIn]:
        """Each tier starts above the minimum order and the previous tier, and costs less than both."""
        tiers = sorted(tiers, key=lambda t: t.min_quantity)
        previous_qty = info.data.get("minimum_order", 1)
        previous_price = info.data.get("price_cents")
        for tier in tiers:
            if tier.min_quantity <= previous_qty:
                raise invalid(
                    "tier_quantity",
                    "Cada precio por volumen debe empezar en una cantidad mayor que {quantity}.",
                    quantity=previous_qty,
                )
            if previous_price is not None and tier.unit_price_cents >= previous_price:
                raise invalid(
                    "tier_price",
                    "Un precio por volumen debe ser menor que el precio anterior.",
                )
            previous_qty, previous_price = tier.min_quantity, tier.unit_price_cents
        return tiers

    @field_validator("national_shipping")
    @classmethod
    def _some_delivery(cls, value: bool, info: ValidationInfo) -> bool:
        if not (value or info.data.get("pickup") or info.data.get("delivery_states")):
            raise invalid(
                "no_delivery_option",
                "Ofrece al menos una forma de entrega: recoger, entrega en estados o envío nacional.",
            )
        return value

    @model_validator(mode="after")
    def _sat_keys_default(self) -> ListingBase:
        """Keys left out are those suggested for the category and unit (once those are valid)."""
        if self.sat_product_key is None and self.category:
            self.sat_product_key = default_sat_product_key(self.category)
        if self.sat_unit_key is None and self.unit:
            self.sat_unit_key = default_sat_unit_key(self.unit, self.kind)
        return self


class ListingCreate(ListingBase):
    # The other statuses come later, by a status change.
    status: Literal[ListingStatus.DRAFT, ListingStatus.ACTIVE] = ListingStatus.DRAFT


class ListingUpdate(BaseModel):
    """Partial update: merged with the stored listing and re-validated as a whole by the service."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, min_length=3, max_length=140)
    description: str | None = Field(default=None, max_length=5000)
    category: CategorySlug | None = None
    kind: ListingKind | None = None
    unit: UnitCode | None = None
    price_cents: int | None = Field(default=None, gt=0, le=MAX_PRICE_CENTS)
    stock: int | None = Field(default=None, ge=0, le=MAX_QUANTITY)
    minimum_order: int | None = Field(default=None, ge=1, le=MAX_QUANTITY)
    tiers: list[TierIn] | None = Field(default=None, max_length=MAX_TIERS)
    lead_time_days: int | None = Field(default=None, ge=0, le=365)
    pickup: bool | None = None
    pickup_address: str | None = Field(default=None, max_length=300)
    delivery_states: StateCodes | None = None
    national_shipping: bool | None = None
    # null: back to the key suggested for the category (unit); a key left at the old category's
    # (unit's) suggestion follows a change of category (unit).
    sat_product_key: ProductKey | None = None
    sat_unit_key: UnitKey | None = None
    tax_object: TaxObject | None = None


class StatusChange(BaseModel):
    status: ListingStatus


class TierPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    min_quantity: int
    unit_price_cents: int


class PhotoPublic(BaseModel):
    url: str  # at most 1600 px a side
    thumb_url: str  # 400 px
    medium_url: str | None = None  # 800 px; none for a photo stored before that size was made

    @classmethod
    def of(cls, path: str, thumb_path: str) -> PhotoPublic:
        sizes = {size: f"/media/{key}" for key, size in media.sizes_of(path, thumb_path)}
        return cls(
            url=sizes[media.FULL_SIZE],
            thumb_url=sizes[media.THUMB_SIZE],
            medium_url=sizes.get(media.MEDIUM_SIZE),
        )

    @property
    def srcset(self) -> str:
        """Each size for `<img srcset>`, so a browser loads the smallest that looks sharp on its screen."""
        sizes = [
            (self.thumb_url, media.THUMB_SIZE),
            (self.medium_url, media.MEDIUM_SIZE),
            (self.url, media.FULL_SIZE),
        ]
        return ", ".join(f"{url} {size}w" for url, size in sizes if url)


class ListingPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    slug: str
    organization_id: int
    organization_slug: str
    organization_name: str
    state: StateCode
    title: str
    description: str
    category: CategorySlug
    kind: ListingKind
    unit: UnitCode
    price_cents: int
    tiers: list[TierPublic]
    stock: int | None
    minimum_order: int
    lead_time_days: int
    pickup: bool
    pickup_address: str | None = Field(
        description="Where it is picked up, as its producer wrote it for buyers"
    )
    delivery_states: list[StateCode]
    national_shipping: bool
    sat_product_key: str = Field(description="The SAT's c_ClaveProdServ its invoices carry")
    sat_unit_key: str = Field(description="The SAT's c_ClaveUnidad its invoices carry")
    tax_object: TaxObject
    iva_bps: int = Field(description="IVA included in its prices, in basis points (0 or 1600)")
    status: ListingStatus
    suspended: bool = False  # by an administrator; only its members and administrators see it so
    suspension_reason: str | None = None
    photos: list[PhotoPublic]
    created_at: datetime
    updated_at: datetime


class ListingPage(BaseModel):
    """A page of the public catalogue. Ask for the next with `after=<next_cursor>` (the previous with
    `before=<prev_cursor>`) and the same filters and sort."""

    items: list[ListingPublic]
    total: int = Field(description="Public listings matching the filters, counted at most 10 s ago")
    page: int | None = Field(description="The page number when asked for by `page`; null when by cursor")
    per_page: int
    next_cursor: str | None = Field(description="null on the last page")
    prev_cursor: str | None = Field(description="null on the first page")
