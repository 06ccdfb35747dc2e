"""A state food programme buys in tonnes: its award's money outgrows 32 bits and still goes through, on
the JSON API, into the order, its lines, its ledger and its payment."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from market.ledger import service as ledger
from market.orders.models import Order
from tests.linking.conftest import close_quoting, demand_body, verified_institution

TONNES = 100_000  # kg
PRICE = 300_00  # $300 a kg


def test_an_award_of_100_000_kg_at_300_pesos_places_its_order(
    app: FastAPI,
    client: TestClient,
    session: Session,
    parties: dict[str, Any],
) -> None:
    school = parties["school"]
    institution = verified_institution(client, parties)
    demand = client.post(
        f"/api/v1/buyer-organizations/{institution['id']}/demands",
        headers=school,
        json=demand_body(title="Miel para el programa estatal de alimentación", quantity=TONNES),
    )
    assert demand.status_code == 201, demand.text
    demand_id = demand.json()["id"]
    assert client.post(f"/api/v1/demands/{demand_id}/open", headers=school).status_code == 200
    mani, mani_token = parties["producers"]["mani"]
    quoted = client.post(
        f"/api/v1/demands/{demand_id}/quotes",
        headers=mani_token,
        json={"organization": mani.slug, "unit_price_cents": PRICE, "quantity": TONNES},
    )
    assert quoted.status_code == 201, quoted.text
    close_quoting(app, demand_id)

    awarded = client.post(
        f"/api/v1/demands/{demand_id}/award",
        headers=school,
        json={"allocations": [{"quote_id": quoted.json()["id"], "quantity": TONNES}]},
    )

    assert awarded.status_code == 201, awarded.text
    [order] = awarded.json()
    assert order["total_cents"] == 3_000_000_000 > 2**31
    assert order["fulfillments"][0]["lines"][0]["total_cents"] == 3_000_000_000
    stored_order = session.exec(select(Order).where(Order.id == order["id"])).one()
    assert stored_order.total_cents == 3_000_000_000
    assert ledger.receivable_of(session, order["id"]) == 3_000_000_000
    assert ledger.imbalance(session) == 0
