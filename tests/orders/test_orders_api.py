"""The order pipeline through the JSON API: checkout, offline payment, each producer's steps, the
buyer's confirmation, and who may do what."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from market.catalog.models import Listing
from tests.helpers import api_token


def test_an_order_from_checkout_to_completion(
    client: TestClient, session: Session, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    coffee_owner, honey_owner = make_user("cafe@example.mx"), make_user("miel@example.mx")
    coffee_org = make_org(coffee_owner)
    coffee = make_listing(coffee_org, title="Café tostado", stock=20, national_shipping=True)
    honey = make_listing(
        make_org(honey_owner, name="Apicultoras del Puuc", state="31"), title="Miel", stock=8, category="miel"
    )
    make_user("admin@example.mx", is_admin=True)
    buyer = api_token(client, make_user("compras@hospital.mx").email)
    producer_a, producer_b = api_token(client, coffee_owner.email), api_token(client, honey_owner.email)
    admin = api_token(client, "admin@example.mx")

    created = client.post(
        "/api/v1/orders",
        headers=buyer,
        json={
            "items": [{"listing_id": coffee.id, "quantity": 3}, {"listing_id": honey.id, "quantity": 2}],
            "delivery": {str(coffee_org.id): "national"},
            "ship_to": "Av. Juárez 100, Centro, 44100 Guadalajara",
        },
    )
    assert created.status_code == 201, created.text
    order = created.json()
    assert order["status"] == "awaiting_payment" and len(order["fulfillments"]) == 2
    coffee_f, honey_f = sorted(order["fulfillments"], key=lambda f: f["lines"][0]["title"])

    def move(headers: dict[str, str], fulfillment: dict[str, Any], status: str, **extra: str) -> Any:
        return client.post(
            f"/api/v1/fulfillments/{fulfillment['id']}/moves",
            headers=headers,
            json={"status": status, **extra},
        )

    assert move(producer_a, coffee_f, "accepted").status_code == 409  # not paid yet
    assert (
        client.post(
            f"/api/v1/orders/{order['id']}/offline-payment", headers=buyer, json={"reference": "SPEI 1234"}
        ).status_code
        == 403
    )
    paid = client.post(
        f"/api/v1/orders/{order['id']}/offline-payment", headers=admin, json={"reference": "SPEI 1234"}
    )
    assert paid.json()["status"] == "paid"

    assert move(producer_b, coffee_f, "accepted").status_code == 404  # another producer's: as if none
    assert move(buyer, coffee_f, "accepted").status_code == 403
    assert move(producer_a, coffee_f, "accepted").status_code == 200
    assert move(buyer, coffee_f, "cancelled").status_code == 409  # too late: the producer accepted
    assert move(producer_a, coffee_f, "preparing").status_code == 200
    no_tracking = move(producer_a, coffee_f, "shipped")
    assert no_tracking.status_code == 422 and "guía" in no_tracking.json()["fields"]["tracking_number"]
    assert (
        move(producer_a, coffee_f, "shipped", carrier="Estafeta", tracking_number="EST123").status_code == 200
    )
    assert move(buyer, coffee_f, "delivered").status_code == 200
    done = move(buyer, coffee_f, "completed").json()

    assert move(producer_b, honey_f, "rejected", note="Se nos acabó la cosecha").status_code == 200
    session.expire_all()
    assert session.exec(select(Listing.stock).where(Listing.id == honey.id)).one() == 8  # back in stock
    assert session.exec(select(Listing.stock).where(Listing.id == coffee.id)).one() == 17

    final = {
        f["id"]: f for f in client.get(f"/api/v1/orders/{order['id']}", headers=buyer).json()["fulfillments"]
    }
    assert final[coffee_f["id"]]["status"] == "completed"
    assert [e["to_status"] for e in final[coffee_f["id"]]["timeline"]] == [
        "awaiting_payment",
        "pending_acceptance",
        "accepted",
        "preparing",
        "shipped",
        "delivered",
        "completed",
    ]
    assert final[honey_f["id"]]["timeline"][-1]["note"] == "Se nos acabó la cosecha"
    assert done["id"] == order["id"]
    stranger = api_token(client, make_user("curioso@example.mx").email)
    assert client.get(f"/api/v1/orders/{order['id']}", headers=stranger).status_code == 404
    assert client.get(f"/api/v1/orders/{order['id']}", headers=producer_b).status_code == 200


def test_sold_out_is_a_clear_409(
    client: TestClient, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    listing = make_listing(make_org(make_user()), title="Vainilla", category="vainilla", stock=1)
    buyer = api_token(client, make_user("eva@example.mx").email)
    items = {"items": [{"listing_id": listing.id, "quantity": 1}]}
    assert client.post("/api/v1/orders", headers=buyer, json=items).status_code == 201
    again = client.post("/api/v1/orders", headers=buyer, json=items)
    assert again.status_code == 409
    assert again.json() == {"error": "sold_out", "detail": "«Vainilla» se agotó."}
    bad = client.post(
        "/api/v1/orders", headers=buyer, json={"items": [{"listing_id": listing.id, "quantity": 0}]}
    )
    assert bad.status_code == 422


@pytest.mark.parametrize("payment_method", ["spei_transfer", "cash_on_pickup"])
def test_the_checkouts_answer_is_the_order_as_it_is_read_afterwards(
    client: TestClient, make_user: Any, make_org: Any, make_listing: Any, payment_method: str
) -> None:
    # The answer is built from what the checkout just wrote (no reads): it must be the stored order, with
    # its parts, lines and every step, also those cash on pickup adds in the same request.
    coffee = make_listing(make_org(make_user("cafe@example.mx")), title="Café tostado", stock=20, pickup=True)
    honey_org = make_org(make_user("miel@example.mx"), name="Apicultoras del Puuc", state="31")
    honey = make_listing(honey_org, title="Miel", stock=8, category="miel", pickup=True)
    comb = make_listing(honey_org, title="Miel en panal", stock=8, category="miel", pickup=True)
    buyer = api_token(client, make_user("lucia@example.mx").email)
    items = [{"listing_id": i, "quantity": q} for i, q in ((coffee.id, 3), (honey.id, 2), (comb.id, 1))]

    created = client.post(
        "/api/v1/orders", headers=buyer, json={"items": items, "payment_method": payment_method}
    )
    assert created.status_code == 201, created.text
    stored = client.get(f"/api/v1/orders/{created.json()['id']}", headers=buyer)
    assert created.json() == stored.json()
    parts = created.json()["fulfillments"]
    assert [len(p["lines"]) for p in parts] == [1, 2]
    steps = ["awaiting_payment"] + (["pending_acceptance"] if payment_method == "cash_on_pickup" else [])
    assert [[e["to_status"] for e in p["timeline"]] for p in parts] == [steps, steps]


def test_an_order_paid_at_pickup_whose_every_part_the_buyer_cancels_is_cancelled(
    client: TestClient, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    coffee = make_listing(make_org(make_user("cafe@example.mx")), title="Café tostado", stock=20, pickup=True)
    honey_org = make_org(make_user("miel@example.mx"), name="Apicultoras del Puuc", state="31")
    honey = make_listing(honey_org, title="Miel", stock=8, category="miel", pickup=True)
    buyer = api_token(client, make_user("lucia@example.mx").email)
    items = [{"listing_id": coffee.id, "quantity": 1}, {"listing_id": honey.id, "quantity": 1}]
    order = client.post(
        "/api/v1/orders", headers=buyer, json={"items": items, "payment_method": "cash_on_pickup"}
    )
    first, second = order.json()["fulfillments"]

    cancel = {"status": "cancelled"}
    client.post(f"/api/v1/fulfillments/{first['id']}/moves", headers=buyer, json=cancel)
    assert (
        client.get(f"/api/v1/orders/{order.json()['id']}", headers=buyer).json()["status"] == "pay_at_pickup"
    )
    last = client.post(f"/api/v1/fulfillments/{second['id']}/moves", headers=buyer, json=cancel)
    assert last.status_code == 200 and last.json()["status"] == "cancelled"


def test_a_personal_purchase_is_not_bought_on_the_institutions_credit(
    client: TestClient, school: Any, school_buyer: Any, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    coffee = make_listing(make_org(make_user("cafe@example.mx")), title="Café tostado", stock=20)
    buyer = api_token(client, school_buyer.email)
    items = [{"listing_id": coffee.id, "quantity": 1}]
    personal = {"items": items, "payment_method": "invoice", "personal": True}

    refused = client.post("/api/v1/orders", headers=buyer, json=personal)
    assert refused.status_code == 422, refused.text
    assert "compra personal" in refused.json()["fields"]["payment_method"]
    placed = client.post("/api/v1/orders", headers=buyer, json=personal | {"personal": False})
    assert placed.status_code == 201 and placed.json()["status"] == "invoiced"
