"""With no STRIPE_SECRET_KEY (the embedded default) there is no Stripe: the panel says card payouts are not
available and that the organization is paid by SPEI; connecting is refused on both faces, writing nothing."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from market.organizations.models import Organization
from market.payments.connect import CardPayoutsUnavailable
from market.web import LOCALE_COOKIE
from tests.helpers import api_token, csrf_of, fresh, log_in
from tests.pages import attr, form_actions, maybe, one, text_of


def test_without_stripe_the_panel_says_payouts_are_by_spei(
    client: TestClient, session: Session, make_user: Any, make_org: Any
) -> None:
    owner = make_user("flor@example.mx")
    org = make_org(owner)
    log_in(client, owner.email)

    page = client.get(f"/panel/o/{org.slug}/stripe")
    assert page.status_code == 200
    assert attr(one(page, "#stripe-estado"), "data-state") == "unavailable"
    assert "Te pagamos por SPEI a la CLABE de tu organización" in text_of(one(page, "#stripe-connect"))
    assert f"/panel/o/{org.slug}/stripe/conectar" not in form_actions(page)
    assert maybe(page, "#stripe-panel") is None
    panel = client.get(f"/panel/o/{org.slug}")
    section = one(panel, "#cobros-tarjeta")
    assert text_of(one(section, "#cobros-no-disponibles")) == (
        "Los cobros con tarjeta no están disponibles en esta plataforma. "
        "Te pagamos por SPEI a la CLABE de tu organización. Más sobre cómo te pagamos"
    )
    assert "Configurar cobros con tarjeta" not in text_of(section)  # no call to set up what cannot be
    [link] = section.select("a")
    assert attr(link, "href") == f"/panel/o/{org.slug}/stripe"  # the page stays reachable

    token = csrf_of(client, f"/panel/o/{org.slug}/stripe")
    refused = client.post(f"/panel/o/{org.slug}/stripe/conectar", data={"csrf_token": token})
    assert refused.status_code == 409
    assert text_of(one(refused, ".flash.error")) == CardPayoutsUnavailable.message

    headers = api_token(client, owner.email)
    base = f"/api/v1/organizations/{org.slug}/stripe"
    assert client.get(base, headers=headers).json()["state"] == "unavailable"
    for path in ("account-link", "sync", "dashboard-link"):
        response = client.post(f"{base}/{path}", headers=headers)
        assert (response.status_code, response.json()["error"]) == (409, "card_payouts_unavailable")
    assert fresh(session, Organization, org.id).stripe_account_id is None


def test_without_stripe_the_english_page_says_so_too(
    client: TestClient, make_user: Any, make_org: Any
) -> None:
    owner = make_user("flor@example.mx")
    org = make_org(owner)
    log_in(client, owner.email)
    client.cookies.set(LOCALE_COOKIE, "en")
    page = client.get(f"/panel/o/{org.slug}/stripe")
    assert text_of(one(page, "h1")) == "Card payouts (Stripe)"
    assert "We pay you by SPEI" in text_of(one(page, "#stripe-connect"))
    panel = client.get(f"/panel/o/{org.slug}")
    assert "Card payouts are not available" in text_of(one(panel, "#cobros-no-disponibles"))
