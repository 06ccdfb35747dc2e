"""The way back to where a visitor was (their cart) survives log-in, registration and the confirmation
e-mail's link, one hop at a time; only someone who represents a producer organization is steered to
register it; and no hop follows a `next` that is not a path of this site."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from market.accounts.models import AccountToken, User
from market.catalog.models import Listing
from market.db import utcnow
from tests.accounts.test_email_confirmation import secret_of
from tests.fixtures.factories import MakeListing
from tests.helpers import PASSWORD, account_emails, count, csrf_of, database_state, log_in
from tests.pages import flash, href_of, maybe, one, soup, table_rows, texts, value_of

REGISTER = "/api/v1/auth/register"
# Another site, however it is written: browsers read the last two as "//evil.example".
EVIL = ["https://evil.example/", "//evil.example", "javascript:alert(1)", "/\\evil.example", "/\t/evil.ex"]


def add_to_cart(client: TestClient, listing: Listing, quantity: int = 2) -> None:
    token = csrf_of(client, f"/productos/{listing.id}/{listing.slug}")
    response = client.post(
        "/carrito/agregar", data={"listing_id": listing.id, "quantity": quantity, "csrf_token": token}
    )
    assert response.status_code == 303


def register(client: TestClient, next: str | None = None, **fields: str) -> Any:
    """Send the registration form as the page has it (its hidden `next`, when it has one)."""
    path = "/registro" + (f"?next={next}" if next else "")
    form = {"name": "Eva Martínez", "email": "eva@example.mx", "password": PASSWORD, "locale": "es_MX"}
    hidden = maybe(soup(client.get(path)), "form input[name='next']")
    if hidden is not None:
        form["next"] = str(hidden["value"])
    return client.post("/registro", data=form | fields | {"csrf_token": csrf_of(client, path)})


def cart_lines(client: TestClient) -> list[str]:
    return [row[0] for row in table_rows(client.get("/carrito"), "#carrito-lineas table")]


def minutes_later(engine: Engine) -> None:
    """The confirmation e-mails sent so far went out minutes ago: another may be asked for."""
    with engine.begin() as connection:
        connection.execute(update(AccountToken).values(created_at=utcnow() - timedelta(minutes=10)))


@pytest.fixture
def honey(make_user: Any, make_org: Any, make_listing: MakeListing) -> Listing:
    return make_listing(make_org(make_user("flor@example.mx")), title="Miel melipona", category="miel")


# --- each hop ------------------------------------------------------------------------------------------


def test_the_visitors_cart_leads_to_log_in_and_to_registration_with_the_way_back(
    client: TestClient, honey: Listing
) -> None:
    add_to_cart(client, honey)
    cart = client.get("/carrito")
    assert href_of(cart, "Entra para hacer el pedido") == "/entrar?next=/carrito"
    assert href_of(cart, "Crea una para hacer el pedido; tu carrito te espera.") == "/registro?next=/carrito"

    login = client.get("/entrar?next=/carrito")
    assert value_of(login, "next") == "/carrito"
    assert href_of(login, "Regístrate") == "/registro?next=/carrito"

    form = client.get("/registro?next=/carrito")
    assert value_of(form, "next") == "/carrito"
    assert value_of(form, "intent") == "buy"  # buying is the default
    assert texts(form, "#para-que label") == ["Quiero comprar", "Represento a una organización productora"]
    assert href_of(form, "Entra") == "/entrar?next=/carrito"


def test_a_way_back_with_a_query_keeps_it_on_every_hop(client: TestClient, app: FastAPI) -> None:
    search = "/buscar?q=miel&state=31"
    assert href_of(client.get("/entrar?next=%2Fbuscar%3Fq%3Dmiel%26state%3D31"), "Regístrate") == (
        "/registro?next=/buscar%3Fq%3Dmiel%26state%3D31"
    )
    registered = register(client, next="%2Fbuscar%3Fq%3Dmiel%26state%3D31")
    assert registered.headers["location"] == search
    [email] = account_emails(app)
    assert email["link"].endswith("?next=/buscar%3Fq%3Dmiel%26state%3D31")


def test_a_buyer_who_registers_from_the_cart_goes_back_to_it_with_its_contents(
    client: TestClient, app: FastAPI, honey: Listing
) -> None:
    add_to_cart(client, honey)

    registered = register(client, next="/carrito")

    assert registered.status_code == 303 and registered.headers["location"] == "/carrito"
    cart = client.get("/carrito")
    assert "abre su enlace para confirmar tu dirección y podrás hacer tu pedido" in flash(cart, "success")
    assert "Ahora registra tu organización" not in cart.text
    assert cart_lines(client) == ["Miel melipona"]  # the visitor's cart is now the person's
    assert "Confirma tu correo para hacer el pedido; tu carrito te espera." in one(cart, "main").text
    [email] = account_emails(app)
    assert email["link"] == f"/correo/confirmar/{secret_of(email)}?next=/carrito"


def test_the_confirmation_link_leads_back_to_the_cart(
    client: TestClient, app: FastAPI, honey: Listing
) -> None:
    add_to_cart(client, honey)
    client.get(register(client, next="/carrito").headers["location"])  # back on the cart, with its welcome
    [email] = account_emails(app)

    opened = client.get(email["link"])

    assert opened.status_code == 303 and opened.headers["location"] == "/carrito"
    cart = client.get("/carrito")
    assert flash(cart, "success").startswith("Confirmamos tu correo.")
    assert cart_lines(client) == ["Miel melipona"]
    assert "Hacer el pedido" in texts(cart, "button")  # confirmed: the order can be placed


def test_the_link_opened_in_another_browser_goes_through_log_in_back_to_the_cart(
    client: TestClient, app: FastAPI, honey: Listing
) -> None:
    add_to_cart(client, honey)
    register(client, next="/carrito")
    [email] = account_emails(app)
    phone = TestClient(app, follow_redirects=False)  # the mail app opens another browser

    opened = phone.get(email["link"])

    assert opened.headers["location"] == "/entrar?next=/carrito"
    assert value_of(phone.get(opened.headers["location"]), "next") == "/carrito"
    entered = phone.post(
        "/entrar",
        data={
            "email": "eva@example.mx",
            "password": PASSWORD,
            "next": "/carrito",
            "csrf_token": csrf_of(phone),
        },
    )
    assert entered.headers["location"] == "/carrito"
    assert cart_lines(phone) == ["Miel melipona"]  # the cart is the account's, in every browser


def test_a_buyer_who_registers_from_nowhere_goes_to_the_catalogue(client: TestClient, app: FastAPI) -> None:
    registered = register(client)

    assert registered.headers["location"] == "/catalogo"
    [email] = account_emails(app)
    assert email["link"].endswith("?next=/catalogo")


def test_only_a_producer_is_steered_to_register_their_organization(
    client: TestClient, app: FastAPI, honey: Listing
) -> None:
    add_to_cart(client, honey)

    registered = register(client, next="/carrito", intent="sell")

    assert registered.headers["location"] == "/panel"
    assert "después registra tu organización" in flash(client.get("/panel"), "success")
    [email] = account_emails(app)
    assert email["link"].endswith("?next=/panel/organizaciones/nueva")
    opened = client.get(email["link"])
    assert opened.headers["location"] == "/panel/organizaciones/nueva"
    form = client.get("/panel/organizaciones/nueva")
    assert flash(form, "success") == "Confirmamos tu correo. ¡Gracias! Ahora registra tu organización."


def test_an_unknown_intent_is_refused_beside_the_choice(client: TestClient, session: Session) -> None:
    refused = register(client, intent="vender-todo")

    assert refused.status_code == 422
    assert one(refused, "#para-que .error").get_text(strip=True) == (
        "Elige si quieres comprar o si representas a una organización productora."
    )
    assert count(session, User) == 0


def test_registration_errors_keep_the_way_back(client: TestClient) -> None:
    refused = register(client, next="/carrito", password="corta")

    assert refused.status_code == 422
    assert value_of(refused, "next") == "/carrito"
    assert value_of(refused, "intent") == "buy"


def test_a_new_confirmation_link_leads_back_to_the_page_it_was_asked_from(
    client: TestClient, app: FastAPI, make_user: Any, engine: Engine
) -> None:
    make_user("ana@example.mx", confirmed=False)
    account_emails(app)  # the registration's
    minutes_later(engine)
    log_in(client, "ana@example.mx")

    resent = client.post(
        "/correo/reenviar", data={"next": "/carrito", "csrf_token": csrf_of(client, "/carrito")}
    )

    assert resent.headers["location"] == "/carrito"
    [email] = account_emails(app)
    assert email["link"] == f"/correo/confirmar/{secret_of(email)}?next=/carrito"


# --- the API ---------------------------------------------------------------------------------------------


def test_the_api_says_where_to_go_and_the_link_leads_there(client: TestClient, app: FastAPI) -> None:
    buyer = client.post(
        REGISTER, json={"name": "Eva", "email": "eva@example.mx", "password": PASSWORD, "next": "/carrito"}
    )
    producer = client.post(
        REGISTER, json={"name": "Rosa", "email": "rosa@example.mx", "password": PASSWORD, "intent": "sell"}
    )
    shopper = client.post(REGISTER, json={"name": "Luz", "email": "luz@example.mx", "password": PASSWORD})

    assert buyer.status_code == 201 and buyer.json()["next"] == "/carrito"
    assert producer.json()["next"] == "/panel/organizaciones/nueva"
    assert shopper.json()["next"] == "/catalogo"
    links = {email["to"]: email["link"].partition("?")[2] for email in account_emails(app)}
    assert links == {
        "eva@example.mx": "next=/carrito",
        "rosa@example.mx": "next=/panel/organizaciones/nueva",
        "luz@example.mx": "next=/catalogo",
    }


# --- another site's address, everywhere ---------------------------------------------------------------


@pytest.mark.parametrize("evil", EVIL)
def test_the_pages_never_follow_a_next_off_this_site(
    client: TestClient, app: FastAPI, make_user: Any, evil: str
) -> None:
    login = client.get("/entrar", params={"next": evil})
    assert maybe(soup(login), "form input[name='next']") is None
    assert href_of(login, "Regístrate") == "/registro"
    assert maybe(soup(client.get("/registro", params={"next": evil})), "form input[name='next']") is None
    assert client.get("/idioma/en", params={"next": evil}).headers["location"] == "/"
    client.get("/idioma/es_MX")

    registered = client.post(
        "/registro",
        data={
            "name": "Eva",
            "email": "eva@example.mx",
            "password": PASSWORD,
            "next": evil,
            "csrf_token": csrf_of(client, "/registro"),
        },
    )
    assert registered.headers["location"] == "/catalogo"
    [email] = account_emails(app)
    assert email["link"].endswith("?next=/catalogo")

    # A link whose `next` was tampered with confirms, and leads to the person's panel.
    tampered = client.get(f"/correo/confirmar/{secret_of(email)}", params={"next": evil})
    assert tampered.headers["location"] == "/panel"
    client.post("/salir", data={"csrf_token": csrf_of(client, "/panel")})

    make_user("ana@example.mx")
    entered = client.post(
        "/entrar",
        data={"email": "ana@example.mx", "password": PASSWORD, "next": evil, "csrf_token": csrf_of(client)},
    )
    assert entered.headers["location"] == "/panel"
    assert client.get("/entrar", params={"next": evil}).headers["location"] == "/panel"  # already signed in


@pytest.mark.parametrize("evil", EVIL)
def test_a_new_link_asked_with_a_next_off_this_site_leads_nowhere_else(
    client: TestClient, app: FastAPI, make_user: Any, engine: Engine, evil: str
) -> None:
    make_user("ana@example.mx", confirmed=False)
    account_emails(app)  # the registration's
    minutes_later(engine)
    log_in(client, "ana@example.mx")

    resent = client.post("/correo/reenviar", data={"next": evil, "csrf_token": csrf_of(client, "/panel")})

    assert resent.headers["location"] == "/panel"
    [email] = account_emails(app)
    assert email["link"] == f"/correo/confirmar/{secret_of(email)}"  # it leads on nowhere


@pytest.mark.parametrize("evil", EVIL)
def test_the_api_refuses_a_next_off_this_site_and_writes_nothing(
    client: TestClient, engine: Engine, evil: str
) -> None:
    before = database_state(engine)

    response = client.post(
        REGISTER, json={"name": "Eva", "email": "eva@example.mx", "password": PASSWORD, "next": evil}
    )

    assert response.status_code == 422
    assert response.json()["fields"] == {"next": "Escribe una dirección de este sitio, que empiece con «/»."}
    assert database_state(engine) == before
