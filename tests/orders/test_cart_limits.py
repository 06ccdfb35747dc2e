"""The cart refuses a quantity under the listing's minimum order or over its stock when it is set, not only
at checkout: on the JSON API, on the pages without JavaScript and in place with htmx. The refusal names the
limit next to the quantity, and nothing is written."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import expect
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from market.catalog.models import Listing
from market.orders.models import CartItem
from tests.helpers import api_token, csrf_of, database_state, log_in
from tests.orders.test_cart_pages import add, cart_is_empty
from tests.pages import (
    Htmx,
    attr,
    field_error,
    flash,
    flashes,
    heading,
    is_fragment,
    one,
    soup,
    table_row,
    text_of,
    value_of,
)

HTMX = {"HX-Request": "true"}


def jars(make_user: Any, make_org: Any, make_listing: Any, **overrides: Any) -> Listing:
    org = make_org(make_user("barro@example.mx"), name="Alfareras de Atzompa", state="20")
    fields = {"title": "Jarro de barro verde", "category": "artesanias", "unit": "pieza", "price_cents": 9000}
    return make_listing(org, **fields | {"minimum_order": 5, "stock": 50} | overrides)


# --- the JSON API -------------------------------------------------------------------------------------


def test_the_api_refuses_a_quantity_under_the_minimum_or_over_the_stock_and_writes_nothing(
    client: TestClient, engine: Engine, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    listing = jars(make_user, make_org, make_listing)
    buyer = api_token(client, make_user("compras@escuela.mx").email)
    item = f"/api/v1/cart/items/{listing.id}"
    before = database_state(engine)

    too_few = client.put(item, headers=buyer, json={"quantity": 4})
    too_many = client.put(item, headers=buyer | {"Accept-Language": "en"}, json={"quantity": 51})

    assert (too_few.status_code, too_few.json()["fields"]) == (
        422,
        {"quantity": "El pedido mínimo es de 5 piezas."},
    )
    assert (too_many.status_code, too_many.json()["fields"]) == (422, {"quantity": "Only 50 pieces left."})
    assert database_state(engine) == before  # not even an empty cart

    assert client.put(item, headers=buyer, json={"quantity": 50}).status_code == 200
    held = database_state(engine)
    lowered = client.put(item, headers=buyer, json={"quantity": 1})
    assert lowered.json()["fields"] == {"quantity": "El pedido mínimo es de 5 piezas."}
    assert database_state(engine) == held  # the line keeps its 50
    assert client.put(item, headers=buyer, json={"quantity": 0}).status_code == 200  # 0 takes it out


def test_a_listing_made_to_order_takes_any_quantity_from_its_minimum(
    client: TestClient, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    listing = jars(make_user, make_org, make_listing, stock=None)
    buyer = api_token(client, make_user("compras@escuela.mx").email)
    response = client.put(f"/api/v1/cart/items/{listing.id}", headers=buyer, json={"quantity": 100_000})
    assert response.status_code == 200 and response.json()["groups"][0]["lines"][0]["quantity"] == 100_000


# --- the pages, without JavaScript --------------------------------------------------------------------


def post_add(client: TestClient, listing: Listing, quantity: str, **headers: str) -> Any:
    token = csrf_of(client, f"/productos/{listing.id}/{listing.slug}")
    form = {"listing_id": str(listing.id), "quantity": quantity, "csrf_token": token}
    return client.post("/carrito/agregar", data=form, headers=headers)


def test_adding_under_the_minimum_shows_the_limit_next_to_the_quantity_and_keeps_nothing(
    client: TestClient, engine: Engine, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    listing = jars(make_user, make_org, make_listing)
    csrf_of(client, f"/productos/{listing.id}/{listing.slug}")  # the visitor's session exists
    before = database_state(engine)

    response = post_add(client, listing, "2")

    assert response.status_code == 422
    page = soup(response)
    assert heading(page) == "Jarro de barro verde"  # back on the listing's page, with what was typed
    # The error, and the limits the field always states.
    assert attr(one(page, "#agregar [name=quantity]"), "aria-describedby") == "h-quantity e-quantity"
    assert value_of(page, "quantity") == "2"
    assert field_error(page, "quantity") == "El pedido mínimo es de 5 piezas."
    assert database_state(engine) == before
    assert cart_is_empty(client.get("/carrito"))


def test_adding_nothing_is_refused_with_the_minimum_order(
    client: TestClient, engine: Engine, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    listing = jars(make_user, make_org, make_listing)
    csrf_of(client, f"/productos/{listing.id}/{listing.slug}")
    before = database_state(engine)

    response = post_add(client, listing, "0")

    assert response.status_code == 422
    assert field_error(response, "quantity") == "El pedido mínimo es de 5 piezas."
    assert flashes(response) == [] and "Agregamos" not in text_of(response)
    assert database_state(engine) == before


def test_adding_past_the_stock_counts_what_is_already_in_the_cart(
    client: TestClient, engine: Engine, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    listing = jars(make_user, make_org, make_listing)
    add(client, listing, 45)
    before = database_state(engine)

    response = post_add(client, listing, "10")

    assert response.status_code == 422
    assert field_error(response, "quantity") == "Solo quedan 50 piezas y ya tienes 45 piezas en tu carrito."
    assert database_state(engine) == before


def test_changing_a_line_past_the_stock_shows_the_limit_next_to_the_line_and_keeps_nothing(
    client: TestClient, engine: Engine, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    listing = jars(make_user, make_org, make_listing, stock=6)
    add(client, listing, 5)
    client.cookies.set("lang", "en")
    before = database_state(engine)

    response = client.post(
        f"/carrito/{listing.id}", data={"quantity": "9", "csrf_token": csrf_of(client, "/carrito")}
    )

    assert response.status_code == 422
    page = soup(response)
    assert field_error(page, f"q-{listing.id}") == "Only 6 pieces left."
    assert attr(one(page, f"#q-{listing.id}"), "aria-describedby") == f"h-q-{listing.id} e-q-{listing.id}"
    assert value_of(page, "quantity") == "9"  # what was typed, to correct it
    assert flashes(page) == []  # next to the line, not again at the top
    assert text_of(page).count("Only 6 pieces left.") == 1
    assert database_state(engine) == before

    lowered = client.post(
        f"/carrito/{listing.id}", data={"quantity": "4", "csrf_token": csrf_of(client, "/carrito")}
    )
    assert lowered.status_code == 422
    assert field_error(lowered, f"q-{listing.id}") == "The minimum order is 5 pieces."
    assert database_state(engine) == before


# --- the pages, with and without htmx -----------------------------------------------------------------


def test_adding_says_why_not_next_to_the_quantity_or_adds_in_place(
    client: TestClient,
    engine: Engine,
    session: Session,
    make_user: Any,
    make_org: Any,
    make_listing: Any,
    htmx: Htmx,
) -> None:
    listing = jars(make_user, make_org, make_listing)
    csrf_of(client, f"/productos/{listing.id}/{listing.slug}")
    before = database_state(engine)

    refused = post_add(client, listing, "51", **htmx.headers)

    if htmx:  # htmx swaps only a success: the form comes back with the reason
        assert refused.status_code == 200 and is_fragment(refused)
        form = soup(refused)
    else:  # the listing's page, with the reason
        assert refused.status_code == 422 and heading(refused) == "Jarro de barro verde"
        form = one(refused, "form#agregar")
    assert field_error(form, "quantity") == "Solo quedan 50 piezas." and value_of(form, "quantity") == "51"
    assert database_state(engine) == before

    added = post_add(client, listing, "5", **htmx.headers)
    notice = "Agregamos 5 piezas de «Jarro de barro verde» a tu carrito."
    if htmx:
        assert added.status_code == 200 and is_fragment(added)
        assert text_of(one(added, "form#agregar [role=status]")) == f"{notice} Ver tu carrito"
        cart = client.get("/carrito")
    else:
        assert htmx.went_to(added) == "/carrito"
        cart = client.get("/carrito")
        assert flash(cart, "success") == notice
    assert table_row(cart, "Jarro de barro verde")[0] == "Jarro de barro verde"
    assert value_of(cart, "quantity") == "5"
    assert session.exec(select(CartItem.listing_id, CartItem.quantity)).all() == [(listing.id, 5)]


def test_changing_a_line_says_why_not_next_to_it_or_changes_it(
    client: TestClient,
    engine: Engine,
    session: Session,
    make_user: Any,
    make_org: Any,
    make_listing: Any,
    htmx: Htmx,
) -> None:
    listing = jars(make_user, make_org, make_listing)
    make_user("eva@example.mx")
    log_in(client, "eva@example.mx")
    add(client, listing, 5)
    before = database_state(engine)
    token = csrf_of(client, "/carrito")
    line = f"/carrito/{listing.id}"

    refused = client.post(line, data={"quantity": "3", "csrf_token": token}, headers=htmx.headers)

    if htmx:  # htmx swaps only a success: the lines come back with the reason
        assert refused.status_code == 200 and is_fragment(refused)
        assert [child.name for child in soup(refused).find_all(recursive=False)] == ["div"]
        lines = one(refused, "div#carrito-lineas")
    else:
        assert refused.status_code == 422
        lines = one(refused, "#carrito-lineas")
    assert field_error(lines, f"q-{listing.id}") == "El pedido mínimo es de 5 piezas."
    assert value_of(lines, "quantity") == "3"
    assert database_state(engine) == before

    changed = client.post(line, data={"quantity": "7", "csrf_token": token}, headers=htmx.headers)
    if htmx:
        assert changed.status_code == 200 and is_fragment(changed)
        lines = one(changed, "#carrito-lineas")
    else:
        assert htmx.went_to(changed) == "/carrito"
        lines = one(client.get("/carrito"), "#carrito-lineas")
    assert value_of(lines, "quantity") == "7" and table_row(lines, "Jarro de barro verde")[3] == "$630.00"
    session.expire_all()
    assert session.exec(select(CartItem.quantity)).all() == [7]
    emptied = client.post(line, data={"quantity": "0", "csrf_token": token}, headers=htmx.headers)
    assert htmx.went_to(emptied) == "/carrito"  # the last line went: the whole page changes
    assert cart_is_empty(client.get("/carrito"))
    assert session.exec(select(CartItem)).all() == []


# --- in a real browser --------------------------------------------------------------------------------


@pytest.mark.browser
def test_in_the_browser_a_refused_quantity_shows_next_to_its_line_and_the_choices_stay(
    browser: Any, live_server: str, session: Session, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    listing = jars(make_user, make_org, make_listing, stock=6, national_shipping=True)
    page = browser.new_context(locale="es-MX").new_page()
    page.goto(f"{live_server}/productos/{listing.id}/{listing.slug}")
    page.get_by_role("button", name="Agregar al carrito").click()  # the minimum order, 5
    expect(page.get_by_role("status")).to_contain_text("Agregamos 5 piezas de «Jarro de barro verde»")
    page.get_by_role("link", name="Ver tu carrito").click()

    page.get_by_role("combobox", name="Entrega").select_option("national")
    expect(page.locator(f"#h-q-{listing.id}")).to_have_text("Mínimo 5 piezas · quedan 6 piezas · 0 lo quita")
    page.get_by_label("Cantidad").fill("9")  # more than the field allows: the browser keeps it here
    page.get_by_role("button", name="Cambiar").click()
    assert page.get_by_label("Cantidad").evaluate("field => field.validity.rangeOverflow")

    listing.stock = 5  # meanwhile another buyer took one: the page still says 6
    session.add(listing)
    session.commit()
    page.get_by_label("Cantidad").fill("6")
    page.get_by_role("button", name="Cambiar").click()
    expect(page.get_by_role("alert")).to_have_text("Solo quedan 5 piezas.")
    expect(page.get_by_label("Cantidad")).to_have_value("6")
    expect(page.get_by_label("Cantidad")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("combobox", name="Entrega")).to_have_value("national")
    page.get_by_label("Cantidad").fill("5")
    page.get_by_role("button", name="Cambiar").click()
    expect(page.get_by_role("alert")).to_have_count(0)
    expect(page.locator("#carrito-lineas")).to_contain_text("$450.00")
    expect(page.get_by_role("combobox", name="Entrega")).to_have_value("national")
