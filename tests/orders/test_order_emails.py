"""The order's e-mails, through the real checkout and a real SMTP server: the buyer gets the order with how
to pay it (the platform's CLABE and the reference for a transfer or an invoice, where to pick up and pay in
cash), each producer's members get their own part of a new order and nothing of the other producers', and
every later step reaches whom it concerns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from market.accounts.models import User
from market.catalog.models import Listing
from market.config import Settings
from market.linking.models import BuyerOrganization
from market.mail.delivery import deliver_due
from market.mail.render import when
from market.orders.models import Order
from market.organizations.models import Membership, Organization
from tests.fixtures.smtp import Received, SmtpServer
from tests.helpers import api_token, csrf_of, fresh, html_words, log_in

BUYER = "ana@example.mx"
COFFEE_PICKUP = "Bodega de la cooperativa, Calle Hidalgo 12, barrio San Pedro"
HONEY_ADDRESS = "Calle 20 número 105, Centro"


@dataclass
class Market:
    coffee_org: Organization
    honey_org: Organization
    coffee: Listing  # $250.00 a kg, picked up at its own address or shipped
    honey: Listing  # $180.00 a litre, picked up at the organization's address
    admin: User


@pytest.fixture
def market(make_user: Any, make_org: Any, make_listing: Any, session: Session) -> Market:
    coffee_org = make_org(
        make_user("cafe@example.mx", name="Rosa Pérez"),
        phone="951 123 4567",
        contact_email="ventas@florcafe.mx",
        shipping_fee_cents=12000,
    )
    member = make_user("socia@florcafe.mx", name="Lupe Gómez")
    session.add(Membership(user_id=member.id or 0, organization_id=coffee_org.id, role="member"))
    session.commit()
    honey_org = make_org(
        make_user("miel@example.mx", name="Doña Chabela"),
        name="Meliponicultoras de Maní",
        state="31",
        municipality="Maní",
        address=HONEY_ADDRESS,
    )
    make_user(BUYER, name="Ana López")
    return Market(
        coffee_org=coffee_org,
        honey_org=honey_org,
        coffee=make_listing(
            coffee_org,
            title="Café de altura",
            price_cents=25000,
            stock=20,
            pickup_address=COFFEE_PICKUP,
            national_shipping=True,
        ),
        honey=make_listing(
            honey_org, title="Miel melipona", category="miel", unit="l", price_cents=18000, stock=10
        ),
        admin=make_user("admin@example.mx", is_admin=True),
    )


def fill_cart(client: TestClient, token: dict[str, str], market: Market) -> None:
    for listing in (market.coffee, market.honey):
        response = client.put(f"/api/v1/cart/items/{listing.id}", headers=token, json={"quantity": 2})
        assert response.status_code == 200, response.text


def check_out(
    client: TestClient, session: Session, token: dict[str, str], market: Market, **choices: Any
) -> Order:
    """The buyer's checkout of both products through the API; the order as the database holds it."""
    fill_cart(client, token, market)
    response = client.post("/api/v1/cart/checkout", headers=token, json=choices)
    assert response.status_code == 201, response.text
    return fresh(session, Order, response.json()["id"])


def only(server: SmtpServer, address: str) -> Received:
    [received] = server.to(address)
    return received


def both(received: Received) -> tuple[str, str]:
    return received.text, html_words(received.html)


