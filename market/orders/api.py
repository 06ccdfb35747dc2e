"""JSON API: checkout, the buyer's orders, fulfillment steps, offline payment confirmation."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Response
from sqlmodel import Session

from market.accounts.models import User
from market.bounds import Id
from market.config import Settings
from market.deps import ApiUserDep, SessionDep, SettingsDep
from market.errors import ErrorBody, NotFound
from market.i18n import gettext as _
from market.idempotency import IdempotencyKeyHeader, run_once
from market.invoicing import receivers
from market.invoicing.receiver_data import FiscalData
from market.orders import cart as carts
from market.orders import checkout as checkouts
from market.orders import fulfillment as fulfillments
from market.orders import queries
from market.orders.models import Order
from market.orders.schemas import (
    CartChoices,
    CartPublic,
    CartQuantity,
    Checkout,
    Move,
    OfflinePayment,
    OrderPublic,
)
from market.payments import methods as payment_methods

router = APIRouter(tags=["orders"])


@router.post(
    "/orders",
    response_model=OrderPublic,
    status_code=201,
    responses={
        404: {"description": "A listing in `items` does not exist or is not for sale"},
        409: {"description": "Not enough stock (nothing was reserved)"},
    },
)
def checkout(
    data: Checkout,
    response: Response,
    settings: SettingsDep,
    user: ApiUserDep,
    session: SessionDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> OrderPublic:
    """Place an order for these items. With an `Idempotency-Key`, sending it again (a lost answer) gives
    the same order, not a second one."""
    return _once(
        session,
        user,
        response,
        idempotency_key,
        data.model_dump(mode="json"),
        lambda: checkouts.checkout(session, settings, user, data),
    )


def _once(
    session: Session,
    user: User,
    response: Response,
    key: str | None,
    content: object,
    place: Callable[[], Order],
) -> OrderPublic:
    """The order `place` makes, once per Idempotency-Key: a replay answers with the first one's order."""
    assert user.id is not None
    order_id, replayed = run_once(session, user.id, "checkout", key, content, lambda: place().id or 0)
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return queries.view_of(session, user, session.get_one(Order, order_id))  # held by the session if new


def _cart(session: Session, settings: Settings, user: User) -> CartPublic:
    summary = carts.summary(session, settings, carts.find(session, user, None))
    return carts.to_public(summary, payment_methods.available(session, settings, user))


@router.get("/cart", response_model=CartPublic, tags=["cart"])
def get_cart(settings: SettingsDep, user: ApiUserDep, session: SessionDep) -> CartPublic:
    """The cart grouped by producer, priced as checkout will price it, with each one's delivery options."""
    return _cart(session, settings, user)


@router.put("/cart/items/{listing_id}", response_model=CartPublic, tags=["cart"])
def set_cart_item(
    listing_id: Id,
    data: CartQuantity,
    settings: SettingsDep,
    user: ApiUserDep,
    session: SessionDep,
) -> CartPublic:
    carts.set_quantity(session, carts.ensure(session, user, None), listing_id, data.quantity)
    return _cart(session, settings, user)


