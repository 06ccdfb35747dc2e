"""Transfers to a connected account happen only while Stripe says its payouts are enabled; parts completed
before that are paid by SPEI, and no peso is paid twice. The SDK talks HTTP to the Connect stand-in, which
passes payments to localstripe."""

from __future__ import annotations

import time
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from market.accounts.models import User
from market.config import Settings
from market.db import transaction
from market.errors import Conflict
from market.ledger import service as ledger
from market.orders.models import Fulfillment
from market.organizations.models import Organization
from market.payments import connect
from market.payments import service as payments
from market.payments.models import Payment, Payout, TransferRequest
from tests.fixtures.stripe_connect import ConnectStandIn
from tests.helpers import count, csrf_of, fresh, signed_in
from tests.payments.stripe.conftest import (
    complete_due,
    deliver,
    event,
    hand_over,
    intent,
    open_payment_page,
    order_by_card,
    settle,
)

SHARE = 50000 - 4000  # two bags of $250.00, less the platform's 8 %


@pytest.fixture
def settings(settings: Settings, stripe_connect: ConnectStandIn) -> Settings:
    return settings.model_copy(update={"stripe_api_base": stripe_connect.url})


class Shop:
    def __init__(self, app: FastAPI, client: TestClient, session: Session, settings: Settings, **made: Any):
        self.app, self.client, self.session, self.settings = app, client, session, settings
        self.owner: User = made["owner"]
        self.org: Organization = made["org"]
        self.listing, self.buyer, self.admin = made["listing"], made["buyer"], made["admin"]

    def completed_part(self) -> Fulfillment:
        """A part of two bags paid by card, delivered and completed (the worker not run after)."""
        order = order_by_card(self.session, self.settings, self.buyer, self.listing, 2)
        browser = TestClient(self.app, follow_redirects=False)  # the buyer's, signed in afresh
        payment = open_payment_page(browser, self.session, order, self.buyer.email)
        deliver(self.client, event("payment_intent.succeeded", intent(payment, "succeeded")))
        settle(self.app)
        self.session.expire_all()
        part = self.session.exec(select(Fulfillment).where(Fulfillment.order_id == order.id)).one()
        hand_over(self.app, self.owner, self.buyer, part.id)
        assert complete_due(self.app, self.settings) == 1
        return part

    def payable_now(self) -> int:
        self.session.expire_all()
        return payments.payable_now(self.session, fresh(self.session, Organization, self.org.id))

    def pending(self) -> int:
        self.session.expire_all()
        return payments.pending_transfers(self.session, fresh(self.session, Organization, self.org.id))


@pytest.fixture
def shop(
    app: FastAPI,
    client: TestClient,
    session: Session,
    settings: Settings,
    make_user: Any,
    make_org: Any,
    make_listing: Any,
) -> Shop:
    owner = make_user("cafe@example.mx")
    org = make_org(owner, clabe="002010077777777771")
    listing = make_listing(org, price_cents=25000, stock=20)
    buyer, admin = make_user("ana@example.mx"), make_user("admin@example.mx", is_admin=True)
    return Shop(
        app, client, session, settings, owner=owner, org=org, listing=listing, buyer=buyer, admin=admin
    )


def connect_account(shop: Shop) -> str:
    """The owner connects from the panel; Stripe has not verified the account yet."""
    owner = signed_in(shop.app, shop.owner.email)
    token = csrf_of(owner, f"/panel/o/{shop.org.slug}/stripe")
    assert (
        owner.post(f"/panel/o/{shop.org.slug}/stripe/conectar", data={"csrf_token": token}).status_code == 303
    )
    account = fresh(shop.session, Organization, shop.org.id).stripe_account_id
    assert account
    return account


def test_parts_completed_before_payouts_are_enabled_are_paid_by_spei_and_later_ones_transferred(
    shop: Shop, stripe_connect: ConnectStandIn
) -> None:
    account_id = connect_account(shop)

    # Connected but not enabled: the part waits for a SPEI payout, as for any organization.
    before = shop.completed_part()
    settle(shop.app)
    assert stripe_connect.transfers == []
    assert count(shop.session, TransferRequest) == 0
    assert (shop.pending(), shop.payable_now()) == (0, SHARE)

    # Stripe enables payouts: what was waiting stays for SPEI (an administrator may be sending it now).
    deliver(shop.client, stripe_connect.account_event(stripe_connect.enable(account_id)))
    settle(shop.app)
    assert fresh(shop.session, Organization, shop.org.id).receives_transfers
    assert stripe_connect.transfers == []
    assert (shop.pending(), shop.payable_now()) == (0, SHARE)
    with transaction(shop.app.state.engine) as tx:
        payments.pay_out(tx, shop.admin, shop.org.id or 0, SHARE, "SPEI 0001")
    assert shop.payable_now() == 0

    # A part completed now goes to the account by transfer, and is not for SPEI meanwhile.
    after = shop.completed_part()
    assert (shop.pending(), shop.payable_now()) == (SHARE, 0)
    with pytest.raises(Conflict), transaction(shop.app.state.engine) as tx:
        payments.pay_out(tx, shop.admin, shop.org.id or 0, 100, "SPEI 0002")
    settle(shop.app)
    settle(shop.app)
    charge = shop.session.exec(select(Payment).where(Payment.order_id == after.order_id)).one().charge_id
    assert stripe_connect.transfers == [
        (
            {
                "amount": str(SHARE),
                "currency": "mxn",
                "destination": account_id,
                "source_transaction": charge,
                "transfer_group": f"order_{after.order_id}",
            },
            f"transfer-fulfillment-{after.id}",
        )
    ]
    shop.session.expire_all()
    payouts = shop.session.exec(select(Payout).order_by(Payout.id)).all()  # type: ignore[arg-type]
    assert [(p.method, p.amount_cents, p.fulfillment_id) for p in payouts] == [
        ("spei", SHARE, None),
        ("stripe_transfer", SHARE, after.id),
    ]
    assert before.id != after.id
    assert (shop.pending(), shop.payable_now()) == (0, 0)
    assert ledger.balance(shop.session, shop.org.id or 0) == 0
    assert ledger.imbalance(shop.session) == 0


def test_a_transfer_not_yet_sent_when_payouts_are_disabled_goes_back_to_spei(
    shop: Shop, stripe_connect: ConnectStandIn
) -> None:
    account_id = connect_account(shop)
    enabled = stripe_connect.enable(account_id)
    deliver(shop.client, stripe_connect.account_event(enabled))
    settle(shop.app)

    shop.completed_part()  # its transfer is requested, not yet sent
    assert (shop.pending(), shop.payable_now()) == (SHARE, 0)
    disabled = enabled | {"payouts_enabled": False, "charges_enabled": False}
    with transaction(shop.app.state.engine) as tx:  # Stripe needs more documents, before the worker runs
        connect.account_updated(tx, disabled, int(time.time()) + 1)
    settle(shop.app)

    assert stripe_connect.transfers == []
    assert count(shop.session, TransferRequest) == 0
    assert (shop.pending(), shop.payable_now()) == (0, SHARE)
    with transaction(shop.app.state.engine) as tx:
        payments.pay_out(tx, shop.admin, shop.org.id or 0, SHARE, "SPEI 0003")
    assert ledger.balance(shop.session, shop.org.id or 0) == 0
