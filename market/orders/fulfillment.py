"""The state machine of an order's parts (fulfillments) and of the order's payment that drives them: the
allowed steps, who may take each, compare-and-set moves that let one of two racing requests through,
stock going back to the catalog when a part ends undelivered, and the buyer's money arriving."""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_, update
from sqlmodel import Session, col, select

from market.accounts.models import User
from market.admin import audit
from market.catalog.models import Listing
from market.db import utcnow
from market.disputes import holds
from market.errors import (
    ChangedMeanwhile,
    Forbidden,
    InvalidTransition,
    NotFound,
    StepNotForDelivery,
    ValidationFailed,
)
from market.i18n import N_
from market.invoicing import corrections, issuing
from market.ledger import service as ledger
from market.linking.models import BuyerMembership
from market.orders import notifications
from market.orders.models import (
    Fulfillment,
    FulfillmentEvent,
    FulfillmentStatus,
    Order,
    OrderLine,
    OrderStatus,
)
from market.organizations import service as organizations
from market.organizations.models import Organization
from market.outbox import search_changed
from market.payments import service as payments

TRANSITIONS: dict[FulfillmentStatus, frozenset[FulfillmentStatus]] = {
    FulfillmentStatus.AWAITING_PAYMENT: frozenset(
        {FulfillmentStatus.PENDING_ACCEPTANCE, FulfillmentStatus.CANCELLED}
    ),
    FulfillmentStatus.PENDING_ACCEPTANCE: frozenset(
        {FulfillmentStatus.ACCEPTED, FulfillmentStatus.REJECTED, FulfillmentStatus.CANCELLED}
    ),
    FulfillmentStatus.ACCEPTED: frozenset({FulfillmentStatus.PREPARING, FulfillmentStatus.CANCELLED}),
    FulfillmentStatus.PREPARING: frozenset(
        {FulfillmentStatus.SHIPPED, FulfillmentStatus.READY_FOR_PICKUP, FulfillmentStatus.CANCELLED}
    ),
    FulfillmentStatus.SHIPPED: frozenset({FulfillmentStatus.DELIVERED}),
    FulfillmentStatus.READY_FOR_PICKUP: frozenset({FulfillmentStatus.DELIVERED}),
    FulfillmentStatus.DELIVERED: frozenset({FulfillmentStatus.COMPLETED}),
    FulfillmentStatus.COMPLETED: frozenset(),
    FulfillmentStatus.REJECTED: frozenset(),
    FulfillmentStatus.CANCELLED: frozenset(),
}

# Orders whose fulfillments the producers work on: paid, or on terms that let the work start first.
ACTIVE_ORDER_STATUSES = (OrderStatus.PAID, OrderStatus.INVOICED, OrderStatus.PAY_AT_PICKUP)


def restock(session: Session, lines: list[OrderLine]) -> None:
    """The units of lines that end undelivered go back to their listings (those with a stock), in listing-id
    order as checkout takes them: a cancellation and a checkout of the same listings never deadlock."""
    stocked = (line for line in lines if line.listing_id is not None)  # quoted lines held no stock
    lines = sorted(stocked, key=lambda line: line.listing_id or 0)
    # The search hears of it first: nothing is left to write while the UPDATEs hold the listings' rows.
    search_changed(session, listing_ids=[line.listing_id for line in lines if line.listing_id])
    for line in lines:
        session.execute(
            update(Listing)
            .where(col(Listing.id) == line.listing_id, col(Listing.stock).is_not(None))
            .values(stock=col(Listing.stock) + line.quantity, updated_at=utcnow())
        )


def transition(
    session: Session,
    fulfillment: Fulfillment,
    target: str,
    actor: User | None,
    note: str | None = None,
    by_producer: bool = False,
) -> Fulfillment:
    """Move a fulfillment along its state machine and record the step; anything else is a 409."""
    if target not in TRANSITIONS.get(fulfillment.status, frozenset()):
        raise InvalidTransition(current=fulfillment.status, target=target)
    assert fulfillment.id is not None
    current, step = FulfillmentStatus(fulfillment.status), FulfillmentStatus(target)
    compare_and_set(session, Fulfillment, fulfillment.id, current, step, updated_at=utcnow())
    session.add(
        FulfillmentEvent(
            fulfillment_id=fulfillment.id,
            from_status=current,
            to_status=step,
            actor_id=actor.id if actor else None,
            note=note,
        )
    )
    by = "producer" if by_producer else "buyer" if actor else None  # None: the marketplace itself
    notifications.fulfillment_moved(session, fulfillment, current, step, note, by)
    if step == FulfillmentStatus.PENDING_ACCEPTANCE:  # paid, or on invoice terms: an institution's invoice
        issuing.part_payable(session, fulfillment)
    return fulfillment


