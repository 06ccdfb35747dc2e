"""Cart, checkout and the buyer's orders (with the SPEI payment instructions)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlmodel import Session
from starlette.datastructures import FormData

from market.accounts.models import User
from market.bounds import MAX_QUANTITY, Id
from market.catalog import service as catalog
from market.catalog.units import quantity_text
from market.catalog.views import listing_response
from market.config import Settings
from market.deps import FormDep, PageDep, SessionDep, SettingsDep, UserDep, VisitorDep
from market.disputes import queries as disputes
from market.errors import EmailNotConfirmed, MarketError, ValidationFailed
from market.forms import form_int
from market.i18n import gettext as _
from market.idempotency import run_once
from market.invoicing import queries as invoices
from market.invoicing import receivers
from market.invoicing.receiver_data import DEFAULT_USO, FIELDS, FiscalData, form_choices
from market.ledger import service as ledger
from market.linking import buyers, demands, messages
from market.orders import cart as carts
from market.orders import notifications, queries
from market.orders.fulfillment import acts_for_buyer, move
from market.orders.models import Cart, FulfillmentStatus, Order
from market.organizations import service as organizations
from market.payments import dispersion as dispersions
from market.payments import methods as payment_methods
from market.payments import service as payments
from market.payments.methods import STRIPE_METHODS
from market.reviews import queries as reviews
from market.validation import field_errors
from market.web import PageContext, flash, flash_failure, refusable, verify_csrf

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
CART_KEY = "cart"


def _cart(request: Request, session: Session, user: User | None, create: bool = False) -> Cart | None:
    token = request.session.get(CART_KEY)
    if not create:
        return carts.find(session, user, token)
    return carts.ensure(session, user, token)


def _quantity(form: FormData) -> int:
    return form_int(form.get("quantity", "1"), "quantity", minimum=0, maximum=MAX_QUANTITY)


def _refusal(exc: MarketError) -> str:
    """A refusal as one sentence for the place it concerns: its fields' messages, else its detail."""
    fields = exc.body().get("fields")
    return " ".join(fields.values()) if fields else exc.detail


@router.post("/carrito/agregar", name="orders.add_to_cart")
def add(request: Request, page: PageDep, form: FormDep, visitor: VisitorDep, session: SessionDep) -> Response:
    """Add a quantity of a listing to the cart. A quantity the listing does not allow (under its minimum
    order, over its stock) comes back next to the quantity, on the listing's page or in place (htmx), and
    nothing is kept, not even a visitor's new, empty cart."""
    listing_id = 0
    try:
        with refusable(session):
            listing_id = form_int(form.get("listing_id"), "listing_id")
            quantity = _quantity(form)
            cart = _cart(request, session, visitor, create=True)
            assert cart is not None
            carts.set_quantity(session, cart, listing_id, quantity, add=True)
    except MarketError as exc:
        if exc.status_code not in (404, 422):
            raise
        if exc.status_code == 422 and set(exc.body().get("fields", {})) == {"quantity"}:
            context = {"add_error": _refusal(exc), "add_value": str(form.get("quantity", ""))}
            if page.is_htmx:
                listing, _org = catalog.get_visible(session, listing_id, visitor)
                return page.render("orders/_add_to_cart.html", context | {"listing": listing})
            return listing_response(page, session, listing_id, 422, **context)
        flash(request, _refusal(exc), "error")  # no such listing (any more): said on the cart's page
        return page.redirect(page.url("orders.cart"))
    if visitor is None:
        request.session[CART_KEY] = cart.token
    listing, _org = catalog.get_visible(session, listing_id, visitor)
    notice = _("Agregamos {quantity} de «{title}» a tu carrito.").format(
        quantity=quantity_text(quantity, listing.unit), title=listing.title
    )
    if page.is_htmx:
        return page.render("orders/_add_to_cart.html", {"listing": listing, "add_notice": notice})
    flash(request, notice)
    return page.redirect(page.url("orders.cart"))


def _delivery_choices(form: FormData) -> dict[int, str]:
    """How each producer delivers, from the form's `delivery.<organization id>` fields (as the API's
    `delivery` object)."""
    return {
        form_int(key.removeprefix("delivery."), key): str(value)
        for key, value in form.items()
        if key.startswith("delivery.")
    }


