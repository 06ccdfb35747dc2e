"""Suspended content leaves search at once: with the embedded engine and with a real Meilisearch server, a
suspended listing (or every listing of a suspended organization) is gone from search as soon as the outbox
worker runs, its page is 404 and nobody can buy it; restored, it is found again."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from market.app import create_app
from market.config import Settings
from market.orders.models import Order
from tests.admin.conftest import REASON, World
from tests.helpers import api_token, csrf_of, log_in, run_search_worker


@pytest.fixture(params=["embedded", "meilisearch"])
def market_app(request: pytest.FixtureRequest, settings: Settings) -> FastAPI:
    if request.param == "meilisearch":
        settings = request.getfixturevalue("meili_settings")
    return create_app(settings)


@pytest.fixture
def admin_client(market_app: FastAPI, world: World) -> Iterator[TestClient]:
    with TestClient(market_app, follow_redirects=False) as client:  # the lifespan readies the index
        log_in(client, world.admin.email)
        yield client


def found(client: TestClient, text: str = "") -> list[str]:
    response = client.get("/api/v1/search", params={"q": text, "per_page": 50})
    assert response.status_code == 200, response.text
    return sorted(hit["title"] for hit in response.json()["hits"])


def page_of(listing: Any) -> str:
    return f"/productos/{listing.id}/{listing.slug}"


def test_a_suspended_listing_leaves_search_at_once_and_returns_when_restored(
    market_app: FastAPI, admin_client: TestClient, session: Session, world: World
) -> None:
    visitor = TestClient(market_app, follow_redirects=False)
    buyer = api_token(visitor, world.buyer.email)
    run_search_worker(market_app)
    assert found(visitor, "altura") == ["Café de altura"]
    in_cart = visitor.put(f"/api/v1/cart/items/{world.coffee.id}", headers=buyer, json={"quantity": 2})
    assert in_cart.status_code == 200  # put in the cart before the suspension

    response = admin_client.post(
        f"/admin/productos/{world.coffee.id}/suspender",
        data={
            "reason": REASON,
            "next": page_of(world.coffee),
            "csrf_token": csrf_of(admin_client, page_of(world.coffee)),
        },
    )
    assert response.status_code == 303 and response.headers["location"] == page_of(world.coffee)
    assert run_search_worker(market_app) >= 1

    assert found(visitor, "altura") == []
    assert found(visitor) == ["Miel multifloral"]
    assert visitor.get(page_of(world.coffee)).status_code == 404
    refused = visitor.put(f"/api/v1/cart/items/{world.coffee.id}", headers=buyer, json={"quantity": 1})
    assert refused.status_code == 404
    assert refused.json()["detail"] == "Ese producto no está a la venta en este momento."
    checkout = visitor.post("/api/v1/cart/checkout", headers=buyer, json={})
    assert checkout.status_code == 404
    assert checkout.json()["detail"] == "«Café de altura» ya no está a la venta; quítalo para continuar."
    assert session.exec(select(func.count()).select_from(Order)).one() == 0
    cart = visitor.get("/api/v1/cart", headers=buyer).json()
    assert [(line["title"], line["available"]) for line in cart["groups"][0]["lines"]] == [
        ("Café de altura", False)  # the cart says so before checkout does
    ]
    emptied = visitor.put(f"/api/v1/cart/items/{world.coffee.id}", headers=buyer, json={"quantity": 0})
    assert emptied.status_code == 200 and emptied.json()["groups"] == []  # it can still be taken out

    admin = api_token(admin_client, world.admin.email)
    restored = admin_client.post(
        f"/api/v1/admin/listings/{world.coffee.id}/restore", json={"reason": "Aclarado"}, headers=admin
    )
    assert restored.status_code == 200 and restored.json()["suspended"] is False
    assert run_search_worker(market_app) >= 1

    assert found(visitor, "altura") == ["Café de altura"]
    assert visitor.get(page_of(world.coffee)).status_code == 200
    again = visitor.put(f"/api/v1/cart/items/{world.coffee.id}", headers=buyer, json={"quantity": 1})
    assert again.status_code == 200


def test_suspending_an_organization_takes_all_its_listings_out_of_search(
    market_app: FastAPI,
    admin_client: TestClient,
    world: World,
    make_user: Any,
    make_org: Any,
    make_listing: Any,
) -> None:
    other = make_org(make_user("vainilla@example.mx"), name="Unión de Vainilleros de Papantla", state="30")
    make_listing(other, title="Vainilla de Papantla", category="vainilla", price_cents=9000)
    visitor = TestClient(market_app, follow_redirects=False)
    buyer = api_token(visitor, world.buyer.email)
    run_search_worker(market_app)
    assert found(visitor) == ["Café de altura", "Miel multifloral", "Vainilla de Papantla"]

    response = admin_client.post(
        f"/admin/organizaciones/{world.org.slug}/suspender",
        data={"reason": REASON, "csrf_token": csrf_of(admin_client, "/admin/moderacion")},
    )
    assert response.status_code == 303
    assert run_search_worker(market_app) >= 1

    assert found(visitor) == ["Vainilla de Papantla"]
    for listing in (world.coffee, world.honey):
        assert visitor.get(page_of(listing)).status_code == 404
        refused = visitor.put(f"/api/v1/cart/items/{listing.id}", headers=buyer, json={"quantity": 1})
        assert refused.status_code == 404

    admin = api_token(admin_client, world.admin.email)
    reinstated = admin_client.post(
        f"/api/v1/organizations/{world.org.slug}/reinstate", json={"reason": "Aclarado"}, headers=admin
    )
    assert reinstated.status_code == 200
    assert run_search_worker(market_app) >= 1

    assert found(visitor) == ["Café de altura", "Miel multifloral", "Vainilla de Papantla"]
    assert visitor.get(page_of(world.honey)).status_code == 200