def compare_and_set(
    session: Session,
    model: type[Order] | type[Fulfillment],
    id_: int,
    current: str,
    new: str,
    **also: object,
) -> None:
    """Move a row from the status this request read to a new one, in one conditional UPDATE (which also
    sets the columns in `also`, and changes the row in memory). Two requests acting on the same order at
    once (a payment and a cancellation) read the same status; the database lets only the first through
    (row lock on PostgreSQL, one writer at a time on SQLite) and the other gets a clear conflict instead
    of undoing the first."""
    moved = session.execute(
        update(model).where(col(model.id) == id_, col(model.status) == current).values(status=new, **also)
    )
    if moved.rowcount == 0:  # type: ignore[attr-defined]
        raise ChangedMeanwhile()


def hold_order(session: Session, order: Order) -> None:
    """Make sure the order is still as read, and keep it so until commit (a no-op compare-and-set)."""
    compare_and_set(session, Order, order.id or 0, order.status, order.status)


def lines_of(session: Session, fulfillment: Fulfillment) -> list[OrderLine]:
    return list(session.exec(select(OrderLine).where(OrderLine.fulfillment_id == fulfillment.id)).all())


# --- who moves a fulfillment -----------------------------------------------------------------------

PRODUCER_STEPS = frozenset(
    {
        FulfillmentStatus.ACCEPTED,
        FulfillmentStatus.REJECTED,
        FulfillmentStatus.PREPARING,
        FulfillmentStatus.SHIPPED,
        FulfillmentStatus.READY_FOR_PICKUP,
    }
)
BUYER_STEPS = frozenset(
    {FulfillmentStatus.DELIVERED, FulfillmentStatus.COMPLETED, FulfillmentStatus.CANCELLED}
)
RELEASES_STOCK = frozenset({FulfillmentStatus.REJECTED, FulfillmentStatus.CANCELLED})
TOO_LONG = {500: N_("Escribe hasta 500 caracteres."), 80: N_("Escribe hasta 80 caracteres.")}
BUYER_MAY_CANCEL = (
    FulfillmentStatus.AWAITING_PAYMENT,
    FulfillmentStatus.PENDING_ACCEPTANCE,
)  # before the producer has started
PRODUCER_MAY_CANCEL = (
    FulfillmentStatus.ACCEPTED,
    FulfillmentStatus.PREPARING,
)  # with a reason; before that it rejects
# How a part reaches its buyer decides its hand-over step: picked up, or on its way (a local delivery
# needs no carrier; national shipping needs the carrier's tracking number).
HAND_OVER = {
    "pickup": FulfillmentStatus.READY_FOR_PICKUP,
    "delivery": FulfillmentStatus.SHIPPED,
    "national": FulfillmentStatus.SHIPPED,
}


def hands_over_by(step: str, delivery_method: str) -> bool:
    """Whether this hand-over step (or any other step) fits how the part is delivered."""
    return (
        step not in (FulfillmentStatus.SHIPPED, FulfillmentStatus.READY_FOR_PICKUP)
        or HAND_OVER[delivery_method] == step
    )


def bought_by(user: User) -> ColumnElement[bool]:
    """The orders a person acts for as buyer: its own, and those bought for its institutions (awarded
    demands, and colleagues' checkouts that were not personal)."""
    institutions = select(BuyerMembership.buyer_organization_id).where(BuyerMembership.user_id == user.id)
    return or_(col(Order.buyer_id) == user.id, col(Order.buyer_organization_id).in_(institutions))


def acts_for_buyer(session: Session, user: User, order: Order) -> bool:
    if order.buyer_id == user.id:
        return True
    return session.exec(select(Order.id).where(Order.id == order.id, bought_by(user))).first() is not None


def get_fulfillment(session: Session, fulfillment_id: int) -> tuple[Fulfillment, Order]:
    fulfillment = session.get(Fulfillment, fulfillment_id)
    order = session.get(Order, fulfillment.order_id) if fulfillment else None
    if fulfillment is None or order is None:
        raise NotFound()
    return fulfillment, order


def known_fulfillment(session: Session, user: User, fulfillment_id: int) -> tuple[Fulfillment, Order]:
    """The part, for those who may know it exists: whoever acts for the buyer, its producer's members and
    the administrators. Anyone else (another producer of the order too) gets the 404 of an unknown id."""
    fulfillment, order = get_fulfillment(session, fulfillment_id)
    organization = session.get(Organization, fulfillment.organization_id)
    if not (
        user.is_admin
        or acts_for_buyer(session, user, order)
        or (organization is not None and organizations.role_in(session, user, organization))
    ):
        raise NotFound()
    return fulfillment, order


