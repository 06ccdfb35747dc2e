"""The disputes API: the buyer opens one (once), those involved read it, an administrator resolves it."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from market.config import Settings
from market.disputes import service as disputes
from market.payments.models import Refund
from tests.disputes.conftest import Shop, paid_part
from tests.helpers import api_token

REASON = "Pedí café en grano y llegó molido."


def test_open_read_and_resolve_a_dispute(
    client: TestClient, engine: Engine, session: Session, settings: Settings, shop: Shop
) -> None:
    part = paid_part(engine, settings, shop)
    buyer, owner = api_token(client, "eva@example.mx"), api_token(client, "cafe@example.mx")
    stranger, admin = api_token(client, "luis@example.mx"), api_token(client, "admin@example.mx")
    path = f"/api/v1/fulfillments/{part.id}/dispute"

    assert client.post(path, json={"reason": REASON}).status_code == 401
    assert client.post(path, json={"reason": REASON}, headers=owner).status_code == 403
    assert client.post(path, json={"reason": REASON}, headers=stranger).status_code == 404
    short = client.post(path, json={"reason": "molido"}, headers=buyer)
    assert short.status_code == 422 and set(short.json()["fields"]) == {"reason"}

    opened = client.post(path, json={"reason": REASON}, headers=buyer)
    assert opened.status_code == 201, opened.text
    body = opened.json()
    assert (body["status"], body["reason"], body["order_id"], body["fulfillment_id"]) == (
        "open",
        REASON,
        part.order_id,
        part.id,
    )
    again = client.post(path, json={"reason": REASON}, headers=buyer)
    assert again.status_code == 409 and again.json()["detail"] == disputes.ALREADY_OPENED

    read = f"/api/v1/disputes/{body['id']}"
    for who in (buyer, owner, admin):
        assert client.get(read, headers=who).json()["reason"] == REASON
    assert client.get(read, headers=stranger).status_code == 404

    resolve = f"/api/v1/admin/disputes/{body['id']}/resolve"
    decision = {"outcome": "refund", "amount_cents": 5000, "note": "Se devuelve la diferencia."}
    assert client.post(resolve, json=decision, headers=buyer).status_code == 403
    assert client.post(resolve, json=decision | {"amount_cents": 40000}, headers=admin).status_code == 422
    resolved = client.post(resolve, json=decision, headers=admin)
    assert resolved.status_code == 200, resolved.text
    assert (resolved.json()["status"], resolved.json()["refund_cents"]) == ("refunded", 5000)
    assert client.post(resolve, json=decision, headers=admin).status_code == 409
    assert [r.amount_cents for r in session.exec(select(Refund)).all()] == [5000]
