"""Row locks on listings are taken in one order (by id) by every path that changes stock, so that a checkout
and a cancellation of the same listings at once never wait for each other in a circle (a deadlock: one of
them fails)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlmodel import Session

from market.config import Settings
from market.orders.checkout import LineDraft, PartDraft, place_order
from tests.helpers import api_token


def test_a_cancellation_gives_units_back_in_listing_order(
    client: TestClient,
    app: Any,
    session: Session,
    settings: Settings,
    make_user: Any,
    make_org: Any,
    make_listing: Any,
) -> None:
    org = make_org(make_user("cafe@example.mx"))
    first = make_listing(org, title="Café tostado", stock=20)
    second = make_listing(org, title="Café verde", stock=20)
    lucia = make_user("lucia@example.mx")
    # A checkout writes its lines in listing order; an awarded demand writes them as they were quoted.
    quoted = [
        LineDraft(second.id, "Café verde", "kg", 21000, 2),
        LineDraft(first.id, "Café tostado", "kg", 32000, 1),
    ]
    order = place_order(session, settings, lucia, "spei_transfer", [PartDraft(org.id, "pickup", 0, quoted)])
    session.commit()
    buyer = api_token(client, lucia.email)
    [part] = client.get(f"/api/v1/orders/{order.id}", headers=buyer).json()["fulfillments"]

    touched: list[int] = []

    def on_execute(_conn: Any, _cursor: Any, statement: str, _params: Any, context: Any, _many: bool) -> None:
        if statement.startswith("UPDATE listing SET stock"):
            touched.append(context.compiled_parameters[0]["id_1"])

    event.listen(app.state.engine, "before_cursor_execute", on_execute)
    try:
        moved = client.post(
            f"/api/v1/fulfillments/{part['id']}/moves",
            headers=buyer,
            json={"status": "cancelled"},
        )
    finally:
        event.remove(app.state.engine, "before_cursor_execute", on_execute)
    assert moved.status_code == 200, moved.text
    assert touched == [first.id, second.id]