@router.post("/carrito/pagar", name="orders.check_out")
def pay(
    request: Request,
    page: PageDep,
    form: FormDep,
    settings: SettingsDep,
    user: UserDep,
    session: SessionDep,
) -> Response:
    cart = _cart(request, session, user)
    delivery = _delivery_choices(form)
    # the fields of the API's checkout (POST /api/v1/cart/checkout), by the same names
    choices: dict[str, Any] = {
        "delivery": delivery,
        "delivery_state": str(form.get("delivery_state", "")) or None,
        "payment_method": str(form.get("payment_method", "spei_transfer")),
        "ship_to": str(form.get("ship_to", "")),
        "contact_phone": str(form.get("contact_phone", "")),
        "personal": form.get("personal") == "1",
    }
    if form.get("invoice") == "1":  # "¿Necesitas factura?": the API's `fiscal` object
        choices["fiscal"] = _fiscal_form(form, "fiscal.")
    key = str(form.get("idempotency_key") or "") or None  # the page's: a resubmitted form finds its order
    assert user.id is not None
    try:
        with refusable(session):
            order_id, _replayed = run_once(
                session,
                user.id,
                "checkout",
                key,
                choices,
                lambda: (
                    carts.check_out(
                        session, settings, user, cart or carts.ensure(session, user, None), choices
                    ).id
                    or 0
                ),
            )
            order = session.get_one(Order, order_id)
    except MarketError as exc:
        if exc.status_code not in (404, 409, 422) and not isinstance(exc, EmailNotConfirmed):
            raise
        return _cart_page(
            page,
            session,
            settings,
            cart,
            exc.status_code,
            error=exc.detail,
            errors=getattr(exc, "errors", {}),
            fiscal_errors=_fiscal_errors(exc, "fiscal."),
            chosen=delivery,
            choices=choices,
        )
    if order.payment_method in STRIPE_METHODS:
        return page.redirect(page.url("payments.pay", order_id=order.id))
    return page.redirect(page.url("orders.order_page", order_id=order.id))


def _cart_page(
    page: PageContext,
    session: Session,
    settings: Settings,
    cart: Cart | None,
    status_code: int = 200,
    **context: Any,
) -> Response:
    user = page.user
    context = {"errors": {}, "chosen": {}, "choices": {}, "line_errors": {}, "typed": {}} | context
    context["summary"] = carts.summary(session, settings, cart)
    context["methods"] = payment_methods.available(session, settings, user)
    bought_for = buyers.buying_for(session, user) if user else None
    context["institution"] = buyers.get(session, bought_for) if bought_for else None
    given = context["choices"].get("fiscal")
    context |= {
        "wants_invoice": given is not None,
        "fiscal_values": given or _last_fiscal_data(session, user),
        "fiscal_choices": form_choices(),
        "fiscal_errors": context.get("fiscal_errors", {}),
        "checkout_key": str(uuid.uuid4()),  # sent again with the form (a retry) it finds the first order
    }
    return page.render("orders/cart.html", context, status_code)


def _fiscal_form(form: FormData, prefix: str = "") -> dict[str, str]:
    """The fiscal data form's fields (named `prefix` + the API's names)."""
    return {name: str(form.get(prefix + name, "")) for name in FIELDS}


def _fiscal_errors(exc: MarketError, prefix: str = "") -> dict[str, str]:
    """The refusal's messages about the fiscal data, in the person's language, by the form's own names;
    a refusal of the data as a whole (an institution's order) under ""."""
    fields: dict[str, str] = exc.body().get("fields", {})
    return {
        name.removeprefix(prefix).removeprefix("fiscal"): text
        for name, text in fields.items()
        if name.startswith(prefix) or name == "fiscal"
    }


def _last_fiscal_data(session: Session, user: User | None) -> dict[str, str]:
    """A returning buyer's fiscal data as last given (or the default uso del CFDI)."""
    last = receivers.last_of(session, user) if user else None
    if last is None:
        return {"uso_cfdi": DEFAULT_USO}
    return {name: getattr(last, name) for name in FIELDS}


