"""Row locks on listings are taken in one order (by id) by every path that changes stock, so that a checkout
and a cancellation of the same listings at once never wait for each other in a circle (a deadlock: one of
them fails). They are taken last: every buyer of a popular listing waits on its row until the transaction
that holds it commits, so nothing is written after them (only the answer is read)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
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


@contextmanager
def statements(app: Any) -> Iterator[list[str]]:
    """What the app sends to the database meanwhile, each statement's first words, and COMMIT."""
    sent: list[str] = []

    def on_execute(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.append(" ".join(statement.split()[:4]))

    engine = app.state.engine
    event.listen(engine, "before_cursor_execute", on_execute)
    event.listen(engine, "commit", lambda _conn: sent.append("COMMIT"))
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
        engine.dispatch.commit.clear()


STOCK = "UPDATE listing SET stock=(listing.stock"


def after_stock(sent: list[str]) -> list[str]:
    """What follows the first change of a listing's units, up to the commit."""
    first = sent.index(STOCK)
    return sent[first : sent.index("COMMIT", first) + 1]


def written(sent: list[str]) -> list[str]:
    return [statement for statement in sent if not statement.startswith(("SELECT", "COMMIT"))]


def test_a_checkout_takes_its_units_last(
    client: TestClient, app: Any, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    first = make_org(make_user("cafe@example.mx"), name="Café de Huatusco")
    second = make_org(make_user("miel@example.mx"), name="Miel de Calakmul")
    coffee, honey = make_listing(first, title="Café", stock=20), make_listing(second, title="Miel", stock=20)
    buyer = api_token(client, make_user("lucia@example.mx").email)
    with statements(app) as sent:
        order = client.post(
            "/api/v1/orders",
            headers=buyer,
            json={
                "items": [{"listing_id": honey.id, "quantity": 2}, {"listing_id": coffee.id, "quantity": 1}]
            },
        )
    assert order.status_code == 201, order.text
    assert len(order.json()["fulfillments"]) == 2
    assert any(statement.startswith("INSERT INTO orders") for statement in sent)
    assert written(after_stock(sent)) == [STOCK, STOCK], sent


def test_a_cancellation_gives_units_back_last(
    client: TestClient, app: Any, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    org = make_org(make_user("cafe@example.mx"))
    listing = make_listing(org, title="Café", stock=20)
    buyer = api_token(client, make_user("lucia@example.mx").email)
    order = client.post(
        "/api/v1/orders", headers=buyer, json={"items": [{"listing_id": listing.id, "quantity": 3}]}
    )
    [part] = order.json()["fulfillments"]
    with statements(app) as sent:
        moved = client.post(
            f"/api/v1/fulfillments/{part['id']}/moves", headers=buyer, json={"status": "cancelled"}
        )
    assert moved.status_code == 200, moved.text
    assert moved.json()["status"] == "cancelled"
    assert written(after_stock(sent)) == [STOCK], sent
