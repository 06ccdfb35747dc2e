"""The cart: kept for anonymous visitors by a token in their session, merged into theirs at log-in,
priced per producer the way checkout will price it."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from market.accounts.models import User
from market.catalog.models import Listing
from market.catalog.service import is_purchasable
from market.catalog.taxonomy import iva_included
from market.config import Settings
from market.db import utcnow
from market.errors import CartEmpty, ListingNotFound, ValidationFailed
from market.i18n import N_
from market.money import apply_bps
from market.orders.checkout import checkout
from market.orders.limits import quantity_refusal
from market.orders.models import Cart, CartItem, Order
from market.orders.pricing import delivery_fee, load_for_pricing, unit_price
from market.orders.schemas import CartGroupPublic, CartLinePublic, CartPublic, Checkout
from market.organizations.models import Organization
from market.validation import field_errors

MAX_ITEMS = 100


def find(session: Session, user: User | None, token: str | None) -> Cart | None:
    if user is not None:
        return session.exec(select(Cart).where(Cart.user_id == user.id)).first()
    if token:
        return session.exec(select(Cart).where(Cart.token == token, col(Cart.user_id).is_(None))).first()
    return None


def ensure(session: Session, user: User | None, token: str | None) -> Cart:
    """The person's (or visitor's) cart, made if missing, and locked until the request ends: one change to
    a cart at a time (a double tap, two tabs), so the second sees the first's line instead of adding it again.
    A person's cart is made once even by two requests at once (the second finds the first's)."""
    cart = find(session, user, token)
    if cart is None and user is not None:
        insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
        made = insert(Cart).values(token=secrets.token_urlsafe(24), user_id=user.id, updated_at=utcnow())
        session.execute(made.on_conflict_do_nothing(index_elements=["user_id"]))
        cart = find(session, user, token)
    if cart is None:
        cart = Cart(token=secrets.token_urlsafe(24))
        session.add(cart)
        session.flush()
    else:
        lock = update(Cart).where(col(Cart.id) == cart.id).values(updated_at=utcnow())
        session.execute(lock.execution_options(synchronize_session=False))
    assert cart is not None
    return cart


def set_quantity(session: Session, cart: Cart, listing_id: int, quantity: int, *, add: bool = False) -> None:
    """Put `quantity` of a listing in the cart (or add it to what is there); putting 0 removes it, even a
    listing no longer for sale (paused, or suspended by an administrator). A quantity under the listing's
    minimum order or over its stock is refused (ValidationFailed on `quantity`, saying the limit) before
    anything is written; checkout checks the stock again, as it may have changed since."""
    item = session.exec(
        select(CartItem).where(CartItem.cart_id == cart.id, CartItem.listing_id == listing_id)
    ).first()
    in_cart = item.quantity if item and add else 0
    total = quantity + in_cart
    if total < 0 or total > 10_000_000:
        raise ValidationFailed({"quantity": N_("Escribe una cantidad válida.")})
    if total == 0 and not add:
        if item:
            session.delete(item)
            cart.updated_at = utcnow()
        return
    listing = session.get(Listing, listing_id)
    organization = session.get(Organization, listing.organization_id) if listing else None
    if listing is None or organization is None:
        raise ListingNotFound()
    if not is_purchasable(listing, organization):
        if item is None:  # never seen in this cart: as an unknown id, so a draft's existence does not leak
            raise ListingNotFound()
        raise ListingNotFound(N_("Ese producto no está a la venta en este momento."))
    # Adding nothing is no purchase: it is refused with what the listing asks for, its minimum order.
    if refusal := quantity_refusal(listing, total if quantity else 0, in_cart):
        raise ValidationFailed({"quantity": refusal})
    if item:
        item.quantity = total
    else:
        if len(items_of(session, cart)) >= MAX_ITEMS:
            raise ValidationFailed({"quantity": N_("El carrito admite hasta 100 productos distintos.")})
        session.add(CartItem(cart_id=cart.id or 0, listing_id=listing_id, quantity=total))
    cart.updated_at = utcnow()


def items_of(session: Session, cart: Cart) -> list[CartItem]:
    return list(
        session.exec(select(CartItem).where(CartItem.cart_id == cart.id).order_by(col(CartItem.id))).all()
    )


def merge_at_login(session: Session, user: User, token: str | None) -> None:
    """What a visitor put in the cart before signing in joins the person's own cart."""
    anonymous = find(session, None, token)
    if anonymous is None:
        return
    own = session.exec(select(Cart).where(Cart.user_id == user.id)).first()
    if own is None:
        anonymous.user_id = user.id
        return
    for item in items_of(session, anonymous):
        existing = session.exec(
            select(CartItem).where(CartItem.cart_id == own.id, CartItem.listing_id == item.listing_id)
        ).first()
        if existing:
            existing.quantity = max(existing.quantity, item.quantity)
        else:
            session.add(CartItem(cart_id=own.id or 0, listing_id=item.listing_id, quantity=item.quantity))
    session.delete(anonymous)


