"""Checkout holds up against what people and scripts do: a listing no longer for sale is named only to
whom saw it in the cart, one cart checked out twice at once places one order, and an institution's
members see what a colleague bought for it (not what she bought for herself)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from market.config import Settings
from market.db import transaction
from market.errors import CartEmpty
from market.linking.models import BuyerMembership, BuyerOrganization
from market.orders import cart as carts
from market.orders.models import Order
from market.organizations.models import VerificationStatus
from tests.helpers import INSTITUTION, api_token, at_once, database_state, log_in
from tests.pages import one, text_of


def test_a_listing_not_for_sale_is_the_404_of_an_unknown_id_unless_it_is_in_the_cart(
    client: TestClient, engine: Engine, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    org = make_org(make_user("cafe@example.mx"))
    draft = make_listing(org, title="Borrador secreto", status="draft")
    paused_later = make_listing(org, title="Café de temporada")
    buyer = api_token(client, make_user("eva@example.mx").email)
    before = database_state(engine)

    def checkout(listing_id: int) -> Any:
        return client.post(
            "/api/v1/orders", headers=buyer, json={"items": [{"listing_id": listing_id, "quantity": 1}]}
        )

    unknown, secret = checkout(99_999), checkout(draft.id)
    assert (
        (secret.status_code, secret.json()) == (unknown.status_code, unknown.json()) == (404, secret.json())
    )
    put_unknown = client.put("/api/v1/cart/items/99999", headers=buyer, json={"quantity": 1})
    put_secret = client.put(f"/api/v1/cart/items/{draft.id}", headers=buyer, json={"quantity": 1})
    assert (put_secret.status_code, put_secret.json()) == (put_unknown.status_code, put_unknown.json())
    assert "Borrador secreto" not in secret.text + put_secret.text
    assert database_state(engine) == before

    client.put(f"/api/v1/cart/items/{paused_later.id}", headers=buyer, json={"quantity": 1})
    owner = api_token(client, "cafe@example.mx")
    client.post(f"/api/v1/listings/{paused_later.id}/status", headers=owner, json={"status": "paused"})
    seen = client.post("/api/v1/cart/checkout", headers=buyer, json={})
    assert seen.status_code == 404 and "«Café de temporada» ya no está a la venta" in seen.json()["detail"]


def test_one_cart_checked_out_twice_at_once_places_one_order(
    engine: Engine, session: Session, settings: Settings, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    listing = make_listing(make_org(make_user("cafe@example.mx")), stock=10)
    buyer = make_user("eva@example.mx")
    with transaction(engine) as tx:
        carts.set_quantity(tx, carts.ensure(tx, buyer, None), listing.id, 2)

    def check_out() -> str:
        try:
            with transaction(engine) as tx:
                carts.check_out(tx, settings, buyer, carts.ensure(tx, buyer, None), {})
            return "ordered"
        except CartEmpty as exc:
            return exc.detail

    assert at_once(check_out) == ["Tu carrito está vacío.", "ordered"]
    assert len(session.exec(select(Order)).all()) == 1


def test_a_colleague_sees_what_was_bought_for_the_institution_and_not_what_was_personal(
    client: TestClient, session: Session, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    listing = make_listing(make_org(make_user("cafe@example.mx")), stock=50)
    buyer, colleague = make_user("compras@escuela.mx"), make_user("direccion@escuela.mx")
    school = BuyerOrganization.model_validate(
        INSTITUTION | {"slug": "escuela", "verification_status": VerificationStatus.VERIFIED}
    )
    session.add(school)
    session.flush()
    assert school.id is not None
    for person in (buyer, colleague):
        session.add(BuyerMembership(user_id=person.id, buyer_organization_id=school.id))
    session.commit()
    headers = api_token(client, buyer.email)

    def buy(**choices: Any) -> int:
        client.put(f"/api/v1/cart/items/{listing.id}", headers=headers, json={"quantity": 1})
        response = client.post("/api/v1/cart/checkout", headers=headers, json=choices)
        assert response.status_code == 201, response.text
        return int(response.json()["id"])

    for_school = buy(payment_method="invoice")
    for_herself = buy(personal=True)

    seen = api_token(client, colleague.email)
    assert [o["id"] for o in client.get("/api/v1/orders", headers=seen).json()] == [for_school]
    assert client.get(f"/api/v1/orders/{for_herself}", headers=seen).status_code == 404
    session.expire_all()
    assert session.get(Order, for_school).buyer_organization_id == school.id  # type: ignore[union-attr]
    assert session.get(Order, for_herself).buyer_organization_id is None  # type: ignore[union-attr]
    colleague_pages = TestClient(client.app, follow_redirects=False)
    log_in(colleague_pages, colleague.email)
    assert colleague_pages.get(f"/pedidos/{for_school}").status_code == 200
    assert colleague_pages.get(f"/pedidos/{for_herself}").status_code == 404
    client.put(f"/api/v1/cart/items/{listing.id}", headers=headers, json={"quantity": 1})
    buyer_pages = TestClient(client.app, follow_redirects=False)
    log_in(buyer_pages, buyer.email)
    assert text_of(one(buyer_pages.get("/carrito"), "#para-institucion label")) == "Es una compra personal"
