"""Until their e-mail is confirmed a person browses and fills a cart, but does not check out, quote, post
demand or register an organization or an institution: refused with `email_not_confirmed` (403) on the API,
with the notice and a new link on the pages, and nothing written."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from market.accounts.confirmation import confirm_by_address
from market.accounts.models import User
from market.linking.models import BuyerOrganization
from tests.helpers import (
    ORG_DEFAULTS,
    SCHOOL,
    add_to_institution,
    api_token,
    csrf_of,
    database_state,
    demand_fields,
    log_in,
    open_demand,
)
from tests.pages import Html, buttons, elements, flash, form_actions, main, one, text_of

REFUSED = "Confirma tu correo electrónico para hacer esto"


def asks_to_confirm_first(page: Html, message: str) -> bool:
    """In place of a form: the box that says why it is not there, with a button for a new link (not the
    notice atop every page)."""
    boxes = [box for box in elements(page, ".flash.warn:not(#confirmar-correo)") if message in text_of(box)]
    return len(boxes) == 1 and form_actions(boxes[0]) == ["/correo/reenviar"]


def refused_by_the_api(response: Any) -> bool:
    return response.status_code == 403 and response.json()["error"] == "email_not_confirmed"


@pytest.fixture
def listing(make_user: Any, make_org: Any, make_listing: Any) -> Any:
    return make_listing(make_org(make_user("productora@example.mx")))


@pytest.fixture
def eva(make_user: Any) -> Any:
    return make_user("eva@example.mx", name="Eva Martínez", confirmed=False)


def test_an_unconfirmed_person_fills_a_cart_but_does_not_check_out_by_the_api(
    client: TestClient, listing: Any, eva: Any, session: Session, engine: Engine
) -> None:
    headers = api_token(client, "eva@example.mx")
    cart = client.put(f"/api/v1/cart/items/{listing.id}", headers=headers, json={"quantity": 2})
    assert cart.status_code == 200 and cart.json()["groups"]
    before = database_state(engine)

    assert refused_by_the_api(client.post("/api/v1/cart/checkout", headers=headers, json={}))
    order = {"items": [{"listing_id": listing.id, "quantity": 1}]}
    refused = client.post("/api/v1/orders", headers=headers, json=order)
    assert refused_by_the_api(refused)
    assert refused.json()["detail"].startswith(REFUSED)
    assert database_state(engine) == before

    confirm_by_address(session, "eva@example.mx")
    session.commit()
    assert client.post("/api/v1/cart/checkout", headers=headers, json={}).status_code == 201


def test_an_unconfirmed_person_fills_a_cart_but_does_not_check_out_on_the_pages(
    client: TestClient, listing: Any, eva: Any, engine: Engine
) -> None:
    log_in(client, "eva@example.mx")
    added = client.post(
        "/carrito/agregar", data={"listing_id": listing.id, "csrf_token": csrf_of(client, "/carrito")}
    )
    assert added.status_code == 303
    cart = client.get("/carrito")
    assert listing.title in text_of(one(cart, "#carrito-lineas"))
    assert asks_to_confirm_first(cart, "Confirma tu correo para hacer el pedido; tu carrito te espera.")
    assert "Hacer el pedido" not in buttons(cart)
    before = database_state(engine)

    refused = client.post(
        "/carrito/pagar", data={"payment_method": "spei_transfer", "csrf_token": csrf_of(client, "/carrito")}
    )

    assert refused.status_code == 403
    assert flash(refused, "error").startswith(REFUSED)
    assert asks_to_confirm_first(refused, "Confirma tu correo para hacer el pedido")
    assert database_state(engine) == before


def test_an_unconfirmed_person_does_not_register_an_organization(
    client: TestClient, eva: Any, engine: Engine
) -> None:
    headers = api_token(client, "eva@example.mx")
    log_in(client, "eva@example.mx")
    before = database_state(engine)

    assert refused_by_the_api(client.post("/api/v1/organizations", headers=headers, json=ORG_DEFAULTS))
    page = client.get("/panel/organizaciones/nueva")
    assert page.status_code == 200
    assert asks_to_confirm_first(page, "Confirma tu correo para registrar una organización.")
    assert "/panel/organizaciones/nueva" not in form_actions(page)
    form = {k: str(v) for k, v in ORG_DEFAULTS.items()} | {"csrf_token": csrf_of(client, "/panel")}
    refused = client.post("/panel/organizaciones/nueva", data=form)
    assert refused.status_code == 403 and REFUSED in text_of(main(refused))
    assert database_state(engine) == before


def test_an_unconfirmed_person_does_not_register_an_institution(
    client: TestClient, eva: Any, engine: Engine
) -> None:
    headers = api_token(client, "eva@example.mx")
    log_in(client, "eva@example.mx")
    before = database_state(engine)

    assert refused_by_the_api(client.post("/api/v1/buyer-organizations", headers=headers, json=SCHOOL))
    page = client.get("/instituciones/nueva")
    assert asks_to_confirm_first(page, "Confirma tu correo para registrar una institución.")
    assert "/instituciones/nueva" not in form_actions(page)
    refused = client.post("/instituciones/nueva", data=SCHOOL | {"csrf_token": csrf_of(client, "/panel")})
    assert refused.status_code == 403 and REFUSED in text_of(main(refused))
    assert database_state(engine) == before


def test_an_unconfirmed_producer_does_not_quote(
    client: TestClient,
    session: Session,
    school: BuyerOrganization,
    school_buyer: User,
    make_org: Any,
    eva: Any,
    engine: Engine,
) -> None:
    organization = make_org(eva, state="20")
    demand = open_demand(session, school_buyer, school)
    headers = api_token(client, "eva@example.mx")
    log_in(client, "eva@example.mx")
    before = database_state(engine)

    quote = {"organization": organization.slug, "unit_price_cents": 30000, "quantity": 50}
    assert refused_by_the_api(client.post(f"/api/v1/demands/{demand.id}/quotes", headers=headers, json=quote))
    path = f"/demandas/{demand.id}"
    form = {"organizacion": organization.slug, "unit_price": "300.00", "quantity": "50"}
    refused = client.post(f"{path}/cotizar", data=form | {"csrf_token": csrf_of(client, path)})
    assert refused.status_code == 303
    assert flash(client.get(path), "error").startswith(REFUSED)
    assert database_state(engine) == before


def test_an_unconfirmed_member_of_an_institution_does_not_post_demand(
    client: TestClient,
    session: Session,
    school: BuyerOrganization,
    school_buyer: User,
    eva: Any,
    engine: Engine,
) -> None:
    add_to_institution(session, school, eva)
    session.commit()
    headers = api_token(client, "eva@example.mx")
    log_in(client, "eva@example.mx")
    before = database_state(engine)

    body = {k: str(v) if not isinstance(v, int) else v for k, v in demand_fields().items()}
    url = f"/api/v1/buyer-organizations/{school.id}/demands"
    assert refused_by_the_api(client.post(url, headers=headers, json=body))
    page = client.get(f"/instituciones/{school.id}/demandas/nueva")
    assert asks_to_confirm_first(page, "Confirma tu correo para publicar demandas de tu institución.")
    assert database_state(engine) == before


def test_an_unconfirmed_person_browses_everything_public(client: TestClient, listing: Any, eva: Any) -> None:
    log_in(client, "eva@example.mx")

    for path in ("/", "/catalogo", "/productores", f"/productos/{listing.id}/{listing.slug}", "/panel"):
        assert client.get(path).status_code == 200, path