@router.post("/carrito/{listing_id}", name="orders.update_cart")
def update(
    listing_id: Id,
    request: Request,
    page: PageDep,
    form: FormDep,
    settings: SettingsDep,
    visitor: VisitorDep,
    session: SessionDep,
) -> Response:
    """Change a line's quantity (0 takes it out). A quantity the listing does not allow comes back next to
    its line, with what was typed, and nothing is kept; htmx swaps the cart's lines in place."""
    cart = _cart(request, session, visitor)
    context: dict[str, Any] = {"chosen": _delivery_choices(form)}  # htmx sends the delivery choices along
    status_code, refusal = 200, None
    try:
        with refusable(session):
            if cart is not None:
                carts.set_quantity(session, cart, listing_id, _quantity(form))
    except MarketError as exc:
        if exc.status_code not in (404, 422):
            raise
        status_code, refusal = exc.status_code, _refusal(exc)
        context |= {"line_errors": {listing_id: refusal}, "typed": {listing_id: form.get("quantity")}}
    if refusal is None and not page.is_htmx:
        return page.redirect(page.url("orders.cart"))
    summary = carts.summary(session, settings, cart)
    if refusal and listing_id not in {line.listing.id for group in summary.groups for line in group.lines}:
        context["error"] = refusal  # no line to show it next to: above the lines
    if not page.is_htmx:
        return _cart_page(page, session, settings, cart, status_code, **context)
    if not summary.groups:  # the last line went: the whole page changes
        return page.redirect(page.url("orders.cart"))
    lines = {"summary": summary, "errors": {}, "line_errors": {}, "typed": {}, "error": None} | context
    return page.render("orders/_cart_lines.html", lines)  # htmx swaps only a 200


@router.get("/carrito", name="orders.cart")
def show(
    request: Request, page: PageDep, settings: SettingsDep, visitor: VisitorDep, session: SessionDep
) -> Response:
    return _cart_page(page, session, settings, _cart(request, session, visitor))


@router.get("/pedidos", name="orders.order_list")
def orders(page: PageDep, user: UserDep, session: SessionDep) -> Response:
    mine = [queries.view_of(session, user, order) for order in queries.orders_of(session, user)]
    return page.render("orders/list.html", {"orders": mine})


@router.get("/pedidos/{order_id}", name="orders.order_page")
def order_page(
    order_id: Id, page: PageDep, settings: SettingsDep, user: UserDep, session: SessionDep
) -> Response:
    return _order_page(page, settings, user, session, queries.visible_order(session, user, order_id))


@router.post("/pedidos/{order_id}/factura", name="orders.give_fiscal_data")
def give_fiscal_data(
    order_id: Id,
    request: Request,
    page: PageDep,
    form: FormDep,
    settings: SettingsDep,
    user: UserDep,
    session: SessionDep,
) -> Response:
    """ "Solicitar factura": the buyer's fiscal data for the order (see receivers.give). Wrong data comes back
    beside its fields, nothing kept; a refusal of the request as such (given already, the month ended) is
    said on the order's page."""
    order = queries.visible_order(session, user, order_id)
    typed = _fiscal_form(form)
    try:
        with refusable(session):
            try:
                data = FiscalData.model_validate(typed)
            except ValidationError as exc:
                raise ValidationFailed(field_errors(exc)) from exc
            receivers.give(session, user, order, data)
    except ValidationFailed as exc:
        return _order_page(
            page, settings, user, session, order, 422, fiscal_values=typed, fiscal_errors=_fiscal_errors(exc)
        )
    except receivers.ReceiverRefused as exc:
        flash(request, exc.detail, "error")
        return page.redirect(page.url("orders.order_page", order_id=order_id) + "#factura")
    flash(request, _("Listo: cada organización te enviará su factura cuando reciba el pago de su parte."))
    return page.redirect(page.url("orders.order_page", order_id=order_id) + "#factura")


def _order_page(
    page: PageContext,
    settings: Settings,
    user: User,
    session: Session,
    order: Order,
    status_code: int = 200,
    **context: Any,
) -> Response:
    order_id = order.id or 0
    public = queries.view_of(session, user, order)
    is_buyer = acts_for_buyer(session, user, order)
    return page.render(
        "orders/detail.html",
        context
        | {
            "order": public,
            "reference": order.payment_reference,
            "settings": settings,
            "payment": payments.payment_of(session, order_id),
            "due": payments.amount_due(session, order),
            "is_buyer": is_buyer,
            "fiscal": receivers.state_of(session, user, order) if is_buyer else None,
            "fiscal_choices": form_choices(),
            "fiscal_values": context.get("fiscal_values") or _last_fiscal_data(session, user),
            "fiscal_errors": context.get("fiscal_errors", {}),
            "buyer_steps": queries.buyer_steps,
            "BUYER_STEP_LABELS": queries.BUYER_STEP_LABELS,
            "threads": {f.id: messages.fulfillment_thread(session, user, f.id) for f in public.fulfillments},
            "disputes": disputes.on_order(session, public),
            "review_boxes": reviews.order_boxes(session, user, order, public.fulfillments),
            "invoices": invoices.of_parts(session, user, [f.id for f in public.fulfillments]),
            "pickups": notifications.pickup_places(session, [f.id for f in public.fulfillments]),
            "partida": demands.partida_of_order(session, order),
        },
        status_code,
    )


