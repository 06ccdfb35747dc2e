"""A buyer's own fiscal data (not an institution's): given at checkout, or later from the order page while the
month its parts were paid in lasts and none of them is in its producer's global invoice yet.

Each paid part of the order is then invoiced to it (an ingreso, PUE, paid as the buyer paid); a part already
paid and waiting for the month's global invoice (a public sale) leaves it for its own ingreso. The data cannot
be changed afterwards here: an invoice may already be stamped to it (changing it means cancelling that CFDI
with motive 01 and issuing its replacement, which this module does not do).

The receiver must be as the SAT has it (the PAC checks it when stamping): a valid RFC of the buyer itself,
never the generic one of público en general; the razón social of its Constancia; a régimen fiscal of its kind
of person (moral: RFC of 12 characters, física: 13); the código postal of its domicilio fiscal; and an uso del
CFDI that the SAT allows for that régimen and person."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from market.accounts.models import User
from market.db import utcnow
from market.errors import Conflict, NotFound, ValidationFailed
from market.i18n import N_
from market.invoicing import egreso, issuing
from market.invoicing.models import OrderReceiver, PublicSale
from market.invoicing.receiver_data import FiscalData, check
from market.orders.fulfillment import acts_for_buyer
from market.orders.models import Fulfillment, Order, OrderStatus

FOR_INSTITUTION = N_(
    "Este pedido es de una institución: se factura con los datos fiscales de la institución, no con otros."
)
ALREADY_GIVEN = N_(
    "Ya diste tus datos fiscales para este pedido y no se pueden cambiar aquí: puede que ya haya una factura "
    "timbrada con ellos. Si hay un error, escríbenos."
)
MONTH_CLOSED = N_(
    "El mes en que pagaste este pedido ya terminó: tu compra va en la factura global del productor y ya no "
    "se puede facturar a tu nombre."
)
IN_GLOBAL = N_(
    "Tu compra ya está en la factura global del productor de este mes: ya no se puede facturar a tu nombre."
)
ORDER_ENDED = N_("Este pedido se canceló o venció: no hay nada que facturar.")
ENDED = frozenset({OrderStatus.CANCELLED, OrderStatus.EXPIRED})


class ReceiverRefused(Conflict):
    code = "fiscal_data_refused"


class FiscalDataPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    rfc: str
    razon_social: str
    regimen_fiscal: str
    codigo_postal: str
    uso_cfdi: str
    created_at: datetime


class FiscalDataState(BaseModel):
    """The order's receiver as its buyer sees it: the data given, or whether it can still be given."""

    applies: bool = Field(description="False for an institution's order: invoiced to the institution")
    receiver: FiscalDataPublic | None = Field(description="The fiscal data given for the order, if any")
    may_give: bool = Field(description="The buyer may still give its fiscal data for this order")
    refusal: str | None = Field(description="Why it cannot be given (any more), when it cannot")


def refusal_for(order: Order) -> str | None:
    """Why no buyer's fiscal data can be given for the order at all (before any row is looked at)."""
    if order.buyer_organization_id is not None:
        return FOR_INSTITUTION
    if order.status in ENDED:
        return ORDER_ENDED
    return None


def _window(sales: list[PublicSale], now: datetime) -> str | None:
    """Why the parts already paid can no longer be invoiced to the buyer: one is in a global invoice, or
    was paid in a month that has ended (Mexico City time)."""
    if any(sale.invoice_id is not None for sale in sales):
        return IN_GLOBAL
    if any(sale.period != issuing.month_of(now) for sale in sales):
        return MONTH_CLOSED
    return None


def _sales_of(session: Session, order: Order, lock: bool = False) -> list[PublicSale]:
    query = (
        select(PublicSale)
        .join(Fulfillment, col(Fulfillment.id) == PublicSale.fulfillment_id)
        .where(Fulfillment.order_id == order.id)
        .order_by(col(PublicSale.id))
    )
    if lock:
        query = query.with_for_update(of=PublicSale).execution_options(populate_existing=True)
    return list(session.exec(query).all())


