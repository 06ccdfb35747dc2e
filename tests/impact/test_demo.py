"""The demo data (`make run`) includes paid orders, so the impact page shows figures from the start."""

from __future__ import annotations

from sqlmodel import Session, col, func, select

from market.config import Settings
from market.impact import service
from market.ledger import service as ledger
from market.orders.models import Order
from market.reviews.models import Review
from market.seed import load_demo


def test_the_demo_has_paid_orders_of_people_and_of_the_school_with_a_refunded_part(
    session: Session, settings: Settings
) -> None:
    load_demo(session, settings)
    session.commit()
    sales = service.sales(session, settings)
    impact = service.summarize(sales)
    assert impact.organizations >= 7 and impact.states >= 6
    assert impact.institutional_cents > 0 and impact.consumer_cents > 0
    assert impact.payment_cost_cents > 0  # card and OXXO
    refunded = [s for s in sales if s.refunded_cents and s.paid_cents == 0]  # not the unpaid ones
    assert [s.organization_name for s in refunded] == [
        "Sociedad Cooperativa Vainilla Perfumada del Totonacapan"
    ]
    assert ledger.imbalance(session) == 0
    # The card order was picked up and reviewed: its listings show stars from the start.
    reviews = session.exec(select(Review.rating, Review.reply).order_by(col(Review.id))).all()
    assert [(rating, reply is not None) for rating, reply in reviews] == [(5, True), (4, False)]

    orders = session.exec(select(func.count()).select_from(Order)).one()
    load_demo(session, settings)  # idempotent: no second round of orders
    assert session.exec(select(func.count()).select_from(Order)).one() == orders
