"""The dashboard's figures equal the sums done by hand from the orders in conftest.py: sales by month in
Mexico City time net of refunds, best sellers, work waiting, balance and ratings, for each producer alone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlmodel import Session

from market.errors import Forbidden, ValidationFailed
from market.orders.models import FulfillmentStatus
from market.organizations import analytics, exports
from market.organizations.analytics import BalanceSummary, PendingCount, TopListing
from tests.organizations.conftest import Sales


def test_sales_count_in_the_local_month_of_their_payment_net_of_refunds(
    session: Session, sales: Sales
) -> None:
    figures = analytics.dashboard(session, sales.coffee_owner, sales.coffee_org)
    assert len(figures.months) == 12
    *older, last_month, this_month = figures.months
    # A 100,000 + C 30,000 + D 44,000 + E 10,000 + F 60,000, less C refunded whole and 11,000 of D.
    assert (this_month.sales_cents, this_month.refunded_cents) == (203000, 41000)
    assert this_month.fee_cents == 19520 - 2400 - 880
    assert this_month.producer_cents == 203000 - 16240 == (244000 - 19520) - 27600 - 10120
    # G was paid at 21:00 on the last day of last month in Mexico City, already the 1st in UTC.
    assert (last_month.sales_cents, last_month.producer_cents, last_month.fee_cents) == (50000, 46000, 4000)
    assert all(m.sales_cents == m.producer_cents == m.fee_cents == m.refunded_cents == 0 for m in older)
    assert (figures.sales_cents, figures.producer_cents, figures.fee_cents) == (253000, 232760, 20240)

    honey = analytics.dashboard(session, sales.honey_owner, sales.honey_org)
    assert (honey.months[-1].sales_cents, honey.months[-1].producer_cents, honey.sales_cents) == (
        20000,
        18400,
        20000,
    )


def test_best_sellers_leave_out_unpaid_and_wholly_refunded_parts(session: Session, sales: Sales) -> None:
    figures = analytics.dashboard(session, sales.coffee_owner, sales.coffee_org)
    # Tostado: A 10 + D 2 + E 1 + G 5 (B never paid); verde: D 4 + F 10 (C was refunded whole).
    assert figures.top_listings == [
        TopListing(sales.roasted.id, "Café tostado", "kg", 18, 180000),
        TopListing(sales.green.id, "Café verde", "kg", 14, 84000),
    ]
    honey = analytics.dashboard(session, sales.honey_owner, sales.honey_org)
    assert honey.top_listings == [TopListing(sales.honey.id, "Miel multifloral", "kg", 4, 20000)]


def test_work_waiting_is_counted_by_step(session: Session, sales: Sales) -> None:
    figures = analytics.dashboard(session, sales.coffee_owner, sales.coffee_org)
    assert figures.pending == [
        PendingCount(FulfillmentStatus.PENDING_ACCEPTANCE, 1),  # F
        PendingCount(FulfillmentStatus.ACCEPTED, 1),  # D
        PendingCount(FulfillmentStatus.PREPARING, 0),
        PendingCount(FulfillmentStatus.READY_FOR_PICKUP, 1),  # G
        PendingCount(FulfillmentStatus.SHIPPED, 0),
    ]
    assert figures.pending_count == 3
    honey = analytics.dashboard(session, sales.honey_owner, sales.honey_org)
    assert [p.count for p in honey.pending] == [1, 0, 0, 0, 0]


def test_balance_is_what_is_owed_and_what_may_be_paid_out(session: Session, sales: Sales) -> None:
    figures = analytics.dashboard(session, sales.coffee_owner, sales.coffee_org)
    # A 92,000 + D 40,480 - 10,120 + F 55,200 + G 46,000, less the 800 fee E's cash owes; only A's
    # completed share and E's debt are free of a delivery still in progress.
    assert figures.balance == BalanceSummary(222760, 91200, 91200)
    honey = analytics.dashboard(session, sales.honey_owner, sales.honey_org)
    assert honey.balance == BalanceSummary(18400, 0, 0)


def test_ratings_are_the_organizations_own(session: Session, sales: Sales) -> None:
    coffee = analytics.dashboard(session, sales.coffee_owner, sales.coffee_org).ratings
    assert (coffee.count, coffee.average) == (3, 3.7)  # (5 + 4 + 2) / 3
    assert coffee.distribution == {1: 0, 2: 1, 3: 0, 4: 1, 5: 1}
    honey = analytics.dashboard(session, sales.honey_owner, sales.honey_org).ratings
    assert (honey.count, honey.average, honey.distribution[3]) == (1, 3.0, 1)


def test_an_organization_with_no_sales_and_no_reviews_shows_zeros(
    session: Session, make_user: Any, make_org: Any
) -> None:
    owner = make_user()
    organization = make_org(owner)
    figures = analytics.dashboard(session, owner, organization)
    assert figures.sales_cents == figures.pending_count == figures.ratings.count == 0
    assert figures.ratings.average == 0.0 and figures.top_listings == []


def test_only_members_and_administrators_see_the_figures(session: Session, sales: Sales) -> None:
    with pytest.raises(Forbidden):
        analytics.dashboard(session, sales.honey_owner, sales.coffee_org)
    with pytest.raises(Forbidden):
        exports.order_lines(session, sales.buyer, sales.coffee_org)
    with pytest.raises(Forbidden):
        exports.movements(session, sales.honey_owner, sales.coffee_org)
    assert analytics.dashboard(session, sales.admin, sales.coffee_org).sales_cents == 253000


def test_the_twelve_months_end_with_the_current_month_in_mexico_city() -> None:
    # 03:00 UTC on New Year's Day is still the evening of December 31st in Mexico City.
    months = analytics.last_months(datetime(2026, 1, 1, 3, 0, tzinfo=UTC))
    assert (months[0], months[-1], len(months)) == (date(2025, 1, 1), date(2025, 12, 1), 12)
    assert analytics.last_months(datetime(2026, 1, 1, 7, 0, tzinfo=UTC))[-1] == date(2026, 1, 1)


@pytest.mark.parametrize(
    ("desde", "hasta", "errors"),
    [
        ("31/03/2025", "", {"desde"}),
        ("2025-02-30", "", {"desde"}),
        ("", "mañana", {"hasta"}),
        ("2025-04-01", "2025-03-31", {"hasta"}),
    ],
)
def test_a_bad_date_range_is_refused_field_by_field(desde: str, hasta: str, errors: set[str]) -> None:
    with pytest.raises(ValidationFailed) as refused:
        exports.parse_period(desde, hasta)
    assert set(refused.value.errors) == errors


def test_a_date_range_covers_whole_local_days() -> None:
    period = exports.parse_period("2025-03-01", "2025-03-31")
    # Mexico City has been UTC-6 all year since 2022.
    assert period.start() == datetime(2025, 3, 1, 6, 0, tzinfo=UTC)
    assert period.end() == datetime(2025, 4, 1, 6, 0, tzinfo=UTC)
    assert exports.parse_period("", None) == exports.Period(None, None)
