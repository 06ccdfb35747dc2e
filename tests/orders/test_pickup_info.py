"""Where and when to pick up, and what delivery costs, before and after buying: the listing says how each
way of receiving it works and what it costs, the cart says where and when to pick up, and the order (its
page and its e-mail) gives the exact place, the hours and a phone."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from market.organizations.models import Organization
from tests.helpers import api_token, csrf_of, emails_to, html_words, log_in
from tests.pages import field_error, one, text_of, texts

HOURS = "Lunes a viernes de 9:00 a 17:00"


def producer(make_user: Any, make_org: Any, **overrides: Any) -> Organization:
    return make_org(
        make_user("cafe@example.mx"),
        address="Barrio San Pedro s/n, junto a la escuela",
        phone="967 123 4567",
        pickup_hours=HOURS,
        delivery_fee_cents=6000,
        shipping_fee_cents=14900,
        **overrides,
    )


def test_a_listing_says_where_and_when_to_pick_up_and_what_delivery_costs(
    client: TestClient, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    org = producer(make_user, make_org)
    written = make_listing(
        org,
        pickup_address="Bodega de la cooperativa, km 3 carretera a Pantelhó",
        delivery_states=["07"],
        national_shipping=True,
    )
    page = client.get(f"/productos/{written.id}/{written.slug}")
    ways = texts(page, ".delivery-ways > li")
    assert ways[0].startswith("Recoger con la organización · sin costo")
    assert "Bodega de la cooperativa, km 3 carretera a Pantelhó · Chenalhó, Chiapas" in ways[0]
    assert f"Horario: {HOURS}" in ways[0]
    assert ways[1] == "Entrega en: Chiapas · $60.00 por pedido"
    assert ways[2] == "Envío a todo México · $149.00 por pedido"
    # The organization's own address is not public: a listing without a pickup address says it comes later.
    unwritten = make_listing(org, title="Café verde")
    pickup = text_of(one(client.get(f"/productos/{unwritten.id}/{unwritten.slug}"), "#recoger"))
    assert "Barrio San Pedro" not in pickup
    assert "Chenalhó, Chiapas (la dirección exacta te llega con tu pedido)" in pickup


def test_hours_not_given_are_to_be_agreed(
    client: TestClient, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    listing = make_listing(make_org(make_user("cafe@example.mx")))
    pickup = text_of(one(client.get(f"/productos/{listing.id}/{listing.slug}"), "#recoger"))
    assert "Horario: acuérdalo con la organización" in pickup


def test_the_cart_says_where_and_when_to_pick_up(
    client: TestClient, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    listing = make_listing(producer(make_user, make_org), pickup_address="Bodega, km 3 carretera a Pantelhó")
    token = csrf_of(client, f"/productos/{listing.id}/{listing.slug}")
    client.post("/carrito/agregar", data={"listing_id": listing.id, "quantity": 2, "csrf_token": token})
    info = text_of(one(client.get("/carrito"), ".pickup-info"))
    assert info.startswith("Si recoges con Cooperativa Flor de Café:")
    assert "Bodega, km 3 carretera a Pantelhó · Chenalhó, Chiapas" in info
    assert f"Horario: {HOURS}" in info


def test_the_order_and_its_email_give_the_place_hours_and_phone(
    client: TestClient, session: Session, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    listing = make_listing(producer(make_user, make_org))  # no pickup address: the organization's
    make_user("lucia@example.mx")
    buyer = api_token(client, "lucia@example.mx")
    order = client.post(
        "/api/v1/orders",
        headers=buyer,
        json={"items": [{"listing_id": listing.id, "quantity": 1}], "payment_method": "cash_on_pickup"},
    )
    assert order.status_code == 201, order.text
    log_in(client, "lucia@example.mx")
    pickup = text_of(one(client.get(f"/pedidos/{order.json()['id']}"), ".pickup"))
    assert pickup == (
        "Dónde: Barrio San Pedro s/n, junto a la escuela · Chenalhó, Chiapas"
        f" Horario: {HOURS} Tel. 967 123 4567"
    )
    [placed] = [e for e in emails_to(session, "lucia@example.mx") if e["kind"] == "order_placed"]
    assert f"Horario: {HOURS}" in placed["body"]
    assert f"Horario: {HOURS}" in html_words(placed["html"])


def test_the_producer_writes_its_hours_once_and_a_long_text_is_refused(
    client: TestClient, session: Session, make_user: Any, make_org: Any
) -> None:
    org = make_org(make_user("cafe@example.mx"))
    log_in(client, "cafe@example.mx")
    path = f"/panel/o/{org.slug}/editar"
    form = {
        "csrf_token": csrf_of(client, path),
        "name": org.name,
        "legal_form": org.legal_form,
        "rfc": org.rfc,
        "state": org.state,
        "municipality": org.municipality,
        "members_count": "120",
        "women_members_count": "60",
        "delivery_fee": "0",
        "shipping_fee": "0",
    }
    refused = client.post(path, data=form | {"pickup_hours": "x" * 201})
    assert refused.status_code == 422
    assert field_error(refused, "pickup_hours") == "Escribe como máximo 200 caracteres."
    session.refresh(org)
    assert org.pickup_hours is None
    saved = client.post(path, data=form | {"pickup_hours": f"  {HOURS} "})
    assert saved.status_code == 303, saved.text
    session.refresh(org)
    assert org.pickup_hours == HOURS
    shown = client.get(f"/api/v1/organizations/{org.slug}").json()
    assert shown["pickup_hours"] == HOURS
