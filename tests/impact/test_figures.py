"""Impact figures equal the ones computed by hand (see conftest.py for the orders and each sale's split)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from market.config import Settings
from market.db import transaction
from market.impact import service
from market.impact.service import Bar, Month
from market.ledger.models import LedgerEntry


def test_every_figure_equals_the_hand_computed_one(
    session: Session, settings: Settings, year_of_orders: dict[str, Any]
) -> None:
    orgs = year_of_orders["orgs"]
    sales = service.sales(session, settings)
    # The unpaid mezcal order has no sale; the rejected honey part is a sale that moved no money.
    assert [(s.organization_id, s.gross_cents, s.refunded_cents, s.paid_cents) for s in sales] == [
        (orgs["a"].id, 50000, 0, 50000),
        (orgs["b"].id, 36000, 36000, 0),
        (orgs["a"].id, 34000, 10000, 24000),
        (orgs["c"].id, 20000, 0, 20000),
        (orgs["b"].id, 60000, 0, 60000),
        (orgs["c"].id, 10000, 0, 10000),
        (orgs["c"].id, 15000, 0, 15000),
    ]
    assert [(s.platform_fee_cents, s.producer_share_cents, s.payment_cost_cents) for s in sales] == [
        (4000, 46000, 2291),
        (0, 0, 1648),
        (1411, 22589, 0),
        (1600, 18400, 0),
        (4800, 55200, 0),
        (800, 9200, 0),
        (1200, 13800, 0),
    ]
    assert [s.institutional for s in sales] == [False, False, False, False, True, False, True]

    impact = service.impact(session, settings)
    # Paid: 50000 + 24000 + 20000 + 60000 + 10000 + 15000; fees: 4000 + 1411 + 1600 + 4800 + 800 + 1200.
    assert (impact.gross_cents, impact.refunded_cents, impact.paid_cents) == (225000, 46000, 179000)
    assert (impact.platform_fee_cents, impact.producer_share_cents) == (13811, 165189)
    # The card's cost stays with the platform even for the refunded part: 2291 + 1648.
    assert (impact.payment_cost_cents, impact.platform_net_cents) == (3939, 13811 - 3939)
    # 165189 / 179000 = 92.28 %, 9872 / 179000 = 5.52 %, 3939 / 179000 = 2.20 %: a whole peso.
    assert (impact.producer_share_bps, impact.platform_net_bps, impact.payment_cost_bps) == (9228, 552, 220)
    assert (impact.sale_count, impact.organizations, impact.states) == (6, 3, 3)
    assert impact.active_organizations == 3
    # Women-led: A (60 of 120) and B (18 of 20): 46000 + 22589 + 55200 = 123789 of 165189 = 74.94 %.
    assert (impact.women_led_cents, impact.women_led_bps) == (123789, 7494)
    # Indigenous: A only: 68589 of 165189 = 41.52 %.
    assert (impact.indigenous_cents, impact.indigenous_bps) == (68589, 4152)
    # The school's award (60000) and the hospital's buyer (15000) are institutional.
    assert (impact.institutional_cents, impact.consumer_cents) == (75000, 104000)
    assert impact.by_state == [Bar("07", 68589, 1), Bar("31", 55200, 1), Bar("20", 41400, 1)]
    assert impact.by_legal_form == [
        Bar("coop_produccion", 68589, 1),
        Bar("sss", 55200, 1),
        Bar("ejido", 41400, 1),
    ]
    assert impact.by_certification == [Bar("organico_mexico", 123789, 2), Bar("spp", 68589, 1)]
    assert impact.by_sdg == [Bar("2", 68589, 1), Bar("8", 68589, 1), Bar("5", 55200, 1)]


def _dated(engine: Engine, order_id: int | None, moment: datetime) -> None:
    """Move an order's postings back in time, as if it had been paid then."""
    with transaction(engine) as tx:
        tx.execute(update(LedgerEntry).where(col(LedgerEntry.order_id) == order_id).values(created_at=moment))


