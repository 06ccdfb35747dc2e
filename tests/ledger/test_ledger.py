"""The ledger: payments, refunds and payouts post balanced transactions; balances are sums."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from market.config import Settings
from market.db import transaction
from market.disputes import holds
from market.errors import Conflict
from market.ledger import service as ledger
from market.ledger.models import LedgerEntry
from market.orders.checkout import checkout
from market.orders.fulfillment import confirm_offline_payment, move
from market.orders.models import Fulfillment
from market.orders.schemas import Checkout
from market.payments import service as payments
from tests.helpers import CLABE


def test_payment_refund_and_payout_keep_every_transaction_balanced(
    engine: Engine, session: Session, settings: Settings, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    coffee_owner = make_user("cafe@example.mx")
    org = make_org(coffee_owner)
    honey_owner = make_user("miel@example.mx")
    other = make_org(honey_owner, name="Apicultoras del Puuc")
    coffee = make_listing(org, price_cents=10000, stock=50)
    honey = make_listing(other, title="Miel", category="miel", price_cents=5000, stock=50)
    admin, buyer = make_user("admin@example.mx", is_admin=True), make_user("compras@example.mx")
    with transaction(engine) as tx:
        order = checkout(
            tx,
            settings,
            buyer,
            Checkout(
                items=[{"listing_id": coffee.id, "quantity": 10}, {"listing_id": honey.id, "quantity": 4}]
            ),
        )
    with transaction(engine) as tx:
        confirm_offline_payment(tx, admin, order.id or 0, "SPEI 0001")

    # 100,000 + 20,000 paid; 8 % stays with the platform.
    assert (ledger.balance(session, org.id), ledger.balance(session, other.id)) == (92000, 18400)
    honey_fulfillment = session.exec(select(Fulfillment).where(Fulfillment.organization_id == other.id)).one()
    with transaction(engine) as tx:
        move(tx, honey_owner, honey_fulfillment.id or 0, "rejected")
    assert ledger.balance(session, other.id) == 0

    assert payments.available_balance(session, org.id) == 0  # held until the buyer has the coffee
    coffee_fulfillment = session.exec(select(Fulfillment).where(Fulfillment.organization_id == org.id)).one()
    with transaction(engine) as tx:
        for step, actor in [
            ("accepted", coffee_owner),
            ("preparing", coffee_owner),
            ("ready_for_pickup", coffee_owner),
            ("delivered", buyer),
            ("completed", buyer),
        ]:
            move(tx, actor, coffee_fulfillment.id or 0, step)
    assert payments.available_balance(session, org.id) == 92000
    with pytest.raises(Conflict), transaction(engine) as tx:
        ledger.record_manual_payout(tx, org.id, 92001, CLABE, "SPEI 0002", holds.under_dispute())
    with transaction(engine) as tx:
        ledger.record_manual_payout(tx, org.id, 92000, CLABE, "SPEI 0002", holds.under_dispute())
    assert ledger.balance(session, org.id) == 0
    assert ledger.imbalance(session) == 0
    sums = session.exec(
        select(LedgerEntry.transaction_id, func.sum(LedgerEntry.amount_cents)).group_by(
            LedgerEntry.transaction_id
        )
    ).all()
    assert len(sums) == 3 and all(total == 0 for _tx, total in sums)


def test_unbalanced_postings_are_refused(session: Session) -> None:
    with pytest.raises(ledger.Unbalanced):
        ledger.post(session, "payment", [ledger.Posting("cash", 100), ledger.Posting("platform_fees", -99)])


def test_a_partial_refund_comes_off_the_producer_share_and_the_fee_in_proportion(
    engine: Engine, session: Session, settings: Settings, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    owner = make_user("cafe@example.mx")
    org = make_org(owner)
    coffee = make_listing(org, price_cents=12345, stock=50)
    admin, buyer = make_user("admin@example.mx", is_admin=True), make_user("compras@example.mx")
    with transaction(engine) as tx:
        order = checkout(tx, settings, buyer, Checkout(items=[{"listing_id": coffee.id, "quantity": 1}]))
    with transaction(engine) as tx:
        confirm_offline_payment(tx, admin, order.id or 0, "SPEI 0003")
    part = session.exec(select(Fulfillment).where(Fulfillment.organization_id == org.id)).one()
    # 123.45 paid: the fee is 8 % = 9.88 (rounded), the producer is owed 113.57.
    assert (part.platform_fee_cents, ledger.balance(session, org.id)) == (988, 11357)

    with transaction(engine) as tx:
        ledger.record_refund(tx, tx.get(Fulfillment, part.id) or part, amount_cents=5000)

    # 50.00 back: 11357 * 5000 // 12345 = 4599 from the producer, 401 from the fee.
    assert ledger.balance(session, org.id) == 11357 - 4599
    fees = session.exec(
        select(func.sum(LedgerEntry.amount_cents)).where(
            LedgerEntry.account == ledger.FEES, LedgerEntry.organization_id == org.id
        )
    ).one()
    assert fees == -(988 - 401)  # every fee posting names its producer
    assert ledger.imbalance(session) == 0
    with pytest.raises(ledger.Unbalanced):
        ledger.record_refund(session, part, amount_cents=12346)
