"""A buyer who lost the answer to a checkout sends it again with the same Idempotency-Key (or the page's form
again) and gets the same order: never a second order, never the stock reserved twice."""

from __future__ import annotations

import threading
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from market.catalog.models import Listing
from market.config import Settings
from market.orders.models import Order
from tests.fixtures.app import served
from tests.helpers import PASSWORD, TOKENS, api_token, csrf_of, log_in
from tests.orders.test_cart_pages import add
from tests.pages import soup, value_of

KEY = "3f1c1d9e-7a4b-4e59-9a63-2c0f5b7d8e11"


def orders(session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(Order)).one())


def stock_of(session: Session, listing: Listing) -> int:
    session.expire_all()
    return int(session.exec(select(Listing.stock).where(Listing.id == listing.id)).one() or 0)


def body(listing: Listing, quantity: int = 2) -> dict[str, Any]:
    return {"items": [{"listing_id": listing.id, "quantity": quantity}], "payment_method": "spei_transfer"}


def test_a_retried_checkout_with_its_key_gets_the_same_order(
    client: TestClient, session: Session, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    coffee = make_listing(make_org(make_user("cafe@example.mx")), stock=10)
    buyer = make_user("ana@example.mx")
    headers = api_token(client, buyer.email) | {"Idempotency-Key": KEY}

    first = client.post("/api/v1/orders", json=body(coffee), headers=headers)
    again = client.post("/api/v1/orders", json=body(coffee), headers=headers)
    other = client.post("/api/v1/orders", json=body(coffee, 3), headers=headers)
    without = client.post("/api/v1/orders", json=body(coffee), headers=headers | {"Idempotency-Key": "corta"})

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["id"] == first.json()["id"] and again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert other.status_code == 422 and "otra solicitud" in other.json()["fields"]["idempotency_key"]
    assert without.status_code == 422 and "8 a 255" in without.json()["fields"]["idempotency_key"]
    assert orders(session) == 1
    assert stock_of(session, coffee) == 8  # reserved once


def test_a_refused_checkout_keeps_no_key_and_its_retry_can_succeed(
    client: TestClient, session: Session, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    coffee = make_listing(make_org(make_user("cafe@example.mx")), stock=1)
    headers = api_token(client, make_user("ana@example.mx").email) | {"Idempotency-Key": KEY}

    short = client.post("/api/v1/orders", json=body(coffee), headers=headers)
    coffee.stock = 5
    session.add(coffee)
    session.commit()
    retried = client.post("/api/v1/orders", json=body(coffee), headers=headers)

    assert (short.status_code, retried.status_code) == (409, 201)
    assert "idempotent-replayed" not in retried.headers
    assert orders(session) == 1


def test_two_checkouts_with_one_key_at_once_make_one_order(
    app: FastAPI, settings: Settings, session: Session, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    coffee = make_listing(make_org(make_user("cafe@example.mx")), stock=10)
    buyer = make_user("ana@example.mx")
    with served(app, settings) as url, httpx.Client(base_url=url) as client:
        token = client.post(TOKENS, json={"email": buyer.email, "password": PASSWORD})
        headers = {"Authorization": f"Bearer {token.json()['token']}", "Idempotency-Key": KEY}
        start, answers = threading.Barrier(2), []

        def check_out() -> None:
            start.wait()
            answers.append(client.post("/api/v1/orders", json=body(coffee), headers=headers, timeout=30))

        threads = [threading.Thread(target=check_out) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)

    assert [a.status_code for a in answers] == [201, 201], [a.text for a in answers]
    assert answers[0].json()["id"] == answers[1].json()["id"]
    assert orders(session) == 1 and stock_of(session, coffee) == 8


def test_the_cart_page_sent_twice_makes_one_order(
    client: TestClient, session: Session, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    cooperative = make_org(make_user("cafe@example.mx"))
    coffee = make_listing(cooperative, stock=10)
    make_user("eva@example.mx")
    log_in(client, "eva@example.mx")
    add(client, coffee, 2)
    cart = soup(client.get("/carrito"))
    form = {
        "payment_method": "spei_transfer",
        f"delivery.{cooperative.id}": "pickup",  # choices keyed by organization, as the page sends them
        "csrf_token": csrf_of(client, "/carrito"),
        "idempotency_key": value_of(cart, "idempotency_key"),
    }

    first = client.post("/carrito/pagar", data=form)
    again = client.post("/carrito/pagar", data=form)  # the answer was lost: the browser sends it again

    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"]
    assert orders(session) == 1 and stock_of(session, coffee) == 8