def test_sales_count_in_their_month_in_central_mexico_time_and_filter_by_year(
    engine: Engine, session: Session, settings: Settings, year_of_orders: dict[str, Any]
) -> None:
    first, second, third, fourth, _unpaid, sixth = year_of_orders["orders"]
    _dated(engine, first.id, datetime(2025, 6, 10, 18, 0, tzinfo=UTC))
    _dated(engine, second.id, datetime(2026, 1, 1, 5, 30, tzinfo=UTC))  # 23:30 on Dec 31 in Mexico City
    _dated(engine, third.id, datetime(2026, 1, 1, 6, 30, tzinfo=UTC))  # 00:30 on Jan 1 in Mexico City
    _dated(engine, fourth.id, datetime(2026, 2, 20, 12, 0, tzinfo=UTC))
    _dated(engine, sixth.id, datetime(2026, 2, 21, 12, 0, tzinfo=UTC))
    found = service.sales(session, settings)
    assert [s.month for s in found] == [
        "2025-06",
        "2025-06",
        "2025-12",
        "2025-12",
        "2026-01",
        "2026-02",
        "2026-02",
    ]

    impact = service.summarize(found, now=datetime(2026, 3, 10, tzinfo=UTC))
    assert impact.years == [2026, 2025]
    assert impact.months[0] == "2025-04" and impact.months[-1] == "2026-03" and len(impact.months) == 12
    by_month = {m.month: m for m in impact.by_month}
    assert by_month["2025-06"] == Month("2025-06", 46000, 1)
    assert by_month["2025-12"] == Month("2025-12", 22589 + 18400, 2)
    assert by_month["2026-01"] == Month("2026-01", 55200, 1)
    assert by_month["2026-02"] == Month("2026-02", 9200 + 13800, 1)
    assert sum(m.value_cents for m in impact.by_month) == 165189

    # 2025: the card order and the transfer: paid 50000 + 24000 + 20000, the card's whole cost.
    last_year = service.summarize(found, 2025)
    assert (last_year.paid_cents, last_year.producer_share_cents, last_year.payment_cost_cents) == (
        94000,
        86989,
        3939,
    )
    assert [m.value_cents for m in last_year.by_month][5:] == [46000, 0, 0, 0, 0, 0, 40989]
    # 2026: the award, the cash sale and the hospital: 60000 + 10000 + 15000.
    this_year = service.summarize(found, 2026)
    assert (this_year.paid_cents, this_year.producer_share_cents, this_year.payment_cost_cents) == (
        85000,
        78200,
        0,
    )
    assert (this_year.organizations, this_year.active_organizations, this_year.states) == (2, 2, 2)

    # Every year, seen at the end of 2026: Flor de Café sold last in December 2025, so it is no longer active.
    late = service.summarize(found, now=datetime(2026, 12, 15, tzinfo=UTC))
    assert (late.organizations, late.active_organizations) == (3, 2)


def test_payment_costs_follow_the_rate_of_each_method(settings: Settings) -> None:
    # Card: 3.6 % of 10000 = 360, + 300 = 660, + 16 % IVA (105.6 -> 106) = 766.
    assert service.payment_cost(settings, "card", 10000) == 766
    # OXXO: 360 + 57.6 -> 58; SPEI by Stripe: 1 % = 100 + 16.
    assert service.payment_cost(settings, "oxxo", 10000) == 418
    assert service.payment_cost(settings, "spei", 10000) == 116
    for free in ("spei_transfer", "invoice", "cash_on_pickup", "unknown"):
        assert service.payment_cost(settings, free, 10000) == 0
    assert service.payment_cost(settings, "card", 0) == 0
    custom = settings.model_copy(update={"payment_cost_rates": {"card": (290, 250)}})
    assert service.payment_cost(custom, "card", 10000) == 626  # (290 + 250) * 1.16


def test_the_json_api_returns_the_page_figures(client: TestClient, year_of_orders: dict[str, Any]) -> None:
    body = client.get("/api/v1/impacto").json()
    assert (body["paid_cents"], body["producer_share_cents"], body["payment_cost_cents"]) == (
        179000,
        165189,
        3939,
    )
    assert (body["organizations"], body["states"], body["producer_share_bps"]) == (3, 3, 9228)
    assert body["by_state"][0] == {"key": "07", "value_cents": 68589, "organizations": 1}
    assert len(body["by_month"]) == 12 and body["by_month"][-1]["value_cents"] == 165189
    year = body["years"][0]
    assert client.get(f"/api/v1/impacto?year={year}").json()["paid_cents"] == 179000
    assert client.get(f"/api/v1/impacto?year={year - 1}").json()["paid_cents"] == 0
    assert client.get("/api/v1/impacto?year=20").status_code == 422
