"""The buyer's e-mails for Stripe's ways to pay, delivered over a real SMTP server: the order says where to
pay; the OXXO voucher (or the CLABE of a Stripe SPEI transfer) comes by e-mail once Stripe has made it, once
however often the news arrives; the payment then reaches the producer as a new order."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from market.config import Settings
from market.mail.delivery import deliver_due
from market.mail.render import when
from tests.fixtures.smtp import SmtpServer
from tests.payments.stripe.conftest import deliver, event, intent, open_payment_page, order_by_card, settle
from tests.payments.stripe.test_events import OXXO_ACTION, SPEI_ACTION

BUYER = "ana@example.mx"


@pytest.fixture
def shop(make_user: Any, make_org: Any, make_listing: Any) -> dict[str, Any]:
    owner = make_user("miel@example.mx")
    organization = make_org(owner, name="Meliponicultoras de Maní", state="31")
    return {
        "buyer": make_user(BUYER),
        "organization": organization,
        "honey": make_listing(
            organization, title="Miel melipona", category="miel", price_cents=25000, stock=4
        ),
    }


def test_the_oxxo_voucher_is_e_mailed_once_it_exists_and_the_payment_reaches_the_producer(
    app: FastAPI,
    client: TestClient,
    engine: Engine,
    session: Session,
    settings: Settings,
    smtp_server: SmtpServer,
    smtp_settings: Settings,
    shop: dict[str, Any],
) -> None:
    order = order_by_card(session, settings, shop["buyer"], shop["honey"], 2, "oxxo")
    deliver_due(engine, smtp_settings)
    [placed] = smtp_server.to(BUYER)
    assert placed.message["Subject"] == f"Pedido {order.id}: recibimos tu pedido"
    pay_page = f"{smtp_settings.base_url}/pedidos/{order.id}/pago"
    assert (
        "cualquier tienda OXXO con una ficha de pago por $500.00" in placed.text and pay_page in placed.text
    )
    assert f'href="{pay_page}"' in placed.html
    assert smtp_settings.platform_clabe not in placed.text

    payment = open_payment_page(client, session, order, BUYER)
    voucher = event(
        "payment_intent.requires_action", intent(payment, "requires_action", next_action=OXXO_ACTION)
    )
    deliver(client, voucher)
    settle(app)
    deliver_due(engine, smtp_settings)
    [sent] = smtp_server.to(BUYER)[1:]
    assert sent.message["Subject"] == f"Pedido {order.id}: tu ficha OXXO para pagar"
    expires = when(datetime.fromtimestamp(OXXO_ACTION["oxxo_display_details"]["expires_after"], UTC))  # type: ignore[index]
    for part in (sent.text, sent.html):
        assert "12345678901234657890123456789012" in part
        assert "$500.00" in part and expires in part
        assert "https://payments.stripe.com/oxxo/voucher/test_YWNjdF8xTjJ" in part
    assert f"{smtp_settings.base_url}/pedidos/{order.id}" in sent.text

    # The same news again (Stripe retries with a new event id; the buyer's return page asks too): no copy.
    deliver(client, event("payment_intent.requires_action", voucher["data"]["object"]))
    settle(app)
    assert deliver_due(engine, smtp_settings) == 0

    deliver(client, event("payment_intent.succeeded", intent(payment, "succeeded")))
    settle(app)
    deliver_due(engine, smtp_settings)
    [new_order] = smtp_server.to("miel@example.mx")
    assert new_order.message["Subject"] == f"Pedido {order.id}: tienes un pedido nuevo por aceptar"
    assert "Ya está pagado" in new_order.text and "Miel melipona" in new_order.text
    [paid] = smtp_server.to(BUYER)[2:]
    assert "Pago recibido." in paid.text


def test_a_stripe_spei_transfer_e_mails_its_own_clabe(
    app: FastAPI,
    client: TestClient,
    engine: Engine,
    session: Session,
    settings: Settings,
    smtp_server: SmtpServer,
    smtp_settings: Settings,
    shop: dict[str, Any],
) -> None:
    order = order_by_card(session, settings, shop["buyer"], shop["honey"], 2, "spei")
    payment = open_payment_page(client, session, order, BUYER)
    deliver(
        client,
        event("payment_intent.requires_action", intent(payment, "requires_action", next_action=SPEI_ACTION)),
    )
    settle(app)
    deliver_due(engine, smtp_settings)
    placed, instructions = smtp_server.to(BUYER)
    assert "CLABE única para tu pedido" in placed.text
    assert instructions.message["Subject"] == f"Pedido {order.id}: la CLABE para pagar tu pedido"
    for part in (instructions.text, instructions.html):
        assert "002180650612345670" in part and "7843219" in part and "BANAMEX" in part and "$500.00" in part


def test_a_card_order_says_the_payment_is_being_confirmed(
    engine: Engine,
    session: Session,
    settings: Settings,
    smtp_server: SmtpServer,
    smtp_settings: Settings,
    shop: dict[str, Any],
) -> None:
    order = order_by_card(session, settings, shop["buyer"], shop["honey"], 1)
    deliver_due(engine, smtp_settings)
    [placed] = smtp_server.to(BUYER)
    assert "Pagas con tarjeta en la página de pago." in placed.text
    assert "estamos confirmando tu pago" in placed.text
    assert "Miel melipona" in placed.text and "$250.00" in placed.text
    assert f"{smtp_settings.base_url}/pedidos/{order.id}/pago" in placed.text
