"""Checkout requests."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from market.bounds import MAX_QUANTITY, Id
from market.mexico import STATES_BY_CODE
from market.validation import invalid

PHONE = re.compile(r"\+?[0-9 ().-]+")  # ASCII digits: "²" or "٣" is no phone number
PaymentMethod = Literal["card", "oxxo", "spei", "spei_transfer", "cash_on_pickup", "invoice"]
DeliveryMethod = Literal["pickup", "delivery", "national"]


class CheckoutItem(BaseModel):
    listing_id: Id
    quantity: int = Field(gt=0, le=MAX_QUANTITY)


class Checkout(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[CheckoutItem] = Field(min_length=1, max_length=100)
    # How each producer delivers, by organization id (pickup when not said).
    delivery: dict[Id, DeliveryMethod] = Field(default_factory=dict)
    delivery_state: str | None = None  # the buyer's state (INEGI), for local delivery
    payment_method: PaymentMethod = "spei_transfer"
    # A member of an institution buys for it (its colleagues see the order; it counts as institutional),
    # unless the purchase is personal.
    personal: bool = False
    # Needed when any producer delivers or ships: street, number, colonia, CP, municipality.
    ship_to: str | None = Field(default=None, max_length=500)
    contact_phone: str | None = Field(default=None, max_length=30)

    @field_validator("ship_to", "contact_phone")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value.strip() or None if value else None

    @field_validator("contact_phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value is not None and not (PHONE.fullmatch(value) and 10 <= sum(c.isdigit() for c in value) <= 15):
            raise invalid("phone_invalid", "Escribe un teléfono de 10 dígitos.")
        return value

    @field_validator("items")
    @classmethod
    def _one_line_per_listing(cls, items: list[CheckoutItem]) -> list[CheckoutItem]:
        merged: dict[int, int] = {}
        for item in items:
            merged[item.listing_id] = merged.get(item.listing_id, 0) + item.quantity
        return [CheckoutItem(listing_id=i, quantity=q) for i, q in sorted(merged.items())]

    @field_validator("delivery_state")
    @classmethod
    def _known_state(cls, value: str | None) -> str | None:
        if value is not None and value not in STATES_BY_CODE:
            raise invalid("state_unknown", "Elige una de las 32 entidades federativas.")
        return value


class Move(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    status: str = Field(max_length=24)
    note: str | None = Field(default=None, max_length=500)
    carrier: str | None = Field(default=None, max_length=80)
    tracking_number: str | None = Field(default=None, max_length=80)


class OfflinePayment(BaseModel):
    reference: str = Field(min_length=4, max_length=40)


class LinePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    listing_id: int | None
    title: str
    unit: str
    unit_price_cents: int
    quantity: int
    total_cents: int


class EventPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    from_status: str | None
    to_status: str
    note: str | None
    created_at: datetime


class FulfillmentPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    organization_id: int
    organization_name: str
    organization_slug: str
    status: str
    delivery_method: str
    subtotal_cents: int
    delivery_cents: int
    platform_fee_cents: int
    carrier: str | None
    tracking_number: str | None
    lines: list[LinePublic]
    timeline: list[EventPublic]


class OrderPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    status: str
    payment_method: str
    buyer_name: str
    buyer_email: str
    demand_id: int | None = None  # an awarded demand's order
    purchase_order: str | None = None
    ship_to: str | None
    contact_phone: str | None
    payment_due_at: datetime | None
    subtotal_cents: int
    delivery_cents: int
    total_cents: int
    reserved_until: datetime | None
    created_at: datetime
    fulfillments: list[FulfillmentPublic]


class CartQuantity(BaseModel):
    quantity: int = Field(ge=0, le=MAX_QUANTITY)  # 0 takes the listing out


class CartChoices(BaseModel):
    """Checkout of the whole cart: the same choices as an order, without the items."""

    model_config = ConfigDict(extra="forbid")

    delivery: dict[Id, DeliveryMethod] = Field(default_factory=dict)
    delivery_state: str | None = None
    payment_method: PaymentMethod = "spei_transfer"
    # A member of an institution buys for it (its colleagues see the order; it counts as institutional),
    # unless the purchase is personal.
    personal: bool = False
    ship_to: str | None = Field(default=None, max_length=500)
    contact_phone: str | None = Field(default=None, max_length=30)


class CartLinePublic(BaseModel):
    listing_id: int
    title: str
    unit: str
    quantity: int
    unit_price_cents: int
    total_cents: int
    available: bool  # false: no longer for sale; checkout refuses the cart until it is removed


class CartGroupPublic(BaseModel):
    organization_id: int
    organization_name: str
    lines: list[CartLinePublic]
    subtotal_cents: int
    delivery_options: dict[str, int]  # method -> what it costs


class CartPublic(BaseModel):
    groups: list[CartGroupPublic]
    total_cents: int
    platform_fee_cents: int
    iva_cents: int
    payment_methods: list[str]
