"""Stripe Connect onboarding from the producer panel and the API: the official SDK talks HTTP to the Connect
stand-in (tests/fixtures/stripe_connect.py), which passes the rest of Stripe's API to localstripe; Stripe's
account.updated events come signed as Stripe signs them."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from market.accounts.models import User
from market.config import Settings
from market.db import transaction
from market.organizations.models import Membership, Organization
from market.payments import connect
from market.payments.connect import StripeAccountMissing
from market.payments.models import WebhookEvent
from tests.fixtures.stripe_connect import ConnectStandIn
from tests.helpers import api_token, at_once, csrf_of, fresh, log_in, signed_in
from tests.pages import Htmx, attr, form_actions, one, text_of, texts
from tests.payments.stripe.conftest import deliver, settle

BASE_URL = "https://tianguis.example.mx"


@pytest.fixture
def settings(settings: Settings, stripe_connect: ConnectStandIn) -> Settings:
    """The app's Stripe is the Connect stand-in (in front of localstripe); its pages are at BASE_URL."""
    return settings.model_copy(update={"stripe_api_base": stripe_connect.url, "base_url": BASE_URL})


@pytest.fixture
def coop(make_user: Any, make_org: Any) -> tuple[User, Organization]:
    owner = make_user("flor@example.mx", name="Flor Hernández")
    return owner, make_org(owner, name="Cooperativa Flor de Café", contact_email="cobros@flordecafe.mx")


def stripe_page(client: TestClient, slug: str) -> Any:
    response = client.get(f"/panel/o/{slug}/stripe")
    assert response.status_code == 200, response.text
    return response


def state(page: Any) -> str:
    return str(attr(one(page, "#stripe-estado"), "data-state"))


def connect_click(client: TestClient, slug: str) -> httpx.Response:
    token = csrf_of(client, f"/panel/o/{slug}/stripe")
    return client.post(f"/panel/o/{slug}/stripe/conectar", data={"csrf_token": token})


