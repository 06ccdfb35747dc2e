"""Orders: one checkout by one buyer, split into one fulfillment per producer organization, with its
lines (a snapshot of what was bought, at what price) and a timeline of every transition."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Column, ColumnElement, UniqueConstraint, and_, or_
from sqlmodel import Field, SQLModel, col

from market.db import utcnow
from market.i18n import N_
from market.statuses import Status, StatusColumn


class OrderStatus(Status):
    """Where an order's payment stands."""

    AWAITING_PAYMENT = "awaiting_payment", N_("Esperando pago")
    PAID = "paid", N_("Pagado")
    INVOICED = "invoiced", N_("A crédito: pago pendiente")
    PAY_AT_PICKUP = "pay_at_pickup", N_("Se paga al recoger")
    EXPIRED = "expired", N_("Vencido")
    CANCELLED = "cancelled", N_("Cancelado")


class FulfillmentStatus(Status):
    """Where one producer's part of an order stands."""

    AWAITING_PAYMENT = "awaiting_payment", N_("Esperando pago")
    PENDING_ACCEPTANCE = "pending_acceptance", N_("Por aceptar")
    ACCEPTED = "accepted", N_("Aceptado")
    PREPARING = "preparing", N_("En preparación")
    SHIPPED = "shipped", N_("Enviado")
    READY_FOR_PICKUP = "ready_for_pickup", N_("Listo para recoger")
    DELIVERED = "delivered", N_("Entregado")
    COMPLETED = "completed", N_("Completado")
    REJECTED = "rejected", N_("Rechazado")
    CANCELLED = "cancelled", N_("Cancelado")


def payment_reference(order_id: int) -> str:
    """What the buyer writes in the SPEI transfer (and the statement's concept names), so the money can be
    matched to the order: TS and the order's number in eight digits."""
    return f"TS{order_id:08d}"


OUT_FOR_DELIVERY = N_("Salió a entregar")  # "shipped", said of a local delivery


def status_label(status: str, delivery_method: str) -> str:
    """A part's state as people read it (Spanish source text): a local delivery that left is out for
    delivery, not shipped."""
    if status == FulfillmentStatus.SHIPPED and delivery_method == "delivery":
        return OUT_FOR_DELIVERY
    return FulfillmentStatus.label_of(status)


class Order(SQLModel, table=True):
    __tablename__ = "orders"  # "order" is a reserved word in SQL

    id: int | None = Field(default=None, primary_key=True)
    buyer_id: int = Field(foreign_key="user.id", index=True)
    status: OrderStatus = Field(
        default=OrderStatus.AWAITING_PAYMENT, sa_type=StatusColumn(OrderStatus, 24), index=True
    )
    payment_method: str = Field(max_length=24)
    subtotal_cents: int = Field(sa_type=BigInteger)  # goods and services, IVA included
    delivery_cents: int = Field(sa_type=BigInteger)
    total_cents: int = Field(sa_type=BigInteger)  # what the buyer pays
    # Kept from the producers' share, never added to the buyer's total
    platform_fee_cents: int = Field(sa_type=BigInteger)
    reserved_until: datetime | None = None  # unpaid reservations expire; stock comes back
    payment_due_at: datetime | None = None  # invoice terms: the institution pays within 30 days
    # Where delivered or shipped parts go, and how the producers reach the buyer.
    ship_to: str | None = Field(default=None, max_length=500)
    contact_phone: str | None = Field(default=None, max_length=30)
    demand_id: int | None = Field(default=None, foreign_key="demand.id", index=True)  # an awarded demand
    purchase_order: str | None = Field(default=None, max_length=24)
    # The institution it was bought for, as things stood when it was placed (None: a person's purchase).
    buyer_organization_id: int | None = Field(default=None, foreign_key="buyerorganization.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, index=True)

    @property
    def payment_reference(self) -> str:
        return payment_reference(self.id or 0)

    @property
    def awaits_bank_transfer(self) -> bool:
        """Its payment is a bank deposit an administrator matches (by hand or from a statement): a SPEI
        transfer not received yet, or an institution's invoice. As a query: `awaiting_bank_transfer()`."""
        return (
            self.status == OrderStatus.AWAITING_PAYMENT and self.payment_method == "spei_transfer"
        ) or self.status == OrderStatus.INVOICED


class Fulfillment(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", index=True, ondelete="CASCADE")
    organization_id: int = Field(foreign_key="organization.id", index=True)
    status: FulfillmentStatus = Field(
        default=FulfillmentStatus.AWAITING_PAYMENT, sa_type=StatusColumn(FulfillmentStatus, 24), index=True
    )
    delivery_method: str = Field(max_length=16)  # pickup | delivery | national
    subtotal_cents: int = Field(sa_type=BigInteger)
    delivery_cents: int = Field(sa_type=BigInteger)
    platform_fee_cents: int = Field(sa_type=BigInteger)
    carrier: str | None = Field(default=None, max_length=80)
    tracking_number: str | None = Field(default=None, max_length=80)
    # The producer as it was when it sold (what the impact figures group by), so a later edit of the
    # organization does not rewrite history. Set by market.impact.profile.
    producer_state: str = Field(default="", max_length=2)
    producer_legal_form: str = Field(default="", max_length=32)
    producer_women_led: bool = False
    producer_indigenous: bool = False
    producer_certifications: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    producer_sdgs: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class OrderLine(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    fulfillment_id: int = Field(foreign_key="fulfillment.id", index=True, ondelete="CASCADE")
    listing_id: int | None = Field(default=None, foreign_key="listing.id", index=True)  # None when quoted
    title: str = Field(max_length=140)
    unit: str = Field(max_length=16)
    unit_price_cents: int = Field(sa_type=BigInteger)
    quantity: int = Field(sa_type=BigInteger)
    total_cents: int = Field(sa_type=BigInteger)


class FulfillmentEvent(SQLModel, table=True):
    """One step of a fulfillment's timeline: who moved it, when, from where to where, and why."""

    id: int | None = Field(default=None, primary_key=True)
    fulfillment_id: int = Field(foreign_key="fulfillment.id", index=True, ondelete="CASCADE")
    from_status: FulfillmentStatus | None = Field(default=None, sa_type=StatusColumn(FulfillmentStatus, 24))
    to_status: FulfillmentStatus = Field(sa_type=StatusColumn(FulfillmentStatus, 24))
    actor_id: int | None = Field(default=None, foreign_key="user.id")
    note: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow)


class Cart(SQLModel, table=True):
    """A visitor's cart (found by the token in the session) or a signed-in person's (by user)."""

    id: int | None = Field(default=None, primary_key=True)
    token: str = Field(max_length=64, unique=True)
    user_id: int | None = Field(default=None, foreign_key="user.id", unique=True)
    updated_at: datetime = Field(default_factory=utcnow)


class CartItem(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("cart_id", "listing_id"),)

    id: int | None = Field(default=None, primary_key=True)
    cart_id: int = Field(foreign_key="cart.id", index=True, ondelete="CASCADE")
    listing_id: int = Field(foreign_key="listing.id", ondelete="CASCADE")
    quantity: int = Field(sa_type=BigInteger)


def awaiting_bank_transfer() -> ColumnElement[bool]:
    """`Order.awaits_bank_transfer`, as a condition of a query."""
    return or_(
        and_(col(Order.status) == OrderStatus.AWAITING_PAYMENT, col(Order.payment_method) == "spei_transfer"),
        col(Order.status) == OrderStatus.INVOICED,
    )
