"""Steps that are hard to undo, or easy to get wrong, ask or say first: cancelling a part asks before it
cancels; a quantity field stops at the minimum and at what is left, and says so; the payment instructions
copy in one tap each and print cleanly."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import expect

from market.catalog.models import Listing
from tests.helpers import api_token, csrf_of, log_in
from tests.pages import attr, elements, one, text_of, texts


def spei_order(client: TestClient, listing: Listing, quantity: int = 3) -> dict[str, Any]:
    order = client.post(
        "/api/v1/orders",
        headers=api_token(client, "lucia@example.mx"),
        json={"items": [{"listing_id": listing.id, "quantity": quantity}], "payment_method": "spei_transfer"},
    )
    assert order.status_code == 201, order.text
    return dict(order.json())


@pytest.fixture
def coffee(make_user: Any, make_org: Any, make_listing: Any) -> Listing:
    make_user("lucia@example.mx", name="Lucía Méndez")
    return make_listing(
        make_org(make_user("cafe@example.mx")), title="Café", price_cents=41_250, stock=5, minimum_order=2
    )


def test_cancelling_a_part_asks_first_and_says_what_happens(client: TestClient, coffee: Listing) -> None:
    order = spei_order(client, coffee)
    log_in(client, "lucia@example.mx")
    page = client.get(f"/pedidos/{order['id']}")
    step = one(page, "details.confirm-step")
    assert text_of(one(step, "summary")) == "Cancelar esta parte"
    assert texts(step, "p") == [
        "¿Cancelar lo que pediste a Cooperativa Flor de Café?"
        " Sus productos quedan libres para otras personas."
    ]
    assert texts(step, "form button") == ["Sí, cancelar esta parte"]  # the only way to cancel is inside


def test_quantity_fields_stop_at_the_minimum_and_what_is_left_and_say_so(
    client: TestClient, coffee: Listing
) -> None:
    page = client.get(f"/productos/{coffee.id}/{coffee.slug}")
    field = one(page, "#quantity")
    assert (attr(field, "min"), attr(field, "max")) == ("2", "5")
    assert attr(field, "aria-describedby") == "h-quantity"
    assert text_of(one(page, "#h-quantity")) == "Mínimo 2 kg · quedan 5 kg"
    token = csrf_of(client, f"/productos/{coffee.id}/{coffee.slug}")
    client.post("/carrito/agregar", data={"listing_id": coffee.id, "quantity": 2, "csrf_token": token})
    cart = client.get("/carrito")
    line = one(cart, f"#q-{coffee.id}")
    assert attr(line, "max") == "5"
    assert text_of(one(cart, f"#h-q-{coffee.id}")) == "Mínimo 2 kg · quedan 5 kg · 0 lo quita"


def test_the_transfer_instructions_copy_each_value(client: TestClient, coffee: Listing) -> None:
    order = spei_order(client, coffee)  # 3 × $412.50
    log_in(client, "lucia@example.mx")
    page = client.get(f"/pedidos/{order['id']}")
    copies = {attr(b, "data-copy"): b for b in elements(page, "button[data-copy]")}
    assert set(copies) == {"clabe", "importe", "referencia"}
    assert text_of(one(page, "#importe")) == "$1,237.50"
    assert attr(copies["importe"], "data-copy-value") == "1237.50"  # what a bank's app takes
    assert len(text_of(one(page, "#clabe"))) == 18
    assert texts(page, "button[data-print]") == ["Imprimir estas instrucciones"]


@pytest.mark.browser
def test_a_buyer_copies_the_reference_prints_and_cancels_only_when_sure(
    client: TestClient, coffee: Listing, sign_in: Any, live_server: str
) -> None:
    order = spei_order(client, coffee)
    page = sign_in("lucia@example.mx")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    page.goto(f"{live_server}/pedidos/{order['id']}")
    page.get_by_role("button", name="Copiar Referencia").click()
    expect(page.get_by_role("button", name="Copiar Referencia")).to_have_text("Copiado")
    assert page.evaluate("navigator.clipboard.readText()") == page.locator("#referencia").inner_text()
    page.emulate_media(media="print")  # the instructions, without the site's header nor any button
    expect(page.locator("#clabe")).to_be_visible()
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.get_by_role("button", name="Copiar Referencia")).to_be_hidden()
    page.emulate_media(media="screen")

    expect(page.get_by_role("button", name="Sí, cancelar esta parte")).to_be_hidden()
    page.get_by_text("Cancelar esta parte", exact=True).click()
    page.get_by_role("button", name="Sí, cancelar esta parte").click()
    expect(page.get_by_text("Cancelado", exact=True).first).to_be_visible()
    assert (
        client.get(f"/api/v1/orders/{order['id']}", headers=api_token(client, "lucia@example.mx")).json()[
            "fulfillments"
        ][0]["status"]
        == "cancelled"
    )


def test_a_step_that_is_no_step_is_refused_without_being_named_back(
    client: TestClient, coffee: Listing
) -> None:
    order = spei_order(client, coffee)
    log_in(client, "lucia@example.mx")
    path = f"/pedidos/{order['id']}"
    made_up = "Tu pago fue rechazado, deposita a la CLABE 012345678901234567"
    sent = client.post(
        f"{path}/partes/{order['fulfillments'][0]['id']}",
        data={"status": made_up, "csrf_token": csrf_of(client, path)},
    )
    assert sent.status_code == 303
    assert len(sent.headers.get("set-cookie", "")) < 4096
    page = client.get(path)
    assert made_up not in text_of(page)
    assert text_of(one(page, "#order-status")).startswith("Esperando pago")