@router.post(
    "/cart/checkout",
    response_model=OrderPublic,
    status_code=201,
    tags=["cart"],
    responses={
        404: {"description": "A listing in the cart is no longer for sale (remove it)"},
        409: {"description": "Not enough stock (nothing was reserved, the cart is kept)"},
    },
)
def check_out_cart(
    choices: CartChoices,
    response: Response,
    settings: SettingsDep,
    user: ApiUserDep,
    session: SessionDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> OrderPublic:
    """Order what is in the cart. With an `Idempotency-Key`, sending it again gives the same order."""
    return _once(
        session,
        user,
        response,
        idempotency_key,
        choices.model_dump(mode="json"),
        lambda: carts.check_out(
            session, settings, user, carts.ensure(session, user, None), choices.model_dump()
        ),
    )


@router.get("/orders", response_model=list[OrderPublic])
def my_orders(user: ApiUserDep, session: SessionDep) -> list[OrderPublic]:
    return [queries.view_of(session, user, order) for order in queries.orders_of(session, user)]


@router.get("/orders/{order_id}", response_model=OrderPublic)
def get_order(order_id: Id, user: ApiUserDep, session: SessionDep) -> OrderPublic:
    return queries.view_of(session, user, queries.visible_order(session, user, order_id))


@router.post("/orders/{order_id}/offline-payment", response_model=OrderPublic, tags=["admin"])
def confirm_offline_payment(
    order_id: Id, payment: OfflinePayment, user: ApiUserDep, session: SessionDep
) -> OrderPublic:
    order = fulfillments.confirm_offline_payment(session, user, order_id, payment.reference)
    return queries.view_of(session, user, order)


@router.post(
    "/fulfillments/{fulfillment_id}/moves",
    response_model=OrderPublic,
    responses={409: {"description": "Not a legal step from the current state"}},
)
def move(fulfillment_id: Id, step: Move, user: ApiUserDep, session: SessionDep) -> OrderPublic:
    fulfillment = fulfillments.move(
        session, user, fulfillment_id, step.status, step.note, step.carrier, step.tracking_number
    )
    _fulfillment, order = fulfillments.get_fulfillment(session, fulfillment.id or 0)
    return queries.view_of(session, user, order)


def _buyers_order(session: Session, user: User, order_id: int) -> Order:
    """The order, for whoever acts for its buyer: to anyone else (its producers too) it does not exist."""
    order = session.get(Order, order_id)
    if order is None or not fulfillments.acts_for_buyer(session, user, order):
        raise NotFound()
    return order


@router.get(
    "/orders/{order_id}/fiscal-data",
    response_model=receivers.FiscalDataState,
    tags=["invoicing"],
    responses={404: {"model": ErrorBody, "description": "No such order, or not the caller's"}},
)
def get_fiscal_data(order_id: Id, user: ApiUserDep, session: SessionDep) -> receivers.FiscalDataState:
    """The fiscal data the buyer gave for the order (invoiced by name), or whether it may still give it."""
    state = receivers.state_of(session, user, _buyers_order(session, user, order_id))
    return state.model_copy(update={"refusal": _(state.refusal) if state.refusal else None})


@router.post(
    "/orders/{order_id}/fiscal-data",
    response_model=receivers.FiscalDataPublic,
    status_code=201,
    tags=["invoicing"],
    responses={
        404: {"model": ErrorBody, "description": "No such order, or not the caller's"},
        409: {
            "model": ErrorBody,
            "description": "Refused, nothing written: an institution's order (`fiscal_data_refused`), data "
            "already given (it cannot be changed: an invoice may be stamped with it), the month the order "
            "was paid in has ended or its sale is already in the producer's global invoice",
            "content": {
                "application/json": {
                    "example": {
                        "error": "fiscal_data_refused",
                        "detail": "Ya diste tus datos fiscales para este pedido y no se pueden cambiar aquí: "
                        "puede que ya haya una factura timbrada con ellos. Si hay un error, escríbenos.",
                    }
                }
            },
        },
        422: {
            "model": ErrorBody,
            "description": "A field breaks the SAT's rules (each named in `fields`); nothing written",
            "content": {
                "application/json": {
                    "example": {
                        "error": "validation_error",
                        "detail": "Revisa los datos marcados.",
                        "fields": {
                            "uso_cfdi": "El uso D01 es solo para personas físicas (RFC de 13 caracteres)."
                        },
                    }
                }
            },
        },
    },
)
def give_fiscal_data(
    order_id: Id, data: FiscalData, user: ApiUserDep, session: SessionDep
) -> receivers.FiscalDataPublic:
    """The buyer's own fiscal data, to be invoiced by name: at checkout (its `fiscal` object) or here, while
    the month the order was paid in (Mexico City) lasts and its sale is not yet in the producer's global
    invoice. Each part already paid gets its CFDI de ingreso (PUE) right away, the others when paid. Given
    once: it cannot be changed afterwards."""
    order = _buyers_order(session, user, order_id)
    return receivers.FiscalDataPublic.model_validate(receivers.give(session, user, order, data))
