"""The rollup the public figures are read from (market.impact.rollup) equals, to the cent, the figures
computed sale by sale from the ledger, whatever happened: random sequences of sales by every method,
refunds of whole parts and of part of one, institutions' invoices paid later, cash collected part by part.
The payment cost rates are made non-zero for every method, so that the cost each part takes of its order
(re-shared when another part of a cash order is collected later) is compared too."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

import pytest
from alembic import command
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from market.accounts.models import User
from market.config import Settings
from market.db import transaction, utcnow
from market.errors import MarketError
from market.impact import rollup, service
from market.impact.models import SUMS, ImpactRollup
from market.ledger import service as ledger
from market.ledger.models import LedgerEntry
from market.mexico import MEXICO_CITY
from market.migrate import alembic_config
from market.orders.fulfillment import confirm_offline_payment, mark_paid, move
from market.orders.models import Fulfillment, Order
from tests.helpers import SCHOOL, make_institution
from tests.impact.conftest import checkout

RATES = {
    "card": (360, 300),
    "oxxo": (360, 0),
    "spei_transfer": (150, 700),
    "invoice": (90, 1100),
    "cash_on_pickup": (210, 350),
}


@pytest.fixture
def priced(card_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings whose every method costs something, used by both the rollup (as the process's settings)
    and the reference computation."""
    settings = card_settings.model_copy(update={"payment_cost_rates": RATES})
    monkeypatch.setattr(rollup, "process_settings", lambda: settings)
    return settings


def rows(session: Session) -> set[tuple[Any, ...]]:
    """The rollup's rows that hold something, as tuples (a row whose sales all moved away is all zeros)."""
    found = session.exec(select(ImpactRollup)).all()
    return {
        tuple(getattr(row, name) for name in ("month", "organization_id", "certifications", *SUMS))
        for row in found
        if any(getattr(row, name) for name in SUMS)
    }


def assert_equal_to_the_ledger(session: Session, settings: Settings) -> None:
    session.expire_all()
    now = utcnow()
    everything = service.from_ledger(session, settings, now=now)
    assert service.from_rollup(session, now=now) == everything
    for year in (*everything.years, 1999):
        assert service.from_rollup(session, year, now) == service.from_ledger(
            session, settings, year, now=now
        )


def run_sequence(
    seed: int,
    engine: Engine,
    session: Session,
    settings: Settings,
    people: dict[str, Any],
    steps: int,
) -> dict[str, int]:
    """`steps` random actions through the services; returns how many of each succeeded."""
    rng = random.Random(seed)
    done: dict[str, int] = {}
    orders: list[int] = []
    refunded: dict[int, int] = {}  # part id -> centavos refunded so far

    def parts(order_id: int) -> list[Fulfillment]:
        session.expire_all()
        return list(session.exec(select(Fulfillment).where(col(Fulfillment.order_id) == order_id)).all())

    for _ in range(steps):
        action = rng.choice(("order", "order", "pay", "reject", "refund_part", "collect_cash"))
        try:
            if action == "order" or not orders:
                method = rng.choice(("card", "spei_transfer", "cash_on_pickup", "invoice"))
                buyer: User = people["teacher"] if method == "invoice" else rng.choice(people["buyers"])
                listings = rng.sample(people["listings"], rng.choice((1, 1, 2, 3)))
                order = checkout(
                    engine,
                    settings,
                    buyer,
                    [(li, rng.randint(1, 4)) for li in listings],
                    payment_method=method,
                )
                orders.append(order.id or 0)
                action = "order"
            else:
                order_id = rng.choice(orders)
                with transaction(engine) as tx:
                    order = tx.get_one(Order, order_id)
                    part = rng.choice(parts(order_id))
                    owner = people["owners"][part.organization_id]
                    if action == "pay":
                        if order.payment_method == "card":
                            mark_paid(tx, order, None, f"pi_{seed}_{order_id}")
                        else:
                            confirm_offline_payment(tx, people["admin"], order_id, f"SPEI {order_id:04d}")
                    elif action == "reject":
                        move(tx, owner, part.id or 0, "rejected", "Sin existencias")
                    elif action == "refund_part":  # a dispute settled for part of the amount
                        if order.status != "paid" or part.status in ("rejected", "cancelled"):
                            raise MarketError()
                        left = part.subtotal_cents + part.delivery_cents - refunded.get(part.id or 0, 0)
                        if left <= 0:
                            raise MarketError()
                        amount = rng.randint(1, left)
                        ledger.record_refund(tx, part, amount_cents=amount)
                        refunded[part.id or 0] = refunded.get(part.id or 0, 0) + amount
                    else:  # the producer hands a cash order's part over and collects the money
                        if order.payment_method != "cash_on_pickup":
                            raise MarketError()
                        for step in ("accepted", "preparing", "ready_for_pickup", "delivered"):
                            move(tx, owner, part.id or 0, step)
        except MarketError:
            continue
        done[action] = done.get(action, 0) + 1
        if rng.random() < 0.25:
            assert_equal_to_the_ledger(session, settings)
    assert_equal_to_the_ledger(session, settings)
    return done


