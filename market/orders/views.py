"""Cart, checkout and the buyer's orders (with the SPEI payment instructions)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlmodel import Session
from starlette.datastructures import FormData

from market.accounts.models import User
from market.bounds import MAX_QUANTITY, Id
from market.db import DbSession
from market.disputes import queries as disputes
from market.errors import EmailNotConfirmed, MarketError, NotFound
from market.forms import form_int
from market.i18n import gettext as _
from market.ledger import service as ledger
from market.linking import buyers, messages
from market.orders import cart as carts
from market.orders import queries, service
from market.organizations import service as organizations
from market.payments import methods as payment_methods
from market.payments import service as payments
from market.payments.methods import STRIPE_METHODS
from market.reviews import queries as reviews
from market.web import (
    current_user,
    flash,
    flash_failure,
    form_data,
    redirect,
    refusable,
    render,
    require_user,
    verify_csrf,
)

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
CART_KEY = "cart"


def _cart(request: Request, session: Session, user: User | None, create: bool = False) -> carts.Cart | None:
    token = request.session.get(CART_KEY)
    if not create:
        return carts.find(session, user, token)
    cart = carts.ensure(session, user, token)
    if user is None:
        request.session[CART_KEY] = cart.token
    return cart


def _quantity(form: FormData) -> int:
    return form_int(form.get("quantity", "1"), "quantity", minimum=0, maximum=MAX_QUANTITY)


@router.post("/carrito/agregar")
def add(
    request: Request,
    form: FormData = Depends(form_data),
    user: User | None = Depends(current_user),
    session: Session = DbSession,
) -> Response:
    cart = _cart(request, session, user, create=True)
    assert cart is not None
    with flash_failure(request, session, 404, 422):
        carts.set_quantity(
            session, cart, form_int(form.get("listing_id"), "listing_id"), _quantity(form), add=True
        )
        flash(request, _("Agregamos el producto a tu carrito."))
    return redirect("/carrito")


@router.post("/carrito/pagar")
def pay(
    request: Request,
    form: FormData = Depends(form_data),
    user: User = Depends(require_user),
    session: Session = DbSession,
) -> Response:
    cart = _cart(request, session, user)
    settings = request.app.state.settings
    delivery = {
        form_int(key.removeprefix("entrega_"), key): str(value)
        for key, value in form.items()
        if key.startswith("entrega_")
    }
    choices = {
        "delivery": delivery,
        "delivery_state": str(form.get("estado_entrega", "")) or None,
        "payment_method": str(form.get("pago", "spei_transfer")),
        "ship_to": str(form.get("direccion", "")),
        "contact_phone": str(form.get("telefono", "")),
        "personal": form.get("personal") == "1",
    }
    try:
        with refusable(session):
            order = carts.check_out(
                session, settings, user, cart or carts.ensure(session, user, None), choices
            )
    except MarketError as exc:
        if exc.status_code not in (404, 409, 422) and not isinstance(exc, EmailNotConfirmed):
            raise
        return _cart_page(
            request,
            session,
            user,
            cart,
            exc.status_code,
            error=exc.detail,
            errors=getattr(exc, "errors", {}),
            chosen=delivery,
            choices=choices,
        )
    if order.payment_method in STRIPE_METHODS:
        return redirect(f"/pedidos/{order.id}/pago")
    return redirect(f"/pedidos/{order.id}")


def _cart_page(
    request: Request,
    session: Session,
    user: User | None,
    cart: carts.Cart | None,
    status_code: int = 200,
    **context: Any,
) -> Response:
    settings = request.app.state.settings
    context = {"errors": {}, "chosen": {}, "choices": {}} | context
    context["summary"] = carts.summary(session, settings, cart)
    context["methods"] = payment_methods.available(session, settings, user)
    bought_for = buyers.buying_for(session, user) if user else None
    context["institution"] = buyers.get(session, bought_for) if bought_for else None
    return render(request, "orders/cart.html", context, status_code, user)


@router.post("/carrito/{listing_id}")
def update(
    listing_id: Id,
    request: Request,
    form: FormData = Depends(form_data),
    user: User | None = Depends(current_user),
    session: Session = DbSession,
) -> Response:
    cart = _cart(request, session, user)
    if cart is not None:
        with flash_failure(request, session, 404, 422):
            carts.set_quantity(session, cart, listing_id, _quantity(form))
    return redirect("/carrito")


@router.get("/carrito")
def show(
    request: Request, user: User | None = Depends(current_user), session: Session = DbSession
) -> Response:
    return _cart_page(request, session, user, _cart(request, session, user))


@router.get("/pedidos")
def orders(request: Request, user: User = Depends(require_user), session: Session = DbSession) -> Response:
    mine = [queries.view_of(session, user, order) for order in queries.orders_of(session, user)]
    return render(request, "orders/list.html", {"orders": mine}, user=user)


@router.get("/pedidos/{order_id}")
def order_page(
    order_id: Id, request: Request, user: User = Depends(require_user), session: Session = DbSession
) -> Response:
    order = queries.visible_order(session, user, order_id)
    public = queries.view_of(session, user, order)
    return render(
        request,
        "orders/detail.html",
        {
            "order": public,
            "reference": queries.payment_reference(order),
            "settings": request.app.state.settings,
            "payment": payments.payment_of(session, order_id),
            "due": payments.amount_due(session, order),
            "is_buyer": service.acts_for_buyer(session, user, order),
            "buyer_steps": queries.buyer_steps,
            "BUYER_STEP_LABELS": queries.BUYER_STEP_LABELS,
            "threads": {f.id: messages.fulfillment_thread(session, user, f.id) for f in public.fulfillments},
            "disputes": disputes.on_order(session, public),
            "review_boxes": reviews.order_boxes(session, user, order, public.fulfillments),
        },
        user=user,
    )


@router.post("/pedidos/{order_id}/partes/{fulfillment_id}")
def buyer_step(
    order_id: Id,
    fulfillment_id: Id,
    request: Request,
    form: FormData = Depends(form_data),
    user: User = Depends(require_user),
    session: Session = DbSession,
) -> Response:
    with flash_failure(request, session, 403, 404, 409, 422):
        fulfillment, _order = service.get_fulfillment(session, fulfillment_id)
        if fulfillment.order_id != order_id:
            raise NotFound()
        status = str(form.get("status", ""))
        service.move(session, user, fulfillment_id, status)
        flash(request, _(queries.BUYER_DONE[status]) if status in queries.BUYER_DONE else _("Listo."))
    return redirect(f"/pedidos/{order_id}")


@router.post("/pedidos/{order_id}/partes/{fulfillment_id}/mensajes")
def post_message(
    order_id: Id,
    fulfillment_id: Id,
    request: Request,
    form: FormData = Depends(form_data),
    user: User = Depends(require_user),
    session: Session = DbSession,
) -> Response:
    """A message about one producer's part, between its buyer and that producer."""
    body = str(form.get("body", "")).strip()
    if not body or len(body) > 4000:
        flash(request, _("Escribe un mensaje (hasta 4000 caracteres)."), "error")
    else:
        messages.post_on_fulfillment(session, user, fulfillment_id, body)
        flash(request, _("Enviamos tu mensaje."))
    return redirect(f"/pedidos/{order_id}#parte-{fulfillment_id}")