def move(
    session: Session,
    user: User,
    fulfillment_id: int,
    target: str,
    note: str | None = None,
    carrier: str | None = None,
    tracking_number: str | None = None,
) -> Fulfillment:
    """A person moves a fulfillment: the producer's members accept, reject, prepare, hand it over the way
    the buyer chose (ready for pickup, out for local delivery, shipped with a tracking number) and may
    still cancel it with a reason once accepted; the buyer confirms delivery or cancels before the
    producer has started. On cash on pickup the producer confirms the delivery, since that is when it is
    paid."""
    for field, value, limit in (
        ("note", note, 500),
        ("carrier", carrier, 80),
        ("tracking_number", tracking_number, 80),
    ):
        if (
            value and len(value) > limit
        ):  # what a page's form sends unchecked (the API's schema says the same)
            raise ValidationFailed({field: TOO_LONG[limit]})
    if target not in {status.value for status in FulfillmentStatus}:  # what a page's form may send (the API's
        # schema says the same); never named back, as a refused step would be
        raise ValidationFailed({"status": N_("Elige una de las opciones.")})
    fulfillment, order = known_fulfillment(session, user, fulfillment_id)
    # The order first (as a payment does), then the part: whether it is paid decides where money goes back.
    hold_order(session, order)
    organization = session.get(Organization, fulfillment.organization_id)
    assert organization is not None
    producer_steps = PRODUCER_STEPS | (
        {FulfillmentStatus.DELIVERED} if order.status == OrderStatus.PAY_AT_PICKUP else set()
    )
    by_producer = target in producer_steps
    cancels_as_producer = target == FulfillmentStatus.CANCELLED and fulfillment.status in PRODUCER_MAY_CANCEL
    if cancels_as_producer and organizations.role_in(session, user, organization):
        if not note:
            raise ValidationFailed({"note": N_("Explica a quien compró por qué cancelas.")})
        holds.refuse_if_disputed(session, fulfillment)  # an administrator decides where its money goes
        by_producer = True
    elif by_producer:
        organizations.require_member(session, user, organization)
    elif target in BUYER_STEPS and not acts_for_buyer(session, user, order):
        raise Forbidden(N_("Solo quien compró puede hacer esto."))
    elif target not in BUYER_STEPS or (
        target == FulfillmentStatus.CANCELLED and fulfillment.status not in BUYER_MAY_CANCEL
    ):
        raise InvalidTransition(current=fulfillment.status, target=target)
    if not hands_over_by(target, fulfillment.delivery_method):
        raise StepNotForDelivery()
    if target == FulfillmentStatus.SHIPPED and fulfillment.delivery_method == "national":
        if not (carrier and tracking_number):
            raise ValidationFailed({"tracking_number": N_("Indica la paquetería y el número de guía.")})
        fulfillment.carrier, fulfillment.tracking_number = carrier, tracking_number
    elif carrier or tracking_number:
        raise ValidationFailed(
            {"tracking_number": N_("Solo un envío por paquetería lleva paquetería y número de guía.")}
        )
    if target == FulfillmentStatus.COMPLETED:  # it releases the producer's money, which an open dispute holds
        holds.refuse_if_disputed(session, fulfillment)
    transition(session, fulfillment, target, user, note, by_producer)
    if target in RELEASES_STOCK:
        release(session, order, fulfillment)
    elif target == FulfillmentStatus.DELIVERED and order.status == OrderStatus.PAY_AT_PICKUP:
        ledger.record_cash_sale(session, fulfillment)
        issuing.part_collected(session, fulfillment)
    elif target == FulfillmentStatus.COMPLETED:
        payments.request_transfer(session, order, fulfillment, organization)
    return fulfillment


