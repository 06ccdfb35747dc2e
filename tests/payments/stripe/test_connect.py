"""Separate charges and transfers: a completed part paid by card is transferred to its producer's connected
account. localstripe has no Connect, so the Transfer call is answered with an object shaped as Stripe's."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from market.config import Settings
from market.db import transaction
from market.errors import Conflict
from market.ledger import service as ledger
from market.orders.models import Fulfillment
from market.payments import service as payments
from market.payments.models import Payment, Payout
from tests.payments.stripe.conftest import (
    StripeTransfers,
    complete_due,
    deliver,
    event,
    hand_over,
    intent,
    open_payment_page,
    order_by_card,
    settle,
)


@pytest.fixture
def paid_fulfillment(
    app: FastAPI,
    client: TestClient,
    session: Session,
    settings: Settings,
    make_user: Any,
    make_org: Any,
    make_listing: Any,
) -> Callable[[str | None], tuple[Any, Fulfillment, Payment]]:
    """A part of $1,000.00 of coffee paid by card and delivered, of an organization whose connected account
    is `account` (None: it has none): (the organization, the part, the payment)."""

    def make(account: str | None) -> tuple[Any, Fulfillment, Payment]:
        owner = make_user("cafe@example.mx")
        organization = make_org(owner)
        if account:  # set by Stripe Connect onboarding, not by a form
            organization.stripe_account_id = account
            organization.stripe_payouts_enabled = True  # as Stripe's account.updated says once it verified it
            session.add(organization)
            session.commit()
        listing = make_listing(organization, price_cents=25000, stock=10)
        buyer = make_user("ana@example.mx")
        order = order_by_card(session, settings, buyer, listing, 4)
        payment = open_payment_page(client, session, order, "ana@example.mx")
        deliver(client, event("payment_intent.succeeded", intent(payment, "succeeded")))
        settle(app)
        session.expire_all()
        fulfillment = session.exec(select(Fulfillment).where(Fulfillment.order_id == order.id)).one()
        hand_over(app, owner, buyer, fulfillment.id)
        return organization, fulfillment, session.exec(select(Payment)).one()

    return make


def test_a_completed_part_is_transferred_from_the_charge_to_the_connected_account(
    app: FastAPI,
    session: Session,
    settings: Settings,
    transfers: StripeTransfers,
    make_user: Any,
    paid_fulfillment: Callable[[str | None], tuple[Any, Fulfillment, Payment]],
) -> None:
    organization, fulfillment, payment = paid_fulfillment("acct_1TianguisCafe")
    settle(app)
    assert transfers.calls == []  # nothing leaves while the buyer can still report a problem
    assert complete_due(app, settings) == 1
    # Until Stripe has made the transfer, that money is not for a manual payout too.
    organization.clabe = "002010077777777771"
    session.add(organization)
    session.commit()
    admin = make_user("admin@example.mx", is_admin=True)
    with pytest.raises(Conflict), transaction(app.state.engine) as tx:
        payments.pay_out(tx, admin, organization.id, 1000, "SPEI 0001")
    settle(app)
    settle(app)  # a second pass finds nothing more to send

    share = 100000 - 8000
    assert transfers.calls == [
        (
            {
                "amount": share,
                "currency": "mxn",
                "destination": "acct_1TianguisCafe",
                "source_transaction": payment.charge_id,
                "transfer_group": f"order_{payment.order_id}",
            },
            {"idempotency_key": f"transfer-fulfillment-{fulfillment.id}"},
        )
    ]
    session.expire_all()
    payout = session.exec(select(Payout)).one()
    assert (payout.method, payout.amount_cents, payout.reference) == (
        "stripe_transfer",
        share,
        "tr_1Tianguis0001",
    )
    assert ledger.balance(session, organization.id) == 0
    assert ledger.imbalance(session) == 0


def test_without_a_connected_account_the_money_waits_for_a_manual_payout(
    app: FastAPI,
    session: Session,
    settings: Settings,
    transfers: StripeTransfers,
    paid_fulfillment: Callable[[str | None], tuple[Any, Fulfillment, Payment]],
) -> None:
    organization, _fulfillment, _payment = paid_fulfillment(None)
    complete_due(app, settings)
    settle(app)
    assert transfers.calls == []
    assert payments.available_balance(session, organization.id) == 100000 - 8000
