"""Checkout requests."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from market.bounds import MAX_QUANTITY, Id
from market.catalog.taxonomy import DeliveryMethod, UnitCode
from market.invoicing.receiver_data import FiscalData
from market.mexico import StateCode
from market.orders.models import FulfillmentStatus, OrderStatus
from market.payments.methods import METHOD_LABELS
from market.validation import Vocabulary, invalid

PHONE = re.compile(r"\+?[0-9 ().-]+")  # ASCII digits: "²" or "٣" is no phone number
PaymentMethod = Annotated[str, Vocabulary("PaymentMethod", METHOD_LABELS)]
FISCAL = (
    "The buyer's own fiscal data, to be invoiced by name (a CFDI de ingreso per producer, as each part is "
    "paid); without it the purchase goes into each producer's monthly global invoice. Not for an "
    "institution's order."
)


class CheckoutItem(BaseModel):
    listing_id: Id
    quantity: int = Field(gt=0, le=MAX_QUANTITY)


class Checkout(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[CheckoutItem] = Field(min_length=1, max_length=100)
    # How each producer delivers, by organization id (pickup when not said).
    delivery: dict[Id, DeliveryMethod] = Field(default_factory=dict)
    delivery_state: StateCode | None = None  # the buyer's state, for local delivery
    payment_method: PaymentMethod = "spei_transfer"
    # A member of an institution buys for it (its colleagues see the order; it counts as institutional),
    # unless the purchase is personal.
    personal: bool = False
    # Needed when any producer delivers or ships: street, number, colonia, CP, municipality.
    ship_to: str | None = Field(default=None, max_length=500)
    contact_phone: str | None = Field(default=None, max_length=30)
    fiscal: FiscalData | None = Field(default=None, description=FISCAL)

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


class Move(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    status: FulfillmentStatus  # the step: the state it moves to
    note: str | None = Field(default=None, max_length=500)
    carrier: str | None = Field(default=None, max_length=80)
    tracking_number: str | None = Field(default=None, max_length=80)


class OfflinePayment(BaseModel):
    reference: str = Field(min_length=4, max_length=40)


class LinePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    listing_id: int | None
    title: str
    unit: UnitCode
    unit_price_cents: int
    quantity: int
    total_cents: int


class EventPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    from_status: FulfillmentStatus | None
    to_status: FulfillmentStatus
    note: str | None
    created_at: datetime


class FulfillmentPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    organization_id: int
    organization_name: str
    organization_slug: str
    status: FulfillmentStatus
    delivery_method: DeliveryMethod
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
    status: OrderStatus
    payment_method: PaymentMethod
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
    delivery_state: StateCode | None = None
    payment_method: PaymentMethod = "spei_transfer"
    # A member of an institution buys for it (its colleagues see the order; it counts as institutional),
    # unless the purchase is personal.
    personal: bool = False
    ship_to: str | None = Field(default=None, max_length=500)
    contact_phone: str | None = Field(default=None, max_length=30)
    fiscal: FiscalData | None = Field(default=None, description=FISCAL)


class CartLinePublic(BaseModel):
    listing_id: int
    title: str
    unit: UnitCode
    quantity: int
    unit_price_cents: int
    total_cents: int
    available: bool  # false: no longer for sale; checkout refuses the cart until it is removed


class CartGroupPublic(BaseModel):
    organization_id: int
    organization_name: str
    lines: list[CartLinePublic]
    subtotal_cents: int
    delivery_options: dict[DeliveryMethod, int]  # method -> what it costs


class CartPublic(BaseModel):
    groups: list[CartGroupPublic]
    total_cents: int
    platform_fee_cents: int
    iva_cents: int
    payment_methods: list[PaymentMethod]
