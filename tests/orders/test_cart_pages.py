"""The cart in the browser's pages: kept for a visitor, merged at log-in, checked out with SPEI
instructions; a shortage is explained and loses nothing."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from market.catalog.models import Listing
from market.catalog.schemas import TierIn
from market.orders.models import CartItem, Order
from tests.conftest import PASSWORD, csrf_of


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
    cart = client.get("/carrito").text
    assert "Café tostado" in cart and "Apicultoras del Puuc" in cart
    assert "$3,480.00" in cart  # 12 × $290.00
    assert "Entra para hacer el pedido" in cart

    token = csrf_of(client)
    client.post(
        "/entrar",
        data={"email": "compras@escuela.mx", "password": PASSWORD, "next": "/carrito", "csrf_token": token},
    )
    token = csrf_of(client, "/carrito")
    response = client.post("/carrito/pagar", data={"pago": "spei_transfer", "csrf_token": token})
    assert response.status_code == 303
    order_page = client.get(response.headers["location"]).text
    assert "002010077777777771" in order_page and "$3,680.00" in order_page
    order = session.exec(select(Order)).one()
    assert f"TS{order.id:08d}" in order_page
    assert session.exec(select(Listing.stock).where(Listing.id == coffee.id)).one() == 18
    assert session.exec(select(func.count()).select_from(CartItem)).one() == 0
    assert "Tu carrito está vacío." in client.get("/carrito").text


def test_a_shortage_is_explained_and_the_cart_kept(
    client: TestClient, session: Session, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    honey = make_listing(make_org(make_user("miel@example.mx")), title="Miel", category="miel", stock=2)
    make_user("eva@example.mx")
    token = csrf_of(client)
    client.post("/entrar", data={"email": "eva@example.mx", "password": PASSWORD, "csrf_token": token})
    add(client, honey, 5)
    response = client.post("/carrito/pagar", data={"csrf_token": csrf_of(client, "/carrito")})
    assert response.status_code == 409
    assert "Solo quedan 2 kg de «Miel»." in response.text
    assert session.exec(select(func.count()).select_from(Order)).one() == 0
    assert session.exec(select(CartItem.quantity)).one() == 5

    removed = client.post(
        f"/carrito/{honey.id}", data={"quantity": "0", "csrf_token": csrf_of(client, "/carrito")}
    )
    assert removed.status_code == 303
    assert "Tu carrito está vacío." in client.get("/carrito").text


def test_checkout_needs_an_account(
    client: TestClient, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    add(client, make_listing(make_org(make_user())), 1)
    response = client.post("/carrito/pagar", data={"csrf_token": csrf_of(client, "/carrito")})
    assert response.status_code == 303 and response.headers["location"].startswith("/entrar")
