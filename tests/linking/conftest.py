"""What the linking tests share through the JSON API: a school, an administrator and two honey producers in
Yucatán (`parties`), a demand's body, an institution registered and verified, and quoting closed early."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from market.db import utcnow
from market.linking.matching import match_demand
from market.linking.models import Demand
from tests.helpers import INSTITUTION, api_token, run_search_worker


def demand_body(**overrides: Any) -> dict[str, Any]:
    return {
        "title": "Miel para el desayuno escolar",
        "category": "miel",
        "quantity": 500,
        "unit": "kg",
        "delivery_state": "31",
        "delivery_municipality": "Mérida",
        "delivery_address": "Calle 60 número 491, Centro",
        "first_delivery": str(date.today() + timedelta(days=30)),
        "quote_deadline": (utcnow() + timedelta(days=10)).isoformat(),
    } | overrides


@pytest.fixture
def parties(
    app: FastAPI, client: TestClient, make_user: Any, make_org: Any, make_listing: Any
) -> dict[str, Any]:
    producers = {}
    for key, name in (("mani", "Meliponicultoras de Maní"), ("puuc", "Apicultoras del Puuc")):
        owner = make_user(f"{key}@example.mx")
        organization = make_org(owner, name=name, state="31", latitude=20.4, longitude=-89.4)
        make_listing(organization, title="Miel de abeja", category="miel", delivery_states=["31"])
        producers[key] = (organization, api_token(client, owner.email))
    run_search_worker(app)
    make_user("admin@example.mx", is_admin=True)
    return {
        "school": api_token(client, make_user("compras@escuela.mx").email),
        "admin": api_token(client, "admin@example.mx"),
        "producers": producers,
    }


def verified_institution(client: TestClient, parties: dict[str, Any]) -> dict[str, Any]:
    """The school registers its institution (tests.helpers.INSTITUTION) and an administrator verifies it."""
    institution: dict[str, Any] = client.post(
        "/api/v1/buyer-organizations", headers=parties["school"], json=INSTITUTION
    ).json()
    client.post(
        f"/api/v1/buyer-organizations/{institution['id']}/decision",
        headers=parties["admin"],
        json={"verified": True},
    )
    return institution


def close_quoting(app: FastAPI, demand_id: int) -> None:
    """Move the demand's deadline for quotes a second into the past, so that it can be awarded."""
    with Session(app.state.engine) as tx:
        stored = tx.get(Demand, demand_id)
        assert stored is not None
        stored.quote_deadline = utcnow() - timedelta(seconds=1)
        tx.add(stored)
        tx.commit()


# --- an awarded recurring demand, for the schedule's tests (tests/linking/test_schedule*.py) ---------------

FIRST = date.today() + timedelta(days=30)
DUES = [FIRST + timedelta(days=7 * n) for n in range(4)]
MANI_OFFERED, MANI_AWARDED, PUUC_OFFERED = 400, 300, 200


@pytest.fixture
def scheduled(app: FastAPI, client: TestClient, parties: dict[str, Any]) -> dict[str, Any]:
    """A school's weekly honey, four deliveries of 500 kg: Maní quoted 400 kg and got 300, Puuc quoted and
    got 200. The first delivery's order is placed at the award; the three others are scheduled."""
    school = parties["school"]
    institution = verified_institution(client, parties)
    body = demand_body(quantity=500, every_days=7, deliveries=4, first_delivery=str(FIRST))
    demand_id = client.post(
        f"/api/v1/buyer-organizations/{institution['id']}/demands", headers=school, json=body
    ).json()["id"]
    client.post(f"/api/v1/demands/{demand_id}/open", headers=school)
    with Session(app.state.engine) as tx:
        match_demand(tx, app.state.search, demand_id)
        tx.commit()
    quotes = {}
    for key, price, quantity in (("mani", 24000, MANI_OFFERED), ("puuc", 25000, PUUC_OFFERED)):
        organization, token = parties["producers"][key]
        quote = {"organization": organization.slug, "unit_price_cents": price, "quantity": quantity}
        quotes[key] = client.post(f"/api/v1/demands/{demand_id}/quotes", headers=token, json=quote).json()
    close_quoting(app, demand_id)
    allocations = [
        {"quote_id": quotes["mani"]["id"], "quantity": MANI_AWARDED},
        {"quote_id": quotes["puuc"]["id"], "quantity": PUUC_OFFERED},
    ]
    response = client.post(
        f"/api/v1/demands/{demand_id}/award", headers=school, json={"allocations": allocations}
    )
    assert response.status_code == 201, response.text
    return {
        "demand_id": demand_id,
        "url": f"/api/v1/demands/{demand_id}/schedule",
        "quotes": quotes,
        "institution": institution,
        "first_order": response.json()[0]["id"],
        **parties,
    }