def release(session: Session, order: Order, fulfillment: Fulfillment) -> None:
    """A rejected or cancelled fulfillment: its units go back to stock and its share to the buyer. An unpaid
    order, one on invoice terms or one paid at pickup, whose every part ended this way is itself cancelled
    (nothing is left to pay)."""
    lines = lines_of(session, fulfillment)
    if (
        order.status == OrderStatus.AWAITING_PAYMENT
        and not session.exec(
            select(Fulfillment.id).where(
                Fulfillment.order_id == order.id, Fulfillment.status == FulfillmentStatus.AWAITING_PAYMENT
            )
        ).first()
    ):
        compare_and_set(session, Order, order.id or 0, OrderStatus.AWAITING_PAYMENT, OrderStatus.CANCELLED)
        order.status = OrderStatus.CANCELLED
        payments.withdraw(session, order)
    if order.status == OrderStatus.PAID:
        ledger.record_refund(session, fulfillment)
        payments.request_refund(
            session, order, fulfillment, fulfillment.subtotal_cents + fulfillment.delivery_cents
        )
        corrections.part_refunded(
            session, fulfillment, fulfillment.subtotal_cents + fulfillment.delivery_cents
        )
    elif order.status in (OrderStatus.INVOICED, OrderStatus.PAY_AT_PICKUP):
        if order.status == OrderStatus.INVOICED:  # the institution simply owes less
            ledger.record_refund(session, fulfillment, ledger.RECEIVABLE)
            corrections.part_refunded(
                session, fulfillment, fulfillment.subtotal_cents + fulfillment.delivery_cents
            )
        if not session.exec(  # nothing left to deliver, so nothing left to pay: the order ends
            select(Fulfillment.id).where(
                Fulfillment.order_id == order.id,
                col(Fulfillment.status).not_in(tuple(RELEASES_STOCK)),
            )
        ).first():
            compare_and_set(session, Order, order.id or 0, order.status, OrderStatus.CANCELLED)
            order.status = OrderStatus.CANCELLED
    restock(session, lines)  # last: buyers of these listings wait on their row locks until commit


# --- the buyer's money, or its absence -------------------------------------------------------------


def mark_paid(
    session: Session, order: Order, actor: User | None, reference: str, received_cents: int | None = None
) -> int:
    """The buyer's money arrived (matched by an administrator, a bank statement or a provider's event):
    the producers may now accept. An invoiced order was already with them; its debt is settled. Returns
    what a provider charged beyond what is still due (the whole amount for an order that expired while
    the buyer paid), which the caller refunds."""
    if order.status == OrderStatus.INVOICED:
        compare_and_set(session, Order, order.id or 0, OrderStatus.INVOICED, OrderStatus.PAID)
        order.status = OrderStatus.PAID
        ledger.record_invoice_paid(session, order, reference)
        issuing.invoice_paid(session, order)
        return 0
    if order.status != OrderStatus.AWAITING_PAYMENT:
        if received_cents is None:
            raise InvalidTransition(current=order.status, target=OrderStatus.PAID)
        return ledger.record_payment(session, order, [], reference, received_cents)
    paid = OrderStatus.PAID
    compare_and_set(session, Order, order.id or 0, OrderStatus.AWAITING_PAYMENT, paid, reserved_until=None)
    waiting = list(
        session.exec(
            select(Fulfillment)
            .where(Fulfillment.order_id == order.id, Fulfillment.status == FulfillmentStatus.AWAITING_PAYMENT)
            .order_by(col(Fulfillment.id))
        )
    )
    for fulfillment in waiting:
        transition(session, fulfillment, FulfillmentStatus.PENDING_ACCEPTANCE, actor, N_("Pago recibido."))
    return ledger.record_payment(session, order, waiting, reference, received_cents)


def confirm_offline_payment(session: Session, admin: User, order_id: int, reference: str) -> Order:
    """An administrator matched the buyer's SPEI transfer (or an institution paid its invoice)."""
    audit.require_admin(admin)
    reference = reference.strip()
    if not 4 <= len(reference) <= 40:  # the bank's tracking key is what ties the money to this order
        raise ValidationFailed({"reference": N_("Escribe la referencia del pago (de 4 a 40 caracteres).")})
    order = session.get(Order, order_id)
    if order is None:
        raise NotFound()
    if order.payment_method not in ("spei_transfer", "invoice"):
        raise InvalidTransition(current=order.status, target=OrderStatus.PAID)
    amount = payments.amount_due(session, order)
    mark_paid(session, order, admin, reference)
    audit.record(
        session,
        admin,
        "order.payment_confirmed",
        "order",
        order.id or 0,
        order.payment_reference,  # what the buyer was given to write in the transfer
        amount_cents=amount,
        reference=reference,
    )
    return order


def expire(session: Session, order: Order, note: str) -> None:
    """An unpaid order ends (its reservation ran out, or its voucher expired): the stock comes back."""
    if order.status != OrderStatus.AWAITING_PAYMENT:
        return
    compare_and_set(session, Order, order.id or 0, OrderStatus.AWAITING_PAYMENT, OrderStatus.EXPIRED)
    order.status = OrderStatus.EXPIRED
    payments.withdraw(session, order)
    waiting = session.exec(
        select(Fulfillment).where(
            Fulfillment.order_id == order.id, Fulfillment.status == FulfillmentStatus.AWAITING_PAYMENT
        )
    ).all()
    for fulfillment in waiting:  # the buyer may have cancelled some already: their stock is back
        transition(session, fulfillment, FulfillmentStatus.CANCELLED, None, note)
        restock(session, lines_of(session, fulfillment))