def test_a_spei_transfer_order_tells_the_buyer_how_to_pay_and_each_producer_only_its_part(
    client: TestClient,
    engine: Engine,
    session: Session,
    smtp_server: SmtpServer,
    smtp_settings: Settings,
    market: Market,
) -> None:
    token = api_token(client, BUYER)
    order = check_out(client, session, token, market, payment_method="spei_transfer")
    assert order.total_cents == 86000

    assert deliver_due(engine, smtp_settings) == 1  # the producers hear of it once it is paid
    placed = only(smtp_server, BUYER)
    assert placed.recipients == [BUYER]
    assert placed.message["Subject"] == f"Pedido {order.id}: datos para tu transferencia"
    reference = f"TS{order.id:08d}"
    for part, amount in zip(both(placed), ("Importe exacto: $860.00", "Importe exacto $860.00"), strict=True):
        for fact in (
            smtp_settings.platform_clabe,
            smtp_settings.platform_bank_beneficiary,
            amount,
            reference,
            "Café de altura",
            "Miel melipona",
            "$250.00",  # each line's unit price and total
            "$500.00",
            "$180.00",
            "$360.00",
            f"Pedido {order.id}",
            COFFEE_PICKUP,  # both are picked up: where
            HONEY_ADDRESS,
            "Maní, Yucatán",
        ):
            assert fact in part, fact
    assert_absolute(placed, f"/pedidos/{order.id}", smtp_settings)
    assert order.reserved_until is not None
    assert f"Tu pedido queda apartado hasta el {when(order.reserved_until)}." in placed.text

    admin = api_token(client, "admin@example.mx")
    paid = client.post(
        f"/api/v1/orders/{order.id}/offline-payment", headers=admin, json={"reference": "MBAN0100260514"}
    )
    assert paid.status_code == 200, paid.text
    deliver_due(engine, smtp_settings)

    coffee_people = {"cafe@example.mx", "socia@florcafe.mx"}
    for address in coffee_people | {"miel@example.mx"}:
        news = only(smtp_server, address)
        assert news.message["Subject"] == f"Pedido {order.id}: tienes un pedido nuevo por aceptar"
        text, html = both(news)
        mine, theirs = (
            (("Café de altura", "$250.00", "$500.00"), ("Miel melipona", "$180.00", "$360.00"))
            if address in coffee_people
            else (("Miel melipona", "$180.00", "$360.00"), ("Café de altura", "$250.00", "$500.00"))
        )
        for part in (text, html):
            assert "Ya está pagado" in part
            assert all(fact in part for fact in mine), address
            assert not any(fact in part for fact in theirs), address
            assert "$860.00" not in part and "Total:" not in part  # never the order's total
        slug = market.coffee_org.slug if address in coffee_people else market.honey_org.slug
        assert_absolute(news, f"/panel/o/{slug}/pedidos", smtp_settings)
    rosa = only(smtp_server, "cafe@example.mx").text
    assert "Subtotal de tu parte: $500.00" in rosa
    assert "Recibes (después de la comisión de la plataforma): $460.00" in rosa
    # The buyer hears that each part reached its producer with the payment.
    payment_news = smtp_server.to(BUYER)[1:]
    assert sorted(m.message["Subject"] for m in payment_news) == sorted(
        f"Pedido {order.id}: Por aceptar · {org.name}" for org in (market.coffee_org, market.honey_org)
    )
    assert all("Pago recibido." in m.text for m in payment_news)


def assert_absolute(received: Received, path: str, settings: Settings) -> None:
    """The message's main link is the page's absolute address, in both parts."""
    link = f"{settings.base_url.rstrip('/')}{path}"
    assert link in received.text
    assert f'href="{link}"' in received.html


def test_cash_on_pickup_through_the_page_says_where_to_pick_up_and_reaches_the_producers_at_once(
    client: TestClient,
    engine: Engine,
    session: Session,
    smtp_server: SmtpServer,
    smtp_settings: Settings,
    market: Market,
) -> None:
    fill_cart(client, api_token(client, BUYER), market)
    log_in(client, BUYER)
    response = client.post(
        "/carrito/pagar",
        data={"payment_method": "cash_on_pickup", "csrf_token": csrf_of(client, "/carrito")},
    )
    assert response.status_code == 303, response.text
    order_id = int(response.headers["location"].rstrip("/").rsplit("/", 1)[1])
    order = fresh(session, Order, order_id)
    assert order.reserved_until is not None

    deliver_due(engine, smtp_settings)
    placed = only(smtp_server, BUYER)  # the order, and no separate news of each part reaching its producer
    assert placed.message["Subject"] == f"Pedido {order_id}: pagas al recoger"
    deadline = when(order.reserved_until)
    for part in both(placed):
        assert "Pagas en efectivo al recoger tu pedido con cada organización." in part
        assert f"Cada organización tiene hasta el {deadline} para confirmar su parte" in part
        for fact in (
            market.coffee_org.name,
            COFFEE_PICKUP,
            "Chenalhó, Chiapas",
            "951 123 4567",
            "ventas@florcafe.mx",
            market.honey_org.name,
            HONEY_ADDRESS,
            "Maní, Yucatán",
            "$500.00",
            "$360.00",
            "$860.00",
        ):
            assert fact in part, fact
        assert smtp_settings.platform_clabe not in part  # nothing to transfer
    assert_absolute(placed, f"/pedidos/{order_id}", smtp_settings)

    rosa = only(smtp_server, "cafe@example.mx")
    assert rosa.message["Subject"] == f"Pedido {order_id}: tienes un pedido nuevo por aceptar"
    for part in both(rosa):
        assert "Se paga en efectivo al recoger: cobra $500.00 cuando lo entregues." in part
        assert f"Acéptalo antes del {deadline}; si no, se cancela." in part
        assert COFFEE_PICKUP in part and "Ana López" in part
        assert "Miel melipona" not in part and "$360.00" not in part and "$860.00" not in part