@router.get("/panel/o/{slug}/pedidos")
def producer_queue(
    slug: str, request: Request, user: User = Depends(require_user), session: Session = DbSession
) -> Response:
    organization = organizations.get_managed(session, slug, user)
    return render(
        request,
        "orders/queue.html",
        {
            "org": organization,
            "orders": queries.queue_of(session, user, organization),
            "steps": queries.producer_steps,
            "step_label": queries.step_label,
        },
        user=user,
    )


@router.post("/panel/o/{slug}/pedidos/{fulfillment_id}")
def producer_step(
    slug: str,
    fulfillment_id: Id,
    request: Request,
    form: FormData = Depends(form_data),
    user: User = Depends(require_user),
    session: Session = DbSession,
) -> Response:
    status = str(form.get("status", ""))
    with flash_failure(request, session, 409, 422):
        service.move(
            session,
            user,
            fulfillment_id,
            status,
            str(form.get("note", "")).strip() or None,
            str(form.get("carrier", "")).strip() or None,
            str(form.get("tracking_number", "")).strip() or None,
        )
        if status == "cancelled":
            flash(request, _("Cancelaste esa parte: avisamos a quien compró y las existencias regresan."))
        else:
            flash(request, _("Listo: actualizamos el pedido."))
    return redirect(f"/panel/o/{slug}/pedidos")


@router.get("/panel/o/{slug}/saldo")
def balance_page(
    slug: str, request: Request, user: User = Depends(require_user), session: Session = DbSession
) -> Response:
    organization = organizations.get_managed(session, slug, user)
    assert organization.id is not None
    return render(
        request,
        "orders/balance.html",
        {
            "org": organization,
            "balance": ledger.balance(session, organization.id),
            "available": ledger.available_balance(session, organization.id),
            "entries": ledger.entries_of(session, organization.id),
        },
        user=user,
    )
