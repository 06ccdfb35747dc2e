"""The cart in the browser's pages: kept for a visitor, merged at log-in, checked out with SPEI
instructions; a shortage is explained and loses nothing."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from market.catalog.models import Listing
from market.catalog.schemas import TierIn
from market.orders.models import CartItem, Order
from tests.helpers import PASSWORD, csrf_of


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
    response = client.post("/carrito/pagar", data={"payment_method": "spei_transfer", "csrf_token": token})
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
    honey = make_listing(make_org(make_user("miel@example.mx")), title="Miel", category="miel", stock=4)
    make_user("eva@example.mx")
    token = csrf_of(client)
    client.post("/entrar", data={"email": "eva@example.mx", "password": PASSWORD, "csrf_token": token})
    add(client, honey, 3)
    honey.stock = 2  # others bought meanwhile: checkout checks the stock again
    session.add(honey)
    session.commit()
    assert "Solo quedan 2 kg: ajusta la cantidad." in client.get("/carrito").text
    response = client.post("/carrito/pagar", data={"csrf_token": csrf_of(client, "/carrito")})
    assert response.status_code == 409
    assert "Solo quedan 2 kg de «Miel»." in response.text
    assert session.exec(select(func.count()).select_from(Order)).one() == 0
    assert session.exec(select(CartItem.quantity)).one() == 3

    removed = client.post(
        f"/carrito/{honey.id}", data={"quantity": "0", "csrf_token": csrf_of(client, "/carrito")}
    )
    assert removed.status_code == 303
    assert "Tu carrito está vacío." in client.get("/carrito").text


def test_a_missing_address_is_pointed_out_and_every_choice_kept(
    client: TestClient, session: Session, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    organization = make_org(make_user("cafe@example.mx"), shipping_fee_cents=14900)
    coffee = make_listing(organization, title="Café tostado", stock=5, national_shipping=True)
    make_user("eva@example.mx")
    token = csrf_of(client)
    client.post("/entrar", data={"email": "eva@example.mx", "password": PASSWORD, "csrf_token": token})
    add(client, coffee, 1)
    cart = client.get("/carrito").text
    assert "Envío nacional · $149.00" in cart and "Recoger con la organización · sin costo" in cart
    choices = {
        f"delivery.{organization.id}": "national",
        "payment_method": "cash_on_pickup",
        "contact_phone": "951 123 4567",
        "csrf_token": csrf_of(client, "/carrito"),
    }
    response = client.post("/carrito/pagar", data=choices)
    assert response.status_code == 422
    assert 'aria-invalid="true" aria-describedby="e-ship_to"' in response.text
    assert "Escribe la dirección de entrega" in response.text
    assert "Para pagar en efectivo al recoger, elige recoger con el productor." in response.text
    assert 'value="national" selected' in response.text and 'value="951 123 4567"' in response.text
    assert 'value="cash_on_pickup" form="checkout" checked' in response.text
    assert session.exec(select(func.count()).select_from(Order)).one() == 0

    choices |= {"payment_method": "spei_transfer", "ship_to": "Calle Morelos 12, Centro, 68000 Oaxaca"}
    response = client.post("/carrito/pagar", data=choices)
    assert response.status_code == 303
    order = session.exec(select(Order)).one()
    assert (order.delivery_cents, order.ship_to) == (14900, "Calle Morelos 12, Centro, 68000 Oaxaca")
    page = client.get(response.headers["location"]).text
    assert "Calle Morelos 12" in page and "$149.00" in page


def test_checkout_needs_an_account(
    client: TestClient, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    add(client, make_listing(make_org(make_user())), 1)
    response = client.post("/carrito/pagar", data={"csrf_token": csrf_of(client, "/carrito")})
    assert response.status_code == 303 and response.headers["location"].startswith("/entrar")


def test_producer_works_its_queue_from_the_panel(
    client: TestClient, session: Session, settings: Any, make_user: Any, make_org: Any, make_listing: Any
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

    token = csrf_of(client)
    client.post("/entrar", data={"email": owner.email, "password": PASSWORD, "csrf_token": token})
    queue = client.get(f"/panel/o/{org.slug}/pedidos").text
    assert "Café tostado" in queue and "Aceptar" in queue and "Por aceptar" in queue
    token = csrf_of(client, f"/panel/o/{org.slug}/pedidos")
    path = f"/panel/o/{org.slug}/pedidos/{fulfillment.id}"
    assert client.post(path, data={"status": "accepted", "csrf_token": token}).status_code == 303
    assert client.post(path, data={"status": "preparing", "csrf_token": token}).status_code == 303
    refused = client.post(path, data={"status": "shipped", "csrf_token": token})  # no tracking number
    assert refused.status_code == 303
    assert "Indica la paquetería y el número de guía." in client.get(f"/panel/o/{org.slug}/pedidos").text
    client.post(
        path, data={"status": "shipped", "carrier": "Estafeta", "tracking_number": "E1", "csrf_token": token}
    )
    session.expire_all()
    assert session.exec(select(Fulfillment.status)).one() == "shipped"

    other = TestClient(client.app, follow_redirects=False)
    make_org(make_user("otra@example.mx"), name="Otra Cooperativa")
    other.post(
        "/entrar", data={"email": "otra@example.mx", "password": PASSWORD, "csrf_token": csrf_of(other)}
    )
    assert other.get(f"/panel/o/{org.slug}/pedidos").status_code == 403


def test_admin_confirms_a_transfer_and_the_producer_sees_its_balance(
    client: TestClient, session: Session, settings: Any, make_user: Any, make_org: Any, make_listing: Any
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

    client.post(
        "/entrar", data={"email": "admin@example.mx", "password": PASSWORD, "csrf_token": csrf_of(client)}
    )
    queue = client.get("/admin/pagos").text
    assert f"TS{order.id:08d}" in queue and "$300.00" in queue
    token = csrf_of(client, "/admin/pagos")
    client.post(f"/admin/pagos/{order.id}", data={"reference": "BBVA 7781", "csrf_token": token})
    assert "No hay pagos por confirmar." in client.get("/admin/pagos").text

    producer = TestClient(client.app, follow_redirects=False)
    producer.post(
        "/entrar", data={"email": owner.email, "password": PASSWORD, "csrf_token": csrf_of(producer)}
    )
    page = producer.get(f"/panel/o/{org.slug}/saldo").text
    assert "$276.00" in page  # 300 less the 8 % that sustains the platform
    assert "Venta pagada" in page
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
    client.post(
        "/entrar", data={"email": "admin@example.mx", "password": PASSWORD, "csrf_token": csrf_of(client)}
    )
    client.post(
        f"/admin/pagos/{order.id}", data={"reference": " ab ", "csrf_token": csrf_of(client, "/admin/pagos")}
    )
    page = client.get("/admin/pagos").text
    assert "Escribe la referencia del pago (de 4 a 40 caracteres)." in page
    assert f"TS{order.id:08d}" in page  # still waiting