def receiver_of(session: Session, order: Order) -> OrderReceiver | None:
    return session.exec(select(OrderReceiver).where(OrderReceiver.order_id == order.id)).first()


def state_of(session: Session, user: User, order: Order, now: datetime | None = None) -> FiscalDataState:
    """For the order's buyer (callers have checked it may see the order)."""
    given = receiver_of(session, order)
    refusal = refusal_for(order)
    if given is not None:
        refusal = ALREADY_GIVEN
    elif refusal is None:
        refusal = _window(_sales_of(session, order), now or utcnow())
    return FiscalDataState(
        applies=order.buyer_organization_id is None,
        receiver=FiscalDataPublic.model_validate(given) if given else None,
        may_give=refusal is None and acts_for_buyer(session, user, order),
        refusal=refusal if order.buyer_organization_id is None else None,
    )


def last_of(session: Session, user: User) -> OrderReceiver | None:
    """The fiscal data the buyer gave last, to fill the next form with."""
    return session.exec(
        select(OrderReceiver)
        .join(Order, col(Order.id) == OrderReceiver.order_id)
        .where(Order.buyer_id == user.id)
        .order_by(col(OrderReceiver.id).desc())
    ).first()


def give(
    session: Session, user: User, order: Order, data: FiscalData, now: datetime | None = None
) -> OrderReceiver:
    """The buyer's fiscal data for the order. Only its buyer may (anyone else: the 404 of an unknown order);
    never for an institution's order, never twice. Each part already paid, waiting for the month's global
    invoice, gets its own ingreso instead (refused once the month is over or a global invoice holds one).

    The order's parts are locked first: a payment or a cash collection moves a part (and then looks for the
    receiver) under the same lock, so it either sees this data or has written its public sale before this
    reads them. The public sales are locked too, as the global invoice locks them to gather the month."""
    if not acts_for_buyer(session, user, order):
        raise NotFound()
    refusal = refusal_for(order)
    if refusal is not None:
        raise ReceiverRefused(refusal)
    check(data)
    session.exec(
        select(Fulfillment.id)
        .where(Fulfillment.order_id == order.id)
        .order_by(col(Fulfillment.id))
        .with_for_update()
    ).all()
    sales = _sales_of(session, order, lock=True)
    if receiver_of(session, order) is not None:
        raise ReceiverRefused(ALREADY_GIVEN)
    refusal = _window(sales, now or utcnow())
    if refusal is not None:
        raise ReceiverRefused(refusal)
    assert order.id is not None
    receiver = OrderReceiver(order_id=order.id, **data.model_dump())
    try:
        with session.begin_nested():
            session.add(receiver)
            session.flush()
    except IntegrityError:  # the same buyer's other request got there first
        raise ReceiverRefused(ALREADY_GIVEN) from None
    for sale in sales:
        fulfillment = session.get_one(Fulfillment, sale.fulfillment_id)
        session.delete(sale)
        session.flush()
        ingreso = issuing.ingreso_owed(session, order, fulfillment, "PUE", issuing.paid_forma(order))
        if sale.total_cents < ingreso.total_cents:  # part of it went back already: its credit note
            egreso.owed(session, ingreso, fulfillment, ingreso.total_cents - sale.total_cents)
    return receiver


def check_at_checkout(data: FiscalData, buyer_organization_id: int | None) -> None:
    """Checkout's `fiscal` object, before anything is written: never for an institution's order (invoiced to
    the institution), and checked as `give` will, its fields under `fiscal.`."""
    if buyer_organization_id is not None:
        raise ValidationFailed({"fiscal": FOR_INSTITUTION})
    try:
        check(data)
    except ValidationFailed as exc:
        raise ValidationFailed(
            {f"fiscal.{field}": text for field, text in exc.errors.items()}, **exc.field_values
        ) from None