@router.post("/pedidos/{order_id}/partes/{fulfillment_id}", name="orders.buyer_step")
def buyer_step(
    order_id: Id,
    fulfillment_id: Id,
    request: Request,
    page: PageDep,
    form: FormDep,
    user: UserDep,
    session: SessionDep,
) -> Response:
    with flash_failure(request, session, 403, 404, 409, 422):
        queries.part_of_order(session, order_id, fulfillment_id)
        status = str(form.get("status", ""))
        move(session, user, fulfillment_id, status)
        flash(request, _(queries.BUYER_DONE[status]) if status in queries.BUYER_DONE else _("Listo."))
    return page.redirect(page.url("orders.order_page", order_id=order_id))


@router.post("/pedidos/{order_id}/partes/{fulfillment_id}/mensajes", name="orders.post_message")
def post_message(
    order_id: Id,
    fulfillment_id: Id,
    request: Request,
    page: PageDep,
    form: FormDep,
    user: UserDep,
    session: SessionDep,
) -> Response:
    """A message about one producer's part, between its buyer and that producer."""
    queries.part_of_order(session, order_id, fulfillment_id)
    body = str(form.get("body", "")).strip()
    if not body or len(body) > 4000:
        flash(request, _("Escribe un mensaje (hasta 4000 caracteres)."), "error")
    else:
        messages.post_on_fulfillment(session, user, fulfillment_id, body)
        flash(request, _("Enviamos tu mensaje."))
    return page.redirect(page.url("orders.order_page", order_id=order_id) + f"#parte-{fulfillment_id}")


@router.get("/panel/o/{slug}/pedidos", name="orders.producer_queue")
def producer_queue(slug: str, page: PageDep, user: UserDep, session: SessionDep) -> Response:
    organization = organizations.get_managed(session, slug, user)
    queue = queries.queue_of(session, user, organization)
    return page.render(
        "orders/queue.html",
        {
            "org": organization,
            "orders": queue,
            "invoices": invoices.of_parts(session, user, [f.id for o in queue for f in o.fulfillments]),
            "steps": queries.producer_steps,
            "step_label": queries.step_label,
        },
    )


@router.post("/panel/o/{slug}/pedidos/{fulfillment_id}", name="orders.producer_step")
def producer_step(
    slug: str,
    fulfillment_id: Id,
    request: Request,
    page: PageDep,
    form: FormDep,
    user: UserDep,
    session: SessionDep,
) -> Response:
    status = str(form.get("status", ""))
    with flash_failure(request, session, 409, 422):
        move(
            session,
            user,
            fulfillment_id,
            status,
            str(form.get("note", "")).strip() or None,
            str(form.get("carrier", "")).strip() or None,
            str(form.get("tracking_number", "")).strip() or None,
        )
        if status == FulfillmentStatus.CANCELLED:
            flash(request, _("Cancelaste esa parte: avisamos a quien compró y las existencias regresan."))
        else:
            flash(request, _("Listo: actualizamos el pedido."))
    return page.redirect(page.url("orders.producer_queue", slug=slug))


@router.get("/panel/o/{slug}/saldo", name="orders.balance_page")
def balance_page(slug: str, page: PageDep, user: UserDep, session: SessionDep) -> Response:
    organization = organizations.get_managed(session, slug, user)
    assert organization.id is not None
    return page.render(
        "orders/balance.html",
        {
            "org": organization,
            "balance": ledger.balance(session, organization.id),
            "available": payments.available_balance(session, organization.id),
            "entries": ledger.entries_of(session, organization.id),
            "payouts": dispersions.payouts_of(session, organization.id),
        },
    )