@pytest.fixture
def people(
    session: Session,
    year_of_orders: dict[str, Any],
    make_user: Any,
    make_listing: Any,
) -> dict[str, Any]:
    """The year of orders (sales, a whole and a partial refund, an invoice paid, a cash sale), with
    listings of its three producers and more buyers."""
    orgs, owners = year_of_orders["orgs"], year_of_orders["owners"]
    listings = [
        make_listing(orgs["a"], title="Café de altura", price_cents=18750, delivery_states=["20"]),
        make_listing(orgs["b"], title="Miel multiflora", category="miel", price_cents=9933),
        make_listing(orgs["c"], title="Maíz amarillo", category="maiz-granos", price_cents=4517),
    ]
    return {
        "listings": listings,
        "owners": {orgs[k].id: owners[k] for k in "abc"},
        "admin": year_of_orders["admin"],
        "teacher": year_of_orders["teacher"],
        "buyers": [year_of_orders["consumer"], *(make_user(f"comprador{n}@example.mx") for n in range(4))],
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_rollup_equals_the_ledger_after_random_sequences(
    seed: int,
    engine: Engine,
    session: Session,
    priced: Settings,
    people: dict[str, Any],
) -> None:
    # The fixture's year of orders was posted with the default rates: recomputed with these.
    with transaction(engine) as tx:
        rollup.rebuild(tx, priced)
    assert_equal_to_the_ledger(session, priced)

    done = run_sequence(seed, engine, session, priced, people, steps=60)
    assert done.get("order", 0) >= 5 and len(done) >= 4, done  # the sequence did a bit of everything


def test_rebuilding_gives_the_rows_kept_as_money_moved(
    engine: Engine, session: Session, priced: Settings, people: dict[str, Any]
) -> None:
    with transaction(engine) as tx:
        rollup.rebuild(tx, priced)
    run_sequence(7, engine, session, priced, people, steps=25)
    kept = rows(session)
    with transaction(engine) as tx:
        assert rollup.rebuild(tx, priced) == len(kept)
    session.expire_all()
    assert rows(session) == kept
    assert_equal_to_the_ledger(session, priced)


def test_an_invoice_paid_later_moves_to_the_month_it_was_paid(
    engine: Engine,
    session: Session,
    settings: Settings,
    make_user: Any,
    make_org: Any,
    make_listing: Any,
) -> None:
    honey = make_listing(make_org(make_user("miel@example.mx")), category="miel", price_cents=12000)
    teacher, admin = make_user("compras@escuela.mx"), make_user("admin@example.mx", is_admin=True)
    make_institution(session, teacher, SCHOOL)
    order = checkout(engine, settings, teacher, [(honey, 2)], payment_method="invoice")
    march = datetime(2026, 3, 10, 18, 0, tzinfo=UTC)
    with transaction(engine) as tx:  # the invoice's rows as if it had been invoiced in March
        rollup.rebuild(tx, settings)
        tx.execute(
            ImpactRollup.__table__.update().values(month="2026-03")  # type: ignore[attr-defined]
        )
    with transaction(engine) as tx:
        tx.execute(
            LedgerEntry.__table__.update()  # type: ignore[attr-defined]
            .where(col(LedgerEntry.order_id) == order.id)
            .values(created_at=march)
        )
    assert service.from_rollup(session, 2026).unpaid_cents == 24000
    with transaction(engine) as tx:
        confirm_offline_payment(tx, admin, order.id or 0, "SPEI 0001")

    now = utcnow()
    assert service.from_rollup(session, now=now) == service.from_ledger(session, settings, now=now)
    [sale] = service.sales(session, settings)
    assert sale.month == now.astimezone(MEXICO_CITY).strftime("%Y-%m") and sale.paid_cents == 24000
    assert {(r[0], r[3]) for r in rows(session)} == {(sale.month, 1)}  # March holds nothing any more


def test_the_migration_fills_the_rollup_from_the_ledger_already_there(
    engine: Engine, session: Session, settings: Settings, year_of_orders: dict[str, Any]
) -> None:
    now = utcnow()
    kept = service.from_rollup(session, now=now)
    session.close()
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    command.downgrade(config, "2e4b26be1e44")  # before the rollup existed: the sales are in the ledger only
    command.upgrade(config, "head")
    engine.dispose()
    assert service.from_rollup(session, now=now) == kept == service.from_ledger(session, settings, now=now)
    assert kept.paid_cents == 179000  # the year of orders (see conftest.py)
