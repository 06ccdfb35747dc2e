"""Stripe Connect onboarding in a real Chromium: a producer's owner connects from its panel, sends its details
on the (stand-in) hosted onboarding, comes back to the return page, and once Stripe's signed account.updated
says payouts are enabled, the panel shows "Cobros activos" and opens the Express dashboard."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from playwright.sync_api import Page, expect
from sqlmodel import Session

from market.cli import server_config
from market.config import Settings
from market.organizations.models import Organization
from tests.fixtures.stripe_connect import ConnectStandIn
from tests.helpers import free_port, fresh
from tests.payments.stripe.conftest import WEBHOOK_SECRET, settle

pytestmark = pytest.mark.browser


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def settings(settings: Settings, stripe_connect: ConnectStandIn, port: int) -> Settings:
    """Stripe is the Connect stand-in (before localstripe), which sends its signed events to the live server;
    the app's absolute links (Stripe's return and refresh pages) name the live server."""
    site = f"http://127.0.0.1:{port}"
    stripe_connect.webhook_url, stripe_connect.webhook_secret = f"{site}/webhooks/stripe", WEBHOOK_SECRET
    return settings.model_copy(
        update={
            "stripe_secret_key": "sk_test_tianguis",
            "stripe_publishable_key": "pk_test_tianguis",
            "stripe_webhook_secret": WEBHOOK_SECRET,
            "stripe_api_base": stripe_connect.url,
            "stripe_charge_transfer_group": False,
            "base_url": site,
        }
    )


@pytest.fixture
def live_server(app: FastAPI, settings: Settings, port: int) -> Iterator[str]:
    """The app served as `market serve` serves it, on the port its base_url names."""
    server = uvicorn.Server(server_config(app, settings, "127.0.0.1", port))
    server.config.log_level = "warning"
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


def watch_csp(page: Page, refused: list[str]) -> Page:
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    return page


def test_a_producer_connects_stripe_and_gets_card_payouts(
    app: FastAPI,
    sign_in: Any,
    live_server: str,
    session: Session,
    stripe_connect: ConnectStandIn,
    make_user: Any,
    make_org: Any,
) -> None:
    owner = make_user("miel@example.mx", name="Juana Canul")
    org = make_org(owner, name="Miel Maya de Hopelchén", state="04")
    refused: list[str] = []
    producer = watch_csp(sign_in("miel@example.mx"), refused)

    producer.goto(f"{live_server}/panel/o/{org.slug}")
    producer.locator("#cobros-tarjeta").get_by_role("link", name="Configurar cobros con tarjeta").click()
    expect(producer.get_by_role("heading", name="Cobros con tarjeta (Stripe)", exact=True)).to_be_visible()
    expect(producer.locator("#stripe-estado")).to_have_text("Sin conectar")

    # Connect: the account is created and the browser goes to Stripe's hosted onboarding.
    producer.get_by_role("button", name="Conectar con Stripe").click()
    expect(producer).to_have_url(re.compile(re.escape(f"{stripe_connect.url}/setup/e/acct_")))
    expect(producer.get_by_role("heading")).to_contain_text("Miel Maya de Hopelchén")
    account_id = fresh(session, Organization, org.id).stripe_account_id
    assert account_id and producer.url.startswith(f"{stripe_connect.url}/setup/e/{account_id}/")

    # The details sent, Stripe returns to our return page; it is still verifying them.
    producer.get_by_role("button", name="Enviar mis datos").click()
    expect(producer).to_have_url(f"{live_server}/panel/o/{org.slug}/stripe/listo")
    expect(producer.locator("#stripe-regreso")).to_be_visible()
    expect(producer.locator("#stripe-estado")).to_have_text("Registro pendiente")
    expect(producer.locator("#stripe-pagos")).to_have_text("no")

    # Stripe enables the account and says so with a signed account.updated; the worker applies it.
    stripe_connect.enable(account_id)
    settle(app)
    assert len(stripe_connect.events) == 2  # the details sent, then enabled
    producer.goto(f"{live_server}/panel/o/{org.slug}")
    expect(producer.locator("#cobros-tarjeta")).to_contain_text("Cobros activos")
    producer.locator("#cobros-tarjeta").get_by_role("link", name="Configurar cobros con tarjeta").click()
    expect(producer.locator("#stripe-estado")).to_have_text("Cobros activos")
    expect(producer.locator("#stripe-pagos")).to_have_text("sí")

    # The Express dashboard opens from the panel.
    producer.get_by_role("button", name="Abrir panel de Stripe").click()
    expect(producer.get_by_role("heading")).to_have_text(f"Panel de Stripe Express de {account_id}")
    assert stripe_connect.login_links and len(stripe_connect.created) == 1
    organization = fresh(session, Organization, org.id)
    assert organization.receives_transfers and organization.stripe_details_submitted
    assert refused == []