@dataclass
class Line:
    listing: Listing
    quantity: int
    unit_price_cents: int
    available: bool = True  # paused, archived or suspended since it was added: checkout will refuse it

    @property
    def total_cents(self) -> int:
        return self.quantity * self.unit_price_cents


@dataclass
class Group:
    organization: Organization
    lines: list[Line] = field(default_factory=list)

    @property
    def subtotal_cents(self) -> int:
        return sum(line.total_cents for line in self.lines)

    @property
    def delivery_states(self) -> list[str]:
        """The states where every listing of this producer in the cart is delivered locally."""
        states = [set(line.listing.delivery_states) for line in self.lines]
        return sorted(set.intersection(*states)) if states else []

    @property
    def pickup_addresses(self) -> list[str]:
        """Where its listings are picked up, as their producer wrote it (none: its address comes with the
        order)."""
        written = (line.listing.pickup_address for line in self.lines)
        return sorted({address.strip() for address in written if address and address.strip()})

    def offers(self, method: str) -> bool:
        attribute = {"pickup": "pickup", "national": "national_shipping", "delivery": "delivery_states"}[
            method
        ]
        return all(bool(getattr(line.listing, attribute)) for line in self.lines)


@dataclass
class Summary:
    groups: list[Group]
    fee_bps: int

    @property
    def total_cents(self) -> int:
        return sum(group.subtotal_cents for group in self.groups)

    @property
    def fee_cents(self) -> int:
        return sum(apply_bps(group.subtotal_cents, self.fee_bps) for group in self.groups)

    @property
    def iva_cents(self) -> int:
        return sum(
            iva_included(line.total_cents, line.listing.category)
            for group in self.groups
            for line in group.lines
        )


def to_public(summary: Summary, payment_methods: list[str]) -> CartPublic:
    groups = []
    for group in summary.groups:
        organization = group.organization
        groups.append(
            CartGroupPublic(
                organization_id=organization.id or 0,
                organization_name=organization.name,
                lines=[
                    CartLinePublic(
                        listing_id=line.listing.id or 0,
                        title=line.listing.title,
                        unit=line.listing.unit,
                        quantity=line.quantity,
                        unit_price_cents=line.unit_price_cents,
                        total_cents=line.total_cents,
                        available=line.available,
                    )
                    for line in group.lines
                ],
                subtotal_cents=group.subtotal_cents,
                delivery_options={
                    method: delivery_fee(organization, method)
                    for method in ("pickup", "delivery", "national")
                    if group.offers(method)
                },
            )
        )
    return CartPublic(
        groups=groups,
        total_cents=summary.total_cents,
        platform_fee_cents=summary.fee_cents,
        iva_cents=summary.iva_cents,
        payment_methods=payment_methods,
    )


def summary(session: Session, settings: Settings, cart: Cart | None) -> Summary:
    """The cart grouped by producer and priced as checkout will price it (volume tiers included)."""
    items = items_of(session, cart) if cart else []
    found, tiers = load_for_pricing(session, [item.listing_id for item in items])
    groups: dict[int, Group] = {}
    for item in items:
        listing, org = found[item.listing_id]
        group = groups.setdefault(org.id or 0, Group(org))
        group.lines.append(
            Line(
                listing,
                item.quantity,
                unit_price(listing, tiers[item.listing_id], item.quantity),
                is_purchasable(listing, org),
            )
        )
    return Summary(list(groups.values()), settings.platform_fee_bps)


def check_out(session: Session, settings: Settings, user: User, cart: Cart, choices: dict[str, Any]) -> Order:
    """Checkout of everything in the cart with the buyer's choices (delivery per producer, delivery state,
    address, phone, payment method); the cart empties only if the order was created. The cart's row is
    locked first: a second checkout of the same cart at once waits, then finds it empty."""
    session.execute(update(Cart).where(col(Cart.id) == cart.id).values(updated_at=utcnow()))
    items = [{"listing_id": i.listing_id, "quantity": i.quantity} for i in items_of(session, cart)]
    if not items:
        raise CartEmpty()
    try:
        data = Checkout.model_validate(choices | {"items": items})
    except ValidationError as exc:
        raise ValidationFailed(field_errors(exc)) from exc
    order = checkout(session, settings, user, data, seen=frozenset(i["listing_id"] for i in items))
    for item in items_of(session, cart):
        session.delete(item)
    return order