def test_invoice_terms_give_the_institution_the_due_date_and_the_transfer_details(
    client: TestClient,
    engine: Engine,
    session: Session,
    smtp_server: SmtpServer,
    smtp_settings: Settings,
    market: Market,
    school: BuyerOrganization,
) -> None:
    token = api_token(client, "compras@escuela.mx")
    order = check_out(client, session, token, market, payment_method="invoice")
    assert order.payment_due_at is not None

    deliver_due(engine, smtp_settings)
    placed = only(smtp_server, "compras@escuela.mx")
    assert placed.message["Subject"] == f"Pedido {order.id}: datos para tu transferencia"
    for part in both(placed):
        assert f"Paga antes del {when(order.payment_due_at)}." in part
        for fact in (
            smtp_settings.platform_clabe,
            smtp_settings.platform_bank_beneficiary,
            f"TS{order.id:08d}",
            "$860.00",
        ):
            assert fact in part, fact
    honey = only(smtp_server, "miel@example.mx")
    assert "Es una compra a crédito de una institución verificada" in honey.text
    assert "Café de altura" not in honey.text and "$860.00" not in honey.text


def test_each_later_step_reaches_whom_it_concerns(
    client: TestClient,
    engine: Engine,
    session: Session,
    smtp_server: SmtpServer,
    smtp_settings: Settings,
    market: Market,
) -> None:
    """A shipped part tells the buyer its carrier and tracking number; a part ready for pickup, where; the
    buyer's confirmation reaches the producer."""
    token = api_token(client, BUYER)
    order = check_out(
        client,
        session,
        token,
        market,
        payment_method="spei_transfer",
        delivery={str(market.coffee_org.id): "national"},
        ship_to="Av. Juárez 12, Centro, 68000 Oaxaca de Juárez",
    )
    admin = api_token(client, "admin@example.mx")
    client.post(f"/api/v1/orders/{order.id}/offline-payment", headers=admin, json={"reference": "MBAN0100"})
    parts = {
        f["organization_id"]: f["id"]
        for f in client.get(f"/api/v1/orders/{order.id}", headers=token).json()["fulfillments"]
    }
    rosa, chabela = api_token(client, "cafe@example.mx"), api_token(client, "miel@example.mx")
    for step in ("accepted", "preparing"):
        for producer, org in ((rosa, market.coffee_org), (chabela, market.honey_org)):
            moves = f"/api/v1/fulfillments/{parts[org.id]}/moves"
            assert client.post(moves, headers=producer, json={"status": step}).status_code == 200
    shipped = client.post(
        f"/api/v1/fulfillments/{parts[market.coffee_org.id]}/moves",
        headers=rosa,
        json={"status": "shipped", "carrier": "Estafeta", "tracking_number": "8012345678"},
    )
    assert shipped.status_code == 200, shipped.text
    ready = client.post(
        f"/api/v1/fulfillments/{parts[market.honey_org.id]}/moves",
        headers=chabela,
        json={"status": "ready_for_pickup"},
    )
    assert ready.status_code == 200, ready.text
    deliver_due(engine, smtp_settings)
    to_buyer = {m.message["Subject"]: m for m in smtp_server.to(BUYER)[-2:]}
    on_its_way = to_buyer[f"Pedido {order.id}: Enviado · {market.coffee_org.name}"]  # the news, said at once
    for part in both(on_its_way):
        assert "Tu pedido va en camino." in part and "Estafeta" in part and "8012345678" in part
    to_pick_up = to_buyer[f"Pedido {order.id}: Listo para recoger · {market.honey_org.name}"]
    for part in both(to_pick_up):
        assert (
            "Tu pedido está listo para recoger." in part and HONEY_ADDRESS in part and "Maní, Yucatán" in part
        )
    assert_absolute(to_pick_up, f"/pedidos/{order.id}", smtp_settings)

    smtp_server.received.clear()
    delivered = client.post(
        f"/api/v1/fulfillments/{parts[market.coffee_org.id]}/moves",
        headers=token,
        json={"status": "delivered"},
    )
    assert delivered.status_code == 200, delivered.text
    deliver_due(engine, smtp_settings)
    told = {address: [m.text for m in smtp_server.to(address)] for address in ("cafe@example.mx", BUYER)}
    assert any("El pedido se entregó." in text for text in told["cafe@example.mx"])
    assert any("Tu pedido se marcó como entregado." in text for text in told[BUYER])
