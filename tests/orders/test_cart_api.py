"""The cart through the JSON API: fill it, see it priced per producer with delivery options, check it out."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from market.catalog.models import Listing
from market.catalog.schemas import TierIn
from tests.helpers import api_token


def test_cart_from_filling_to_checkout(
    client: TestClient, session: Session, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    coffee_org = make_org(make_user("cafe@example.mx"), delivery_fee_cents=8000, shipping_fee_cents=15000)
    coffee = make_listing(
        coffee_org,
        price_cents=20000,
        stock=30,
        national_shipping=True,
        tiers=[TierIn(min_quantity=10, unit_price_cents=18000)],
    )
    honey_org = make_org(make_user("miel@example.mx"), name="Apicultoras del Puuc", state="31")
    honey = make_listing(honey_org, title="Miel", category="miel", price_cents=15000, stock=5)
    buyer = api_token(client, make_user("compras@hospital.mx").email)

    assert client.get("/api/v1/cart", headers=buyer).json()["groups"] == []
    assert (
        client.put(f"/api/v1/cart/items/{coffee.id}", headers=buyer, json={"quantity": 10}).status_code == 200
    )
    cart = client.put(f"/api/v1/cart/items/{honey.id}", headers=buyer, json={"quantity": 2}).json()
    by_org = {g["organization_id"]: g for g in cart["groups"]}
    assert by_org[coffee_org.id]["subtotal_cents"] == 180000  # the volume price from 10 units
    assert by_org[coffee_org.id]["delivery_options"] == {"pickup": 0, "national": 15000}
    assert by_org[honey_org.id]["delivery_options"] == {"pickup": 0}
    assert cart["total_cents"] == 210000 and cart["platform_fee_cents"] == 16800
    assert cart["iva_cents"] == 0  # coffee and honey are basic food: IVA 0 %
    assert cart["payment_methods"] == ["spei_transfer", "cash_on_pickup"]

    bad = client.put(f"/api/v1/cart/items/{honey.id}", headers=buyer, json={"quantity": -1})
    assert bad.status_code == 422

    no_address = client.post(
        "/api/v1/cart/checkout", headers=buyer, json={"delivery": {str(coffee_org.id): "national"}}
    )
    assert no_address.status_code == 422 and set(no_address.json()["fields"]) == {"ship_to"}
    assert len(client.get("/api/v1/cart", headers=buyer).json()["groups"]) == 2  # nothing was lost

    order = client.post(
        "/api/v1/cart/checkout",
        headers=buyer,
        json={
            "delivery": {str(coffee_org.id): "national"},
            "ship_to": "Hospital Civil, Calle Hospital 278, El Retiro, 44280 Guadalajara",
            "contact_phone": "33 3614 5501",
        },
    )
    assert order.status_code == 201, order.text
    assert order.json()["total_cents"] == 210000 + 15000
    assert client.get("/api/v1/cart", headers=buyer).json()["groups"] == []
    session.expire_all()
    assert session.exec(select(Listing.stock).where(Listing.id == honey.id)).one() == 3
