"""A refused action writes nothing, on the pages too: every page runs its service call in a savepoint,
so what the call wrote before refusing is undone while the request still commits what succeeded."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from market.catalog.models import Listing
from market.orders.models import Fulfillment
from tests.helpers import api_token, csrf_of, database_state, log_in
from tests.orders.test_cart_pages import add
from tests.pages import flash


def test_a_released_savepoint_is_still_undone_by_the_request_rollback(engine: Engine) -> None:
    # SQLite's Python driver would otherwise let RELEASE commit a savepoint opened first in a transaction.
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE refusal_probe (x INTEGER)"))
    try:
        with Session(engine) as session:
            session.exec(select(Listing.id)).all()  # a read first, as a page does
            with session.begin_nested():
                session.execute(text("INSERT INTO refusal_probe VALUES (1)"))
            session.rollback()
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM refusal_probe")).scalar() == 0
    finally:
        with engine.begin() as connection:
            connection.execute(text("DROP TABLE refusal_probe"))


def test_a_shortage_at_checkout_on_the_page_gives_back_what_it_had_reserved(
    client: TestClient, engine: Engine, session: Session, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    coffee = make_listing(make_org(make_user("cafe@example.mx")), title="Café", stock=10)
    honey = make_listing(
        make_org(make_user("miel@example.mx"), name="Apicultoras del Puuc"), title="Miel", stock=5
    )
    make_user("eva@example.mx")
    log_in(client, "eva@example.mx")
    add(client, coffee, 1)  # reserved first (listings are reserved in id order)
    add(client, honey, 5)
    honey.stock = 4  # someone bought one meanwhile
    session.add(honey)
    session.commit()
    before = database_state(engine)

    response = client.post("/carrito/pagar", data={"csrf_token": csrf_of(client, "/carrito")})

    assert response.status_code == 409 and flash(response, "error").startswith("Solo quedan 4 kg de «Miel».")
    assert database_state(engine) == before  # the coffee's stock is 10 again, no order, the cart kept


@pytest.fixture
def paid_part(client: TestClient, session: Session, make_user: Any, make_org: Any, make_listing: Any) -> Any:
    """A paid part to ship across the country, waiting for its producer, who is signed in on the pages."""
    owner = make_user("cafe@example.mx")
    org = make_org(owner)
    coffee = make_listing(org, title="Café", stock=10, national_shipping=True)
    make_user("admin@example.mx", is_admin=True)
    buyer = api_token(client, make_user("eva@example.mx").email)
    order = client.post(
        "/api/v1/orders",
        headers=buyer,
        json={
            "items": [{"listing_id": coffee.id, "quantity": 2}],
            "delivery": {str(org.id): "national"},
            "ship_to": "Av. Juárez 100, Centro, 44100 Guadalajara",
        },
    )
    admin = api_token(client, "admin@example.mx")
    client.post(
        f"/api/v1/orders/{order.json()['id']}/offline-payment", headers=admin, json={"reference": "SPEI 1"}
    )
    log_in(client, owner.email)
    return org, session.exec(select(Fulfillment)).one()


def test_shipping_a_part_not_yet_accepted_on_the_page_saves_no_carrier(
    client: TestClient, engine: Engine, paid_part: Any
) -> None:
    org, part = paid_part
    before = database_state(engine)

    response = client.post(
        f"/panel/o/{org.slug}/pedidos/{part.id}",
        data={
            "status": "shipped",
            "carrier": "Estafeta",
            "tracking_number": "EST123",
            "csrf_token": csrf_of(client, f"/panel/o/{org.slug}/pedidos"),
        },
    )

    assert response.status_code == 303
    assert flash(client.get(f"/panel/o/{org.slug}/pedidos"), "error").startswith("No se puede pasar")
    assert database_state(engine) == before
