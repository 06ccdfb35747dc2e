"""The buyer's fiscal data in the pages: "¿Necesitas factura?" at checkout (filled with what the buyer gave
last time), "Solicitar factura" on the order while the month lasts (wrong data beside its field, nothing
kept), what the order says once it is given or the month is over, and the line about it in the e-mail."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from market.config import Settings
from market.db import transaction
from market.invoicing.models import OrderReceiver, PublicSale
from market.invoicing.receiver_data import FiscalData
from market.orders.models import Order
from tests.helpers import count, csrf_of, emails_to, signed_in
from tests.invoicing.shop import buy
from tests.invoicing.test_receivers import PERSON, pay_by_transfer
from tests.orders.test_cart_pages import add
from tests.pages import field_error, flash, maybe, one, soup, text_of, value_of


def fiscal_form(data: dict[str, str], prefix: str = "") -> dict[str, str]:
    return {prefix + name: value for name, value in data.items()}


def test_checkout_asks_whether_an_invoice_is_needed_and_refuses_wrong_data_beside_its_field(
    app: FastAPI,
    session: Session,
    settings: Settings,
    shop: dict[str, Any],
) -> None:
    client = signed_in(app, "luis@example.mx")
    add(client, shop["cafe"]["listing"], 5)
    cart = soup(client.get("/carrito"))
    section = one(cart, "details#factura")
    assert text_of(one(section, "summary")) == "¿Necesitas factura?"
    assert value_of(cart, "fiscal.uso_cfdi") == "G03" and value_of(cart, "fiscal.rfc") == ""

    token = csrf_of(client, "/carrito")
    wrong = fiscal_form(PERSON | {"regimen_fiscal": "601"}, "fiscal.")
    response = client.post(
        "/carrito/pagar",
        data={"payment_method": "spei_transfer", "invoice": "1", "csrf_token": token} | wrong,
    )
    assert response.status_code == 422
    assert field_error(response, "fiscal.regimen_fiscal") == (
        "El régimen 601 es de personas morales y el RFC de 13 caracteres es de una persona física."
    )
    assert value_of(response, "fiscal.razon_social") == PERSON["razon_social"]  # what was typed stays
    assert "open" in one(response, "details#factura").attrs
    assert count(session, Order) == count(session, OrderReceiver) == 0

    response = client.post(
        "/carrito/pagar",
        data={"payment_method": "spei_transfer", "invoice": "1", "csrf_token": token}
        | fiscal_form(PERSON, "fiscal."),
    )
    assert response.status_code == 303, response.text
    [given] = session.exec(select(OrderReceiver)).all()
    assert (given.rfc, given.razon_social) == (PERSON["rfc"], "EMILIANO GÓMEZ DÍAZ")

    add(client, shop["cafe"]["listing"], 5)  # the next purchase: filled with what was given
    cart = soup(client.get("/carrito"))
    assert value_of(cart, "fiscal.rfc") == PERSON["rfc"]
    assert value_of(cart, "fiscal.regimen_fiscal") == "612"
    assert value_of(cart, "fiscal.razon_social") == "EMILIANO GÓMEZ DÍAZ"
    assert "open" not in one(cart, "details#factura").attrs  # asked for again only if ticked


def test_the_order_offers_the_invoice_within_the_month_and_then_says_who_it_is_issued_to(
    app: FastAPI,
    engine: Engine,
    session: Session,
    settings: Settings,
    shop: dict[str, Any],
    make_user: Any,
) -> None:
    order = buy(session, settings, shop, shop["consumer"])
    pay_by_transfer(engine, order, make_user)
    client = signed_in(app, "luis@example.mx")
    page = soup(client.get(f"/pedidos/{order.id}"))
    assert "factura global de cada productor" in text_of(one(page, "#factura-global"))
    form = one(page, f"form[action='/pedidos/{order.id}/factura']")
    assert text_of(one(form, "button")) == "Solicitar factura"

    token = csrf_of(client, f"/pedidos/{order.id}")
    response = client.post(
        f"/pedidos/{order.id}/factura",
        data=fiscal_form(PERSON | {"rfc": "XAXX010101000"}) | {"csrf_token": token},
    )
    assert response.status_code == 422
    assert "es el RFC genérico de público en general" in (field_error(response, "rfc") or "")
    assert value_of(response, "razon_social") == PERSON["razon_social"]
    assert count(session, OrderReceiver) == 0 and count(session, PublicSale) == 2

    response = client.post(f"/pedidos/{order.id}/factura", data=fiscal_form(PERSON) | {"csrf_token": token})
    assert response.status_code == 303
    page = soup(client.get(response.headers["location"]))
    assert "cada organización te enviará su factura" in flash(page)
    receiver = text_of(one(page, "#factura-receptor"))
    assert PERSON["rfc"] in receiver and "EMILIANO GÓMEZ DÍAZ" in receiver
    assert maybe(page, f"form[action='/pedidos/{order.id}/factura']") is None
    assert count(session, PublicSale) == 0  # each part got its ingreso instead
    assert "Por timbrar" in text_of(page.select(".invoice")[0])  # each part's ingreso, as the order shows it

    again = client.post(f"/pedidos/{order.id}/factura", data=fiscal_form(PERSON) | {"csrf_token": token})
    assert again.status_code == 303
    assert "no se pueden cambiar aquí" in flash(client.get(again.headers["location"]), "error")


def test_once_the_month_is_over_the_order_says_the_sale_is_in_the_global_invoice(
    app: FastAPI,
    engine: Engine,
    session: Session,
    settings: Settings,
    shop: dict[str, Any],
    make_user: Any,
) -> None:
    order = buy(session, settings, shop, shop["consumer"])
    pay_by_transfer(engine, order, make_user)
    with transaction(engine) as tx:
        for sale in tx.exec(select(PublicSale)):
            sale.period = "2020-01"
            tx.add(sale)
    page = soup(signed_in(app, "luis@example.mx").get(f"/pedidos/{order.id}"))
    assert "El mes en que pagaste este pedido ya terminó" in text_of(one(page, "#factura-cerrada"))
    assert maybe(page, f"form[action='/pedidos/{order.id}/factura']") is None


def test_an_institutions_order_and_its_producers_see_no_such_form(
    app: FastAPI,
    session: Session,
    settings: Settings,
    shop: dict[str, Any],
) -> None:
    institutional = buy(session, settings, shop, shop["school"], payment_method="invoice")
    assert (
        maybe(soup(signed_in(app, "compras@escuela.mx").get(f"/pedidos/{institutional.id}")), "#factura")
        is None
    )
    personal = buy(session, settings, shop, shop["consumer"], fiscal=FiscalData(**PERSON))
    producer = signed_in(app, "cafe@example.mx")
    assert maybe(soup(producer.get(f"/pedidos/{personal.id}")), "#factura") is None
    token = csrf_of(producer, f"/pedidos/{personal.id}")
    response = producer.post(
        f"/pedidos/{personal.id}/factura",
        data=fiscal_form(PERSON | {"rfc": "EKU9003173C9"}) | {"csrf_token": token},
    )
    assert response.status_code == 404
    assert [r.rfc for r in session.exec(select(OrderReceiver))] == [PERSON["rfc"]]


def test_the_order_email_tells_a_person_how_to_ask_for_an_invoice(
    client: TestClient,
    session: Session,
    settings: Settings,
    shop: dict[str, Any],
) -> None:
    order = buy(session, settings, shop, shop["consumer"])
    [placed] = [e for e in emails_to(session, "luis@example.mx") if e["kind"] == "order_placed"]
    assert "¿Necesitas factura a tu nombre?" in placed["body"]
    assert f"/pedidos/{order.id}#factura" in placed["body"]
    assert f'/pedidos/{order.id}#factura"' in placed["html"]
    buy(session, settings, shop, shop["school"], payment_method="invoice")
    [school] = [e for e in emails_to(session, "compras@escuela.mx") if e["kind"] == "order_placed"]
    assert "factura a tu nombre" not in school["body"] + school["html"]