def submit_onboarding(location: str) -> str:
    """The owner sends its details on Stripe's hosted onboarding: where Stripe sends the browser back."""
    answer = httpx.post(location, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return answer.headers["location"]


def local(url: str) -> str:
    """The path of one of our pages that Stripe links to with its absolute URL."""
    assert url.startswith(BASE_URL), url
    return url.removeprefix(BASE_URL)


def test_an_owner_connects_an_express_account_once_and_comes_back_to_its_status(
    app: FastAPI,
    client: TestClient,
    session: Session,
    stripe_connect: ConnectStandIn,
    coop: tuple[User, Organization],
) -> None:
    owner, org = coop
    log_in(client, owner.email)
    page = stripe_page(client, org.slug)
    assert state(page) == "not_connected"
    assert text_of(one(page, "h1")) == "Cobros con tarjeta (Stripe)"
    assert f"/panel/o/{org.slug}/stripe/conectar" in form_actions(page)
    # The page's forms may continue to Stripe's hosted pages (a browser checks a form's redirects too).
    assert f"form-action 'self' {stripe_connect.url}" in page.headers["content-security-policy"]

    first = connect_click(client, org.slug)
    assert first.status_code == 303
    location = first.headers["location"]
    account_id = fresh(session, Organization, org.id).stripe_account_id
    assert account_id and account_id.startswith("acct_")
    assert location.startswith(f"{stripe_connect.url}/setup/e/{account_id}/")
    assert stripe_connect.created == [
        {
            "type": "express",
            "country": "MX",
            "email": "cobros@flordecafe.mx",
            "business_profile": {
                "name": "Cooperativa Flor de Café",
                "url": f"{BASE_URL}/productores/{org.slug}",
            },
            "capabilities": {"transfers": {"requested": "true"}},
            "metadata": {"organization_id": str(org.id)},
        }
    ]
    link = next(iter(stripe_connect.links.values()))
    assert link["return_url"] == f"{BASE_URL}/panel/o/{org.slug}/stripe/listo"
    assert link["refresh_url"] == f"{BASE_URL}/panel/o/{org.slug}/stripe/renovar"
    assert link["type"] == "account_onboarding"

    # A second click (another tab) gives a new link to the same account.
    second = connect_click(client, org.slug)
    assert second.headers["location"].startswith(f"{stripe_connect.url}/setup/e/{account_id}/")
    assert second.headers["location"] != location
    assert len(stripe_connect.created) == 1 and list(stripe_connect.accounts) == [account_id]

    # Stripe verifies after the details are sent: the return page asks Stripe and says it is pending.
    back = client.get(local(submit_onboarding(location)))
    assert back.status_code == 200, back.text
    assert state(back) == "pending"
    assert one(back, "#stripe-regreso")
    assert "Registro pendiente" in text_of(one(back, "#stripe-estado"))
    assert (text_of(one(back, "#stripe-datos")), text_of(one(back, "#stripe-pagos"))) == ("sí", "no")
    assert one(back, "#stripe-panel")  # the dashboard opens once the details are in
    organization = fresh(session, Organization, org.id)
    assert organization.stripe_details_submitted and not organization.stripe_payouts_enabled
    assert organization.stripe_synced_at is not None

    # Stripe finishes: its signed account.updated event enables payouts.
    account = stripe_connect.enable(account_id)
    deliver(client, stripe_connect.account_event(account))
    settle(app)
    page = stripe_page(client, org.slug)
    assert state(page) == "active"
    assert text_of(one(page, "#stripe-estado")) == "Cobros activos"
    panel = client.get(f"/panel/o/{org.slug}")
    assert "Cobros activos" in text_of(one(panel, "#cobros-tarjeta"))

    token = csrf_of(client, f"/panel/o/{org.slug}/stripe")
    dashboard = client.post(f"/panel/o/{org.slug}/stripe/panel", data={"csrf_token": token})
    assert dashboard.status_code == 303
    assert dashboard.headers["location"].startswith(f"{stripe_connect.url}/express/{account_id}/")
    assert httpx.get(dashboard.headers["location"]).status_code == 200


def test_a_used_or_expired_link_sends_the_owner_to_a_fresh_one(
    client: TestClient, stripe_connect: ConnectStandIn, coop: tuple[User, Organization]
) -> None:
    owner, org = coop
    log_in(client, owner.email)
    location = connect_click(client, org.slug).headers["location"]
    submit_onboarding(location)
    again = httpx.get(location, follow_redirects=False)  # the link was used: Stripe sends to refresh_url
    assert again.status_code == 302
    refreshed = client.get(local(again.headers["location"]))
    assert refreshed.status_code == 303
    assert refreshed.headers["location"].startswith(f"{stripe_connect.url}/setup/e/")
    assert refreshed.headers["location"] != location
    assert len(stripe_connect.links) == 2 and len(stripe_connect.created) == 1


def test_two_clicks_at_once_create_one_account(
    engine: Engine,
    app: FastAPI,
    settings: Settings,
    stripe_connect: ConnectStandIn,
    coop: tuple[User, Organization],
) -> None:
    owner, org = coop

    def click() -> str:
        with transaction(engine) as tx:
            user, organization = tx.get(User, owner.id), tx.get(Organization, org.id)
            assert user is not None and organization is not None
            link = connect.start_onboarding(tx, app.state.gateway, settings, user, organization)
            return str(link["url"]).split("/")[-2]  # the account it leads to

    accounts = at_once(click)
    assert len(accounts) == 2 and accounts[0] == accounts[1]
    assert list(stripe_connect.accounts) == [accounts[0]]
    with transaction(engine) as tx:
        assert fresh(tx, Organization, org.id).stripe_account_id == accounts[0]


def test_the_api_connects_reports_and_opens_the_dashboard(
    app: FastAPI,
    client: TestClient,
    session: Session,
    stripe_connect: ConnectStandIn,
    coop: tuple[User, Organization],
) -> None:
    owner, org = coop
    headers = api_token(client, owner.email)
    base = f"/api/v1/organizations/{org.slug}/stripe"
    status = client.get(base, headers=headers)
    assert status.status_code == 200
    assert status.json() | {"updated_at": None} == {
        "state": "not_connected",
        "account_id": None,
        "charges_enabled": False,
        "payouts_enabled": False,
        "details_submitted": False,
        "updated_at": None,
    }
    early = client.post(f"{base}/dashboard-link", headers=headers)
    assert (early.status_code, early.json()["error"]) == (409, "stripe_account_missing")

    link = client.post(f"{base}/account-link", headers=headers)
    assert link.status_code == 200, link.text
    body = link.json()
    assert body["url"].startswith(f"{stripe_connect.url}/setup/e/acct_")
    assert body["expires_at"] > time.time()
    account_id = client.get(base, headers=headers).json()["account_id"]
    assert body["url"].split("/")[-2] == account_id

    not_yet = client.post(f"{base}/dashboard-link", headers=headers)
    assert (not_yet.status_code, not_yet.json()["error"]) == (409, "stripe_onboarding_incomplete")
    assert stripe_connect.login_links == []

    stripe_connect.on_submit = "enabled"
    submit_onboarding(body["url"])
    synced = client.post(f"{base}/sync", headers=headers)
    assert synced.status_code == 200
    assert synced.json()["state"] == "active"
    assert synced.json()["payouts_enabled"] is True
    dashboard = client.post(f"{base}/dashboard-link", headers=headers)
    assert dashboard.status_code == 200
    assert dashboard.json()["url"].startswith(f"{stripe_connect.url}/express/{account_id}/")
    assert len(stripe_connect.created) == 1


@pytest.mark.parametrize("who", ["member", "stranger", "anonymous"])
def test_only_owners_connect(
    app: FastAPI,
    session: Session,
    stripe_connect: ConnectStandIn,
    make_user: Any,
    make_org: Any,
    coop: tuple[User, Organization],
    who: str,
) -> None:
    _owner, org = coop
    org_id = org.id
    if who == "member":
        person = make_user("beto@example.mx")
        session.add(Membership(user_id=person.id or 0, organization_id=org_id or 0, role="member"))
        session.commit()
    elif who == "stranger":  # the owner of another organization
        person = make_user("otra@example.mx")
        make_org(person, name="Otra Cooperativa")
    web = signed_in(app, person.email) if who != "anonymous" else TestClient(app, follow_redirects=False)
    api = TestClient(app, follow_redirects=False)
    headers = api_token(api, person.email) if who != "anonymous" else {}
    refused = {303} if who == "anonymous" else {403, 404}  # a visitor is sent to log in

    panel = f"/panel/o/{org.slug}/stripe"
    token = csrf_of(web, "/entrar" if who == "anonymous" else "/panel")
    for method, path in [
        ("GET", panel),
        ("POST", f"{panel}/conectar"),
        ("GET", f"{panel}/listo"),
        ("GET", f"{panel}/renovar"),
        ("POST", f"{panel}/panel"),
    ]:
        response = web.request(method, path, data={"csrf_token": token} if method == "POST" else None)
        assert response.status_code in refused, (method, path, response.status_code)
        if who == "anonymous":
            assert "/entrar" in response.headers["location"]
    base = f"/api/v1/organizations/{org.slug}/stripe"
    for method, path in [
        ("GET", base),
        ("POST", f"{base}/account-link"),
        ("POST", f"{base}/sync"),
        ("POST", f"{base}/dashboard-link"),
    ]:
        response = api.request(method, path, headers=headers)
        assert response.status_code == (401 if who == "anonymous" else 403), (method, path, response.text)
    assert stripe_connect.created == [] and stripe_connect.links == {}
    assert fresh(session, Organization, org_id).stripe_account_id is None


def test_the_dashboard_waits_for_the_details(
    client: TestClient, stripe_connect: ConnectStandIn, coop: tuple[User, Organization]
) -> None:
    owner, org = coop
    log_in(client, owner.email)
    connect_click(client, org.slug)
    page = stripe_page(client, org.slug)
    assert state(page) == "pending"
    assert not page.text.count('id="stripe-panel"')
    token = csrf_of(client, f"/panel/o/{org.slug}/stripe")
    refused = client.post(f"/panel/o/{org.slug}/stripe/panel", data={"csrf_token": token})
    assert refused.status_code == 409
    assert "Termina tu registro en Stripe" in text_of(one(refused, ".flash.error"))
    assert stripe_connect.login_links == []


# --- account.updated ------------------------------------------------------------------------------------


def connected(client: TestClient, owner: User, org: Organization) -> str:
    log_in(client, owner.email)
    connect_click(client, org.slug)
    account = client.get(f"/api/v1/organizations/{org.slug}/stripe", headers=api_token(client, owner.email))
    return str(account.json()["account_id"])


def test_account_updated_events_keep_the_newest_state(
    app: FastAPI,
    client: TestClient,
    session: Session,
    stripe_connect: ConnectStandIn,
    coop: tuple[User, Organization],
) -> None:
    owner, org = coop
    account_id = connected(client, owner, org)
    pending = dict(stripe_connect.accounts[account_id])
    enabled = stripe_connect.enable(account_id)
    now = int(time.time()) + 5  # later than the account's creation, read when it was made

    newer = stripe_connect.account_event(enabled, created=now)
    assert deliver(client, newer).json() == {"received": True, "duplicate": False}
    settle(app)
    assert fresh(session, Organization, org.id).receives_transfers

    # An older state arriving late changes nothing; the same event again is a replay.
    assert deliver(client, stripe_connect.account_event(pending, created=now - 60)).status_code == 200
    assert deliver(client, newer).json() == {"received": True, "duplicate": True}
    settle(app)
    organization = fresh(session, Organization, org.id)
    assert organization.receives_transfers and organization.stripe_charges_enabled

    # A newer one disabling payouts (Stripe needs more documents) is kept.
    deliver(client, stripe_connect.account_event(pending, created=now + 60))
    settle(app)
    organization = fresh(session, Organization, org.id)
    assert not organization.receives_transfers and not organization.stripe_details_submitted


def test_an_account_of_no_organization_here_is_stored_and_ignored(
    app: FastAPI, client: TestClient, session: Session, stripe_connect: ConnectStandIn, coop: Any
) -> None:
    stranger = {
        "id": "acct_1SomebodyElse",
        "object": "account",
        "charges_enabled": True,
        "payouts_enabled": True,
    }
    response = deliver(client, stripe_connect.account_event(stranger))
    assert response.status_code == 200
    settle(app)
    stored = session.exec(select(WebhookEvent).where(WebhookEvent.type == "account.updated")).one()
    assert stored.processed_at is not None
    assert all(not o.stripe_payouts_enabled for o in session.exec(select(Organization)).all())


def test_a_signature_that_is_not_stripes_is_refused(
    client: TestClient, session: Session, stripe_connect: ConnectStandIn, coop: tuple[User, Organization]
) -> None:
    owner, org = coop
    account_id = connected(client, owner, org)
    forged = stripe_connect.account_event(stripe_connect.enable(account_id))
    response = deliver(client, forged, signature=f"t={int(time.time())},v1={'0' * 64}")
    assert response.status_code == 400
    assert session.exec(select(WebhookEvent)).first() is None
    assert not fresh(session, Organization, org.id).receives_transfers


def test_the_return_page_without_an_account_goes_back_to_the_stripe_page(
    client: TestClient, coop: tuple[User, Organization]
) -> None:
    owner, org = coop
    log_in(client, owner.email)
    for path in ("listo", "renovar"):
        response = client.get(f"/panel/o/{org.slug}/stripe/{path}")
        assert response.status_code == 303
        assert response.headers["location"] == f"/panel/o/{org.slug}/stripe"
    page = stripe_page(client, org.slug)
    assert texts(page, ".flash.error") == [StripeAccountMissing.message] * 2
    assert state(page) == "not_connected"


def test_connecting_goes_to_stripe_with_and_without_htmx(
    client: TestClient, stripe_connect: ConnectStandIn, coop: tuple[User, Organization], htmx: Htmx
) -> None:
    owner, org = coop
    log_in(client, owner.email)
    token = csrf_of(client, f"/panel/o/{org.slug}/stripe")
    response = client.post(
        f"/panel/o/{org.slug}/stripe/conectar", data={"csrf_token": token}, headers=htmx.headers
    )
    assert htmx.went_to(response).startswith(f"{stripe_connect.url}/setup/e/acct_")
    assert len(stripe_connect.created) == 1
