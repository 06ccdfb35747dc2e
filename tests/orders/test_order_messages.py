"""A conversation per part of an order, on the order page: between its buyer and its producer only."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from market.linking.models import Message
from market.orders.checkout import checkout
from market.orders.models import Fulfillment
from market.orders.schemas import Checkout
from tests.helpers import csrf_of, log_in
from tests.pages import buttons, main, soup, text_of, texts

QUESTION = "¿Lo pueden moler para cafetera de goteo?"


def test_buyer_and_producer_talk_about_their_part_and_nobody_else_reads_it(
    client: TestClient, session: Session, settings: Any, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    coffee = make_listing(make_org(make_user("cafe@example.mx")), title="Café tostado", stock=10)
    honey = make_listing(
        make_org(make_user("miel@example.mx"), name="Apicultoras del Puuc"), title="Miel", category="miel"
    )
    buyer = make_user("ana@example.mx")
    order = checkout(
        session,
        settings,
        buyer,
        Checkout(items=[{"listing_id": coffee.id, "quantity": 1}, {"listing_id": honey.id, "quantity": 1}]),
    )
    session.commit()
    parts = {f.organization_id: f for f in session.exec(select(Fulfillment)).all()}
    coffee_part = parts[coffee.organization_id]

    log_in(client, "ana@example.mx")
    token = csrf_of(client, f"/pedidos/{order.id}")
    sent = client.post(
        f"/pedidos/{order.id}/partes/{coffee_part.id}/mensajes",
        data={"body": QUESTION, "csrf_token": token},
    )
    assert sent.status_code == 303
    assert texts(client.get(f"/pedidos/{order.id}"), ".messages li p") == [QUESTION]
    client.post("/salir", data={"csrf_token": csrf_of(client, "/")})

    log_in(client, "cafe@example.mx")
    page = soup(client.get(f"/pedidos/{order.id}"))
    assert texts(page, ".messages li p") == [QUESTION]
    assert "Miel" not in text_of(main(page))  # the other producer's part is not shown to this one

    client.post("/salir", data={"csrf_token": csrf_of(client, "/")})
    log_in(client, "miel@example.mx")
    honey_page = soup(client.get(f"/pedidos/{order.id}"))
    assert texts(honey_page, ".messages li p") == []
    assert "cafetera de goteo" not in text_of(honey_page) and "Café tostado" not in text_of(main(honey_page))
    response = client.post(
        f"/pedidos/{order.id}/partes/{coffee_part.id}/mensajes",
        data={"body": "hola", "csrf_token": csrf_of(client, f"/pedidos/{order.id}")},
    )
    assert response.status_code == 404

    client.post("/salir", data={"csrf_token": csrf_of(client, "/")})
    make_user("admin@example.mx", is_admin=True)
    log_in(client, "admin@example.mx")  # judging a dispute starts with what was said
    admin_page = client.get(f"/pedidos/{order.id}")
    assert admin_page.status_code == 200 and texts(admin_page, ".messages li p") == [QUESTION]
    assert "Enviar mensaje" not in buttons(admin_page)  # reading, not taking part


def test_a_message_about_a_part_of_another_order_is_not_found_and_not_kept(
    client: TestClient, session: Session, settings: Any, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    """Every route under /pedidos/{order_id}/partes/{fulfillment_id} answers 404 for a part of another order,
    even one the person may write about."""
    coffee = make_listing(make_org(make_user("cafe@example.mx")), title="Café tostado", stock=10)
    buyer = make_user("ana@example.mx")
    first, second = (
        checkout(session, settings, buyer, Checkout(items=[{"listing_id": coffee.id, "quantity": 1}]))
        for _ in range(2)
    )
    session.commit()
    other_part = session.exec(select(Fulfillment).where(Fulfillment.order_id == second.id)).one()

    log_in(client, "ana@example.mx")
    response = client.post(
        f"/pedidos/{first.id}/partes/{other_part.id}/mensajes",
        data={"body": "¿Llega el martes?", "csrf_token": csrf_of(client, f"/pedidos/{first.id}")},
    )

    assert response.status_code == 404
    assert session.exec(select(func.count()).select_from(Message)).one() == 0
