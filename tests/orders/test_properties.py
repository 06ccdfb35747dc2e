"""Property: any sequence of checkouts (every way to pay), payments, producers' and buyers' steps,
rejections, cancellations, expiries, completions and payouts keeps the ledger balanced, every unit of stock
accounted for, and no balance below what the producers owe for cash they collected themselves."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from market.accounts.models import User
from market.accounts.schemas import Registration
from market.accounts.service import register
from market.catalog.models import Listing
from market.catalog.schemas import ListingCreate
from market.catalog.service import add_listing
from market.config import Settings
from market.db import transaction, utcnow
from market.disputes import holds
from market.errors import MarketError
from market.ledger import service as ledger
from market.orders import queries
from market.orders.checkout import checkout
from market.orders.fulfillment import confirm_offline_payment, mark_paid, move
from market.orders.jobs import complete_due, expire_unpaid
from market.orders.models import Fulfillment, FulfillmentStatus, Order, OrderLine
from market.orders.schemas import Checkout
from market.organizations.models import Membership, Organization, VerificationStatus
from market.payments import service as payments
from tests.fixtures.database import clean_tables
from tests.helpers import CLABE, ORG_DEFAULTS

STOCKS = (5, 3, 8)

OPERATIONS = st.lists(
    st.one_of(
        st.tuples(
            st.just("checkout"),
            st.integers(0, 2),
            st.integers(1, 4),
            st.sampled_from(["card", "spei_transfer", "invoice", "cash_on_pickup"]),
        ),
        st.tuples(st.just("pay"), st.integers(0, 9)),
        st.tuples(st.just("card_paid"), st.integers(0, 9), st.integers(0, 3)),
        st.tuples(st.just("advance"), st.integers(0, 19)),
        st.tuples(st.just("complete")),
        st.tuples(st.just("reject"), st.integers(0, 19)),
        st.tuples(st.just("cancel"), st.integers(0, 19)),
        st.tuples(st.just("expire")),
        st.tuples(st.just("payout"), st.integers(0, 1), st.integers(1, 100)),
    ),
    max_size=20,
)


def build(engine: Engine) -> dict[str, Any]:
    with transaction(engine) as session:

        def user(email: str, admin: bool = False) -> User:
            account = Registration(name=email, email=email, password="contraseña-larga")
            return register(session, account, is_admin=admin, confirmed=True)

        world: dict[str, Any] = {
            "admin": user("admin@x.mx", True),
            "buyer": user("buyer@x.mx"),
            "owners": [user("a@x.mx"), user("b@x.mx")],
            "orgs": [],
            "listings": [],
        }
        # The buyer belongs to a verified cooperative, so it may also buy on invoice terms.
        buyers_coop = Organization(
            slug="buyers", verification_status=VerificationStatus.VERIFIED, **ORG_DEFAULTS
        )
        session.add(buyers_coop)
        session.flush()
        session.add(
            Membership(user_id=world["buyer"].id or 0, organization_id=buyers_coop.id or 0, role="owner")
        )
        for n, owner in enumerate(world["owners"]):
            org = Organization(
                slug=f"org-{n}",
                verification_status=VerificationStatus.VERIFIED,
                **(ORG_DEFAULTS | {"name": f"Org {n}"}),
            )
            session.add(org)
            session.flush()
            session.add(Membership(user_id=owner.id or 0, organization_id=org.id or 0, role="owner"))
            world["orgs"].append(org)
        world["owner_of"] = {org.id: owner for org, owner in zip(world["orgs"], world["owners"], strict=True)}
        for n, stock in enumerate(STOCKS):
            world["listings"].append(
                add_listing(
                    session,
                    world["orgs"][n % 2],
                    ListingCreate(
                        title=f"Producto {n}",
                        category="cafe",
                        unit="kg",
                        price_cents=1000 + 337 * n,
                        stock=stock,
                        status="active",
                    ),
                )
            )
    return world


def apply(engine: Engine, config: Settings, world: dict[str, Any], operation: tuple[Any, ...]) -> None:
    name, *args = operation
    if name in ("expire", "complete"):  # never refused: any error here is a bug, so it is not caught
        with transaction(engine) as session:
            if name == "expire":
                expire_unpaid(session, utcnow() + timedelta(days=8))
            else:
                complete_due(session, config, utcnow() + timedelta(days=30))
        return
    with Session(engine) as reader:
        order_ids = list(reader.exec(select(Order.id).order_by(col(Order.id))).all())
        fulfillments = list(reader.exec(select(Fulfillment).order_by(col(Fulfillment.id))).all())
    try:
        with transaction(engine) as session:
            if name == "checkout":
                listing = world["listings"][args[0]]
                checkout(
                    session,
                    config,
                    world["buyer"],
                    Checkout(items=[{"listing_id": listing.id, "quantity": args[1]}], payment_method=args[2]),
                )
            elif name == "pay" and order_ids:
                confirm_offline_payment(
                    session, world["admin"], order_ids[args[0] % len(order_ids)] or 0, "SPEI"
                )
            elif name == "card_paid" and order_ids:  # what a Stripe webhook does, with a charge perhaps stale
                order = session.get(Order, order_ids[args[0] % len(order_ids)])
                assert order is not None
                excess = mark_paid(session, order, None, "pi_test", order.total_cents + 100 * args[1])
                if excess:
                    ledger.record_excess_refunded(session, order.id or 0, excess)
            elif name == "advance" and fulfillments:
                fulfillment = fulfillments[args[0] % len(fulfillments)]
                order = session.get(Order, fulfillment.order_id)
                assert order is not None
                public = queries.to_public(session, order)
                part = next(f for f in public.fulfillments if f.id == fulfillment.id)
                owner = world["owner_of"][fulfillment.organization_id]
                if steps := queries.producer_steps(public, part):
                    step = steps[0]
                    move(session, owner, fulfillment.id or 0, step, None, "Estafeta", "123")
                else:  # the buyer's turn (refused, and so harmless, when it is nobody's)
                    step = (
                        FulfillmentStatus.DELIVERED
                        if FulfillmentStatus.DELIVERED in queries.buyer_steps(public, part)
                        else FulfillmentStatus.COMPLETED
                    )
                    move(session, world["buyer"], fulfillment.id or 0, step)
            elif name in ("reject", "cancel") and fulfillments:
                fulfillment = fulfillments[args[0] % len(fulfillments)]
                actor = (
                    world["owners"][
                        world["orgs"].index(
                            next(o for o in world["orgs"] if o.id == fulfillment.organization_id)
                        )
                    ]
                    if name == "reject"
                    else world["buyer"]
                )
                move(session, actor, fulfillment.id or 0, "rejected" if name == "reject" else "cancelled")
            elif name == "payout":
                org = world["orgs"][args[0]]
                amount = payments.available_balance(session, org.id) * args[1] // 100
                if amount > 0:
                    ledger.record_manual_payout(session, org.id, amount, CLABE, "SPEI", holds.under_dispute())
    except MarketError:
        pass  # refused operations (sold out, illegal step) must leave everything as it was


def check_invariants(engine: Engine, world: dict[str, Any]) -> None:
    with Session(engine) as session:
        assert ledger.imbalance(session) == 0
        for listing, initial in zip(world["listings"], STOCKS, strict=True):
            left = session.exec(select(Listing.stock).where(Listing.id == listing.id)).one()
            held = session.exec(
                select(func.coalesce(func.sum(OrderLine.quantity), 0))
                .join(Fulfillment, col(Fulfillment.id) == OrderLine.fulfillment_id)
                .where(
                    OrderLine.listing_id == listing.id,
                    col(Fulfillment.status).not_in(["cancelled", "rejected"]),
                )
            ).one()
            assert left is not None and left >= 0 and left + held == initial
        for org in world["orgs"]:
            cash_fees = session.exec(
                select(func.coalesce(func.sum(Fulfillment.platform_fee_cents), 0))
                .join(Order, col(Order.id) == Fulfillment.order_id)
                .where(
                    Fulfillment.organization_id == org.id,
                    Order.status == "pay_at_pickup",
                    col(Fulfillment.status).in_(["delivered", "completed"]),
                )
            ).one()
            assert (
                ledger.balance(session, org.id) >= payments.available_balance(session, org.id) >= -cash_fees
            )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=OPERATIONS)
def test_any_sequence_keeps_money_and_stock_consistent(
    engine: Engine, settings: Settings, operations: list[tuple[Any, ...]]
) -> None:
    clean_tables(engine)
    world = build(engine)
    for operation in operations:
        apply(engine, settings, world, operation)
        check_invariants(engine, world)
