"""The cart in the browser's pages: kept for a visitor, merged at log-in, checked out with SPEI
instructions; a shortage is explained and loses nothing."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from market.catalog.models import Listing
from market.catalog.schemas import TierIn
from market.orders.models import CartItem, Order
from tests.helpers import PASSWORD, csrf_of, log_in, signed_in
from tests.pages import (
    Html,
    attr,
    buttons,
    checked_values,
    elements,
    facts,
    field_error,
    flash,
    hrefs,
    one,
    soup,
    table_row,
    text_of,
    texts,
    value_of,
)


def cart_is_empty(page: Html) -> bool:
    return texts(page, "main .empty") == ["Tu carrito está vacío. Ver el catálogo"]


def add(client: TestClient, listing: Listing, quantity: int) -> None:
    token = csrf_of(client, f"/productos/{listing.id}/{listing.slug}")
    response = client.post(
        "/carrito/agregar", data={"listing_id": listing.id, "quantity": quantity, "csrf_token": token}
    )
    assert response.status_code == 303


def test_visitor_cart_is_merged_at_login_and_checked_out(
    client: TestClient, session: Session, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    coffee = make_listing(
        make_org(make_user("cafe@example.mx")),
        title="Café tostado",
        stock=30,
        tiers=[TierIn(min_quantity=10, unit_price_cents=29000)],
    )
    honey = make_listing(
        make_org(make_user("miel@example.mx"), name="Apicultoras del Puuc"),
        title="Miel",
        category="miel",
        price_cents=20000,
        stock=4,
    )
    make_user("compras@escuela.mx")
    add(client, coffee, 6)
    add(client, coffee, 6)  # adds up: 12 units reach the volume price
    add(client, honey, 1)
    cart = soup(client.get("/carrito"))
    assert "Apicultoras del Puuc" in texts(cart, ".cart-group h2")
    assert table_row(cart, "Café tostado")[3] == "$3,480.00"  # 12 × $290.00
    assert "/entrar?next=/carrito" in hrefs(cart, "main a.button")  # Entra para hacer el pedido

    token = csrf_of(client)
    client.post(
        "/entrar",
        data={"email": "compras@escuela.mx", "password": PASSWORD, "next": "/carrito", "csrf_token": token},
    )
    token = csrf_of(client, "/carrito")
    response = client.post("/carrito/pagar", data={"payment_method": "spei_transfer", "csrf_token": token})
    assert response.status_code == 303
    how_to_pay = one(client.get(response.headers["location"]), ".payment dl")  # each value beside its copy
    assert texts(how_to_pay, "code") == [
        "002010077777777771",
        "$3,680.00",
        f"TS{session.exec(select(Order)).one().id:08d}",
    ]
    assert session.exec(select(Listing.stock).where(Listing.id == coffee.id)).one() == 18
    assert session.exec(select(func.count()).select_from(CartItem)).one() == 0
    assert cart_is_empty(client.get("/carrito"))


def test_a_shortage_is_explained_and_the_cart_kept(
    client: TestClient, session: Session, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    honey = make_listing(make_org(make_user("miel@example.mx")), title="Miel", category="miel", stock=4)
    make_user("eva@example.mx")
    log_in(client, "eva@example.mx")
    add(client, honey, 3)
    honey.stock = 2  # others bought meanwhile: checkout checks the stock again
    session.add(honey)
    session.commit()
    assert table_row(client.get("/carrito"), "Miel")[0] == "Miel Solo quedan 2 kg: ajusta la cantidad."
    response = client.post("/carrito/pagar", data={"csrf_token": csrf_of(client, "/carrito")})
    assert response.status_code == 409
    assert flash(response, "error").startswith("Solo quedan 2 kg de «Miel».")
    assert session.exec(select(func.count()).select_from(Order)).one() == 0
    assert session.exec(select(CartItem.quantity)).one() == 3

    removed = client.post(
        f"/carrito/{honey.id}", data={"quantity": "0", "csrf_token": csrf_of(client, "/carrito")}
    )
    assert removed.status_code == 303
    assert cart_is_empty(client.get("/carrito"))


def test_a_missing_address_is_pointed_out_and_every_choice_kept(
    client: TestClient, session: Session, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    organization = make_org(make_user("cafe@example.mx"), shipping_fee_cents=14900)
    coffee = make_listing(organization, title="Café tostado", stock=5, national_shipping=True)
    make_user("eva@example.mx")
    log_in(client, "eva@example.mx")
    add(client, coffee, 1)
    offered = texts(client.get("/carrito"), f"select[name='delivery.{organization.id}'] option")
    assert offered == ["Recoger · sin costo", "Envío nacional · $149.00"]
    choices = {
        f"delivery.{organization.id}": "national",
        "payment_method": "cash_on_pickup",
        "contact_phone": "951 123 4567",
        "csrf_token": csrf_of(client, "/carrito"),
    }
    response = client.post("/carrito/pagar", data=choices)
    assert response.status_code == 422
    page = soup(response)
    ship_to = one(page, "[name=ship_to]")
    assert (attr(ship_to, "aria-invalid"), attr(ship_to, "aria-describedby")) == ("true", "e-ship_to")
    assert (field_error(page, "ship_to") or "").startswith("Escribe la dirección de entrega")
    cash_needs_pickup = "Para pagar en efectivo al recoger, elige recoger con el productor."
    assert field_error(page, f"delivery.{organization.id}") == cash_needs_pickup
    assert value_of(page, f"delivery.{organization.id}") == "national"
    assert value_of(page, "contact_phone") == "951 123 4567"
    assert checked_values(page, "payment_method") == ["cash_on_pickup"]
    assert session.exec(select(func.count()).select_from(Order)).one() == 0

    choices |= {"payment_method": "spei_transfer", "ship_to": "Calle Morelos 12, Centro, 68000 Oaxaca"}
    response = client.post("/carrito/pagar", data=choices)
    assert response.status_code == 303
    order = session.exec(select(Order)).one()
    assert (order.delivery_cents, order.ship_to) == (14900, "Calle Morelos 12, Centro, 68000 Oaxaca")
    page = soup(client.get(response.headers["location"]))
    assert "Entregar en: Calle Morelos 12" in text_of(one(page, "main"))
    assert "Envío nacional · $149.00" in texts(page, "section[aria-labelledby^=parte-] p.small")


def test_checkout_needs_an_account(
    client: TestClient, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    add(client, make_listing(make_org(make_user())), 1)
    response = client.post("/carrito/pagar", data={"csrf_token": csrf_of(client, "/carrito")})
    assert response.status_code == 303 and response.headers["location"].startswith("/entrar")


def test_producer_works_its_queue_from_the_panel(
    app: FastAPI,
    client: TestClient,
    session: Session,
    settings: Any,
    make_user: Any,
    make_org: Any,
    make_listing: Any,
) -> None:
    from market.db import transaction
    from market.orders.checkout import checkout
    from market.orders.fulfillment import confirm_offline_payment
    from market.orders.models import Fulfillment
    from market.orders.schemas import Checkout

    owner = make_user("cafe@example.mx")
    org = make_org(owner)
    coffee = make_listing(org, title="Café tostado", stock=10, national_shipping=True)
    admin, buyer = make_user("admin@example.mx", is_admin=True), make_user("eva@example.mx")
    shipped_to_her = Checkout(
        items=[{"listing_id": coffee.id, "quantity": 2}],
        delivery={org.id: "national"},
        ship_to="Av. Juárez 100, Centro, 44100 Guadalajara",
    )
    with transaction(session.get_bind()) as tx:  # type: ignore[arg-type]
        order = checkout(tx, settings, buyer, shipped_to_her)
    with transaction(session.get_bind()) as tx:  # type: ignore[arg-type]
        confirm_offline_payment(tx, admin, order.id or 0, "SPEI 99")
    fulfillment = session.exec(select(Fulfillment)).one()

    log_in(client, owner.email)
    [part] = elements(client.get(f"/panel/o/{org.slug}/pedidos"), "article.card")
    assert texts(part, "li") == ["2 kg · Café tostado · $640.00"]
    assert texts(part, "h2 .badge") == ["Por aceptar"]
    assert "Aceptar" in buttons(part)
    token = csrf_of(client, f"/panel/o/{org.slug}/pedidos")
    path = f"/panel/o/{org.slug}/pedidos/{fulfillment.id}"
    assert client.post(path, data={"status": "accepted", "csrf_token": token}).status_code == 303
    assert client.post(path, data={"status": "preparing", "csrf_token": token}).status_code == 303
    refused = client.post(path, data={"status": "shipped", "csrf_token": token})  # no tracking number
    assert refused.status_code == 303
    queue = client.get(f"/panel/o/{org.slug}/pedidos")
    assert flash(queue, "error") == "Indica la paquetería y el número de guía."
    client.post(
        path, data={"status": "shipped", "carrier": "Estafeta", "tracking_number": "E1", "csrf_token": token}
    )
    session.expire_all()
    assert session.exec(select(Fulfillment.status)).one() == "shipped"

    make_org(make_user("otra@example.mx"), name="Otra Cooperativa")
    other = signed_in(app, "otra@example.mx")
    assert other.get(f"/panel/o/{org.slug}/pedidos").status_code == 403


def test_admin_confirms_a_transfer_and_the_producer_sees_its_balance(
    app: FastAPI,
    client: TestClient,
    session: Session,
    settings: Any,
    make_user: Any,
    make_org: Any,
    make_listing: Any,
) -> None:
    from market.db import transaction
    from market.orders.checkout import checkout
    from market.orders.schemas import Checkout

    owner = make_user("cafe@example.mx")
    org = make_org(owner)
    coffee = make_listing(org, title="Café tostado", price_cents=10000, stock=10)
    make_user("admin@example.mx", is_admin=True)
    with transaction(session.get_bind()) as tx:  # type: ignore[arg-type]
        order = checkout(
            tx,
            settings,
            make_user("eva@example.mx"),
            Checkout(items=[{"listing_id": coffee.id, "quantity": 3}]),
        )

    log_in(client, "admin@example.mx")
    assert table_row(client.get("/admin/pagos"), f"TS{order.id:08d}")[:3] == [
        str(order.id),
        f"TS{order.id:08d}",
        "$300.00",
    ]
    token = csrf_of(client, "/admin/pagos")
    client.post(f"/admin/pagos/{order.id}", data={"reference": "BBVA 7781", "csrf_token": token})
    assert texts(client.get("/admin/pagos"), "main > .empty") == ["No hay pagos por confirmar."]

    producer = signed_in(app, owner.email)
    page = soup(producer.get(f"/panel/o/{org.slug}/saldo"))
    assert facts(page)["Te debemos"] == "$276.00"  # 300 less the 8 % that sustains the platform
    assert table_row(page, "Venta pagada")[2] == "$276.00"
    assert producer.get("/admin/pagos").status_code == 403


def test_a_payment_needs_its_bank_reference(
    client: TestClient, session: Session, settings: Any, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    from market.db import transaction
    from market.orders.checkout import checkout
    from market.orders.schemas import Checkout

    listing = make_listing(make_org(make_user()), stock=5)
    make_user("admin@example.mx", is_admin=True)
    with transaction(session.get_bind()) as tx:  # type: ignore[arg-type]
        order = checkout(
            tx,
            settings,
            make_user("eva@example.mx"),
            Checkout(items=[{"listing_id": listing.id, "quantity": 1}]),
        )
    log_in(client, "admin@example.mx")
    client.post(
        f"/admin/pagos/{order.id}", data={"reference": " ab ", "csrf_token": csrf_of(client, "/admin/pagos")}
    )
    page = soup(client.get("/admin/pagos"))
    assert flash(page, "error") == "Escribe la referencia del pago (de 4 a 40 caracteres)."
    assert table_row(page, f"TS{order.id:08d}")[0] == str(order.id)  # still waiting


def test_a_personal_purchase_on_the_institutions_credit_is_refused_and_the_cart_kept(
    client: TestClient,
    session: Session,
    school: Any,
    school_buyer: Any,
    make_user: Any,
    make_org: Any,
    make_listing: Any,
) -> None:
    coffee = make_listing(make_org(make_user("cafe@example.mx")), title="Café tostado", stock=20)
    log_in(client, school_buyer.email)
    add(client, coffee, 2)
    form = {"payment_method": "invoice", "personal": "1", "csrf_token": csrf_of(client, "/carrito")}

    response = client.post("/carrito/pagar", data=form)

    assert response.status_code == 422
    assert field_error(response, "payment_method") == (
        "La factura a crédito es para compras de tu institución; "
        "una compra personal se paga al hacer el pedido."
    )
    assert session.exec(select(func.count()).select_from(Order)).one() == 0
    assert session.exec(select(CartItem.quantity)).one() == 2
    assert session.exec(select(Listing.stock).where(Listing.id == coffee.id)).one() == 20
