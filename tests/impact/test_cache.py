"""The public figures are computed once and kept while no money moves; after a sale they are recomputed,
at most once every `impact_max_age_seconds`, by one request while the others get them as they were."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from market.config import Settings
from market.db import transaction
from market.impact.cache import PublicFigures
from market.orders.fulfillment import confirm_offline_payment
from tests.impact.conftest import checkout


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_figures_are_kept_until_money_moves_and_the_maximum_age_has_passed(
    engine: Engine,
    session: Session,
    settings: Settings,
    make_user: Any,
    make_org: Any,
    make_listing: Any,
) -> None:
    coffee = make_listing(make_org(make_user("cafe@example.mx")), price_cents=25000)
    admin, buyer = make_user("admin@example.mx", is_admin=True), make_user("ana@example.mx")

    def sell() -> None:
        order = checkout(engine, settings, buyer, [(coffee, 1)], payment_method="spei_transfer")
        with transaction(engine) as tx:
            confirm_offline_payment(tx, admin, order.id or 0, "SPEI 0001")

    clock = Clock()
    figures = PublicFigures(300, clock)
    sell()
    first = figures.get(session, settings, None)
    assert first.paid_cents == 25000

    sell()
    clock.now += 299
    assert figures.get(session, settings, None) is first  # moved, but computed less than 5 minutes ago
    clock.now += 2
    second = figures.get(session, settings, None)
    assert second.paid_cents == 50000

    clock.now += 3600
    assert figures.get(session, settings, None) is second  # nothing moved: not recomputed, however old

    sell()
    with figures._lock:  # another request is computing them: this one does not wait
        assert figures.get(session, settings, None) is second
    assert figures.get(session, settings, None).paid_cents == 75000

    right_away = PublicFigures(0, clock)  # what the tests use
    assert right_away.get(session, settings, None).paid_cents == 75000
    sell()
    assert right_away.get(session, settings, None).paid_cents == 100000
    assert right_away.get(session, settings, 1999).paid_cents == 0  # each year on its own
