"""A part paid by card and disputed: nothing is transferred while the dispute is open; a partial refund goes
back through Stripe (localstripe), and once the part completes the producer's connected account receives
what is left of its share. localstripe has no Connect: the Transfer call is answered as in the Connect
tests, with an object shaped as Stripe's."""

from __future__ import annotations

from typing import Any

import stripe
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from market.config import Settings
from market.db import transaction
from market.disputes import service as disputes
from market.ledger import service as ledger
from market.orders.models import Fulfillment
from market.payments.models import Payout, Refund
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
from tests.payments.stripe.test_card import pay_like_stripe_js


def test_a_partially_refunded_part_transfers_the_producer_what_is_left_of_its_share(
    app: FastAPI,
    client: TestClient,
    session: Session,
    settings: Settings,
    stripe_client: stripe.StripeClient,
    transfers: StripeTransfers,
    make_user: Any,
    make_org: Any,
    make_listing: Any,
) -> None:
    owner = make_user("cafe@example.mx")
    organization = make_org(owner)
    organization.stripe_account_id = "acct_1TianguisCafe"  # set by Connect onboarding, not by a form
    organization.stripe_payouts_enabled = True  # and enabled by Stripe's account.updated
    session.add(organization)
    session.commit()
    listing = make_listing(organization, price_cents=25000, stock=10)
    buyer, admin = make_user("ana@example.mx"), make_user("admin@example.mx", is_admin=True)

    # $1,000.00 paid by card on localstripe; Stripe's signed event tells the platform, with the real charge.
    order = order_by_card(session, settings, buyer, listing, 4)
    payment = open_payment_page(client, session, order, "ana@example.mx")
    pay_like_stripe_js(stripe_client, payment)
    assert payment.intent_id is not None
    latest = stripe_client.v1.payment_intents.retrieve(payment.intent_id).latest_charge
    assert latest is not None
    charge_id = latest if isinstance(latest, str) else latest.id
    deliver(client, event("payment_intent.succeeded", intent(payment, "succeeded", latest_charge=charge_id)))
    settle(app)
    session.expire_all()
    part = session.exec(select(Fulfillment).where(Fulfillment.order_id == order.id)).one()
    hand_over(app, owner, buyer, part.id)
    with transaction(app.state.engine) as tx:
        dispute = disputes.open(tx, buyer, part.id or 0, "Una de las cuatro bolsas llegó abierta.")

    assert complete_due(app, settings) == 0  # held: not completed, so nothing to transfer
    settle(app)
    assert transfers.calls == []

    with transaction(app.state.engine) as tx:  # a bag of $250.00 and $50.00 for the trouble
        disputes.resolve(tx, admin, dispute.id or 0, "refund", 30000, "Devolvemos una bolsa y el envío.")
    settle(app)
    session.expire_all()
    refund = session.exec(select(Refund)).one()
    assert (refund.amount_cents, refund.provider, refund.status) == (30000, "stripe", "succeeded")
    assert stripe_client.v1.charges.retrieve(charge_id).amount_refunded == 30000
    assert transfers.calls == []  # delivered, not completed yet

    assert complete_due(app, settings) == 1
    settle(app)
    # The producer's $920.00 less 30 % of it ($276.00): $644.00 from the charge.
    assert transfers.calls == [
        (
            {
                "amount": 64400,
                "currency": "mxn",
                "destination": "acct_1TianguisCafe",
                "source_transaction": charge_id,
                "transfer_group": f"order_{order.id}",
            },
            {"idempotency_key": f"transfer-fulfillment-{part.id}"},
        )
    ]
    session.expire_all()
    assert session.exec(select(Payout)).one().amount_cents == 64400
    assert ledger.balance(session, organization.id) == 0
    assert ledger.imbalance(session) == 0
