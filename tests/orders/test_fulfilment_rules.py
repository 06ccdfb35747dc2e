"""The rules of a part's life that protect both sides: its hand-over follows how the buyer chose to
receive it; a producer may still cancel an accepted part, with a reason, and the buyer is refunded; an
order that ends unpaid is news only to whom heard of it; cash-on-pickup reservations lapse unless the
producer accepts in time, and no buyer holds more than a few unpaid reservations."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from market.config import Settings
from market.db import transaction, utcnow
from market.errors import ChangedMeanwhile, TooManyUnpaidOrders
from market.ledger import service as ledger
from market.orders.checkout import checkout
from market.orders.fulfillment import transition
from market.orders.jobs import expire_unpaid, lapse_unaccepted_pickups
from market.orders.models import Fulfillment, FulfillmentEvent, Order
from market.orders.schemas import Checkout
from market.payments.models import Refund
from tests.helpers import api_token, at_once, csrf_of, database_state, emails, emails_to, log_in, stock
from tests.pages import buttons, field_names, flash, soup, texts


@pytest.fixture
def three_ways(client: TestClient, make_user: Any, make_org: Any, make_listing: Any) -> dict[str, Any]:
    """One paid order with a part picked up, one delivered locally and one shipped across the country."""
    parts: dict[str, Any] = {}
    for method, key in (("pickup", "cafe"), ("delivery", "miel"), ("national", "cacao")):
        owner = make_user(f"{key}@example.mx")
        org = make_org(owner, name=f"Cooperativa {key}", state="31")
        listing = make_listing(
            org, title=key.title(), delivery_states=["31"], national_shipping=True, stock=10
        )
        parts[method] = {"org": org, "listing": listing, "token": api_token(client, owner.email)}
    make_user("admin@example.mx", is_admin=True)
    buyer = api_token(client, make_user("eva@example.mx").email)
    order = client.post(
        "/api/v1/orders",
        headers=buyer,
        json={
            "items": [{"listing_id": p["listing"].id, "quantity": 1} for p in parts.values()],
            "delivery": {str(p["org"].id): method for method, p in parts.items()},
            "delivery_state": "31",
            "ship_to": "Calle 60 número 491, Centro, 97000 Mérida",
        },
    )
    assert order.status_code == 201, order.text
    admin = api_token(client, "admin@example.mx")
    client.post(
        f"/api/v1/orders/{order.json()['id']}/offline-payment", headers=admin, json={"reference": "SPEI 9"}
    )
    for part in order.json()["fulfillments"]:
        method = part["delivery_method"]
        parts[method]["id"] = part["id"]
        for step in ("accepted", "preparing"):
            moved = client.post(
                f"/api/v1/fulfillments/{part['id']}/moves",
                headers=parts[method]["token"],
                json={"status": step},
            )
            assert moved.status_code == 200, moved.text
    return parts


def test_the_hand_over_step_follows_the_delivery_method(
    client: TestClient, three_ways: dict[str, Any]
) -> None:
    def move(method: str, status: str, **extra: str) -> Any:
        part = three_ways[method]
        return client.post(
            f"/api/v1/fulfillments/{part['id']}/moves",
            headers=part["token"],
            json={"status": status, **extra},
        )

    for method, wrong in (
        ("pickup", "shipped"),
        ("delivery", "ready_for_pickup"),
        ("national", "ready_for_pickup"),
    ):
        refused = move(method, wrong, carrier="Estafeta", tracking_number="EST1")
        assert refused.status_code == 409 and refused.json()["error"] == "step_not_for_delivery", method
    assert move("national", "shipped").status_code == 422  # across the country: a tracking number
    assert move("pickup", "ready_for_pickup").status_code == 200
    assert move("delivery", "shipped", carrier="Estafeta", tracking_number="X1").status_code == 422
    out = move("delivery", "shipped", note="Lo lleva Rosa hoy a las 5")  # no carrier to invent
    assert out.status_code == 200 and out.json()["fulfillments"][0]["tracking_number"] is None
    assert move("national", "shipped", carrier="Estafeta", tracking_number="EST1").status_code == 200
    log_in(client, "eva@example.mx")
    timeline = texts(client.get(f"/pedidos/{out.json()['id']}"), "ol.timeline li")
    assert [step for step in timeline if step.endswith("Salió a entregar — Lo lleva Rosa hoy a las 5")]


def test_the_producer_pages_offer_only_the_steps_of_the_delivery_method(
    client: TestClient, three_ways: dict[str, Any]
) -> None:
    offered = {}
    for method, part in three_ways.items():
        client.cookies.clear()
        log_in(client, f"{part['listing'].title.lower()}@example.mx")
        offered[method] = soup(client.get(f"/panel/o/{part['org'].slug}/pedidos"))
    steps = {method: buttons(page) for method, page in offered.items()}
    assert "Listo para recoger" in steps["pickup"] and "Marcar como enviado" not in steps["pickup"]
    assert "Salió a entregar" in steps["delivery"] and "Listo para recoger" not in steps["delivery"]
    assert "tracking_number" not in field_names(offered["delivery"])
    assert "Marcar como enviado" in steps["national"] and "tracking_number" in field_names(
        offered["national"]
    )

    slug, part_id = three_ways["pickup"]["org"].slug, three_ways["pickup"]["id"]
    client.cookies.clear()
    log_in(client, "cafe@example.mx")
    token = csrf_of(client, f"/panel/o/{slug}/pedidos")
    shipped = client.post(
        f"/panel/o/{slug}/pedidos/{part_id}",
        data={"status": "shipped", "carrier": "DHL", "tracking_number": "1", "csrf_token": token},
    )
    assert shipped.status_code == 303
    assert "no corresponde a la forma de entrega" in flash(client.get(f"/panel/o/{slug}/pedidos"), "error")


def test_a_producer_cancels_an_accepted_part_with_a_reason_and_the_buyer_is_refunded(
    client: TestClient, session: Session, engine: Engine, three_ways: dict[str, Any]
) -> None:
    part = three_ways["pickup"]
    url = f"/api/v1/fulfillments/{part['id']}/moves"
    buyer = api_token(client, "eva@example.mx")
    assert (
        client.post(url, headers=buyer, json={"status": "cancelled"}).status_code == 409
    )  # too late for her
    before = database_state(engine)
    no_reason = client.post(url, headers=part["token"], json={"status": "cancelled"})
    assert no_reason.status_code == 422 and "note" in no_reason.json()["fields"]
    assert database_state(engine) == before
    assert stock(session, part["listing"]) == 9

    cancelled = client.post(
        url, headers=part["token"], json={"status": "cancelled", "note": "Se quemó el tostador"}
    )

    assert cancelled.status_code == 200
    assert cancelled.json()["fulfillments"][0]["status"] == "cancelled"
    assert stock(session, part["listing"]) == 10
    fulfillment = session.get(Fulfillment, part["id"])
    assert fulfillment is not None
    assert ledger.share_of(session, fulfillment.order_id, part["org"].id) == 0
    refund = session.exec(select(Refund).where(Refund.fulfillment_id == part["id"])).one()
    assert refund.amount_cents == fulfillment.subtotal_cents + fulfillment.delivery_cents
    told = [email["body"] for email in emails_to(session, "eva@example.mx")][-1]
    assert "La organización canceló esta parte" in told and "Se quemó el tostador" in told
    assert not any("canceló" in email["body"] for email in emails_to(session, "cafe@example.mx"))


def test_a_producer_cancels_on_its_page_only_with_a_reason(
    client: TestClient, session: Session, engine: Engine, three_ways: dict[str, Any]
) -> None:
    part = three_ways["delivery"]
    slug = part["org"].slug
    log_in(client, "miel@example.mx")
    assert "Cancelar esta parte" in buttons(client.get(f"/panel/o/{slug}/pedidos"))
    before = database_state(engine)
    token = csrf_of(client, f"/panel/o/{slug}/pedidos")
    client.post(f"/panel/o/{slug}/pedidos/{part['id']}", data={"status": "cancelled", "csrf_token": token})
    assert (
        flash(client.get(f"/panel/o/{slug}/pedidos"), "error") == "Explica a quien compró por qué cancelas."
    )
    long_reason = {"status": "cancelled", "note": "x" * 501, "csrf_token": token}
    assert client.post(f"/panel/o/{slug}/pedidos/{part['id']}", data=long_reason).status_code == 303
    assert "Escribe hasta 500 caracteres." in flash(client.get(f"/panel/o/{slug}/pedidos"), "error")
    assert database_state(engine) == before

    client.post(
        f"/panel/o/{slug}/pedidos/{part['id']}",
        data={"status": "cancelled", "note": "Lluvias: no hay cosecha", "csrf_token": token},
    )
    session.expire_all()
    fulfillment = session.get(Fulfillment, part["id"])
    assert fulfillment is not None and fulfillment.status == "cancelled"


@pytest.fixture
def shop(make_user: Any, make_org: Any, make_listing: Any) -> dict[str, Any]:
    owner = make_user("cafe@example.mx")
    return {
        "listing": make_listing(make_org(owner), title="Café", stock=10),
        "buyer": make_user("eva@example.mx"),
    }


def buy(engine: Engine, settings: Settings, shop: dict[str, Any], method: str = "spei_transfer") -> Order:
    with transaction(engine) as tx:
        return checkout(
            tx,
            settings,
            shop["buyer"],
            Checkout(items=[{"listing_id": shop["listing"].id, "quantity": 2}], payment_method=method),
        )


def test_an_order_that_expires_unpaid_is_news_only_to_its_buyer(
    engine: Engine, session: Session, settings: Settings, shop: dict[str, Any]
) -> None:
    buy(engine, settings, shop)
    with transaction(engine) as tx:
        assert expire_unpaid(tx, utcnow() + timedelta(days=4)) == 1

    told = emails(session)
    assert [(email["to"], email["kind"]) for email in told] == [
        ("eva@example.mx", "order_placed"),
        ("eva@example.mx", "order_news"),
    ]
    assert "La reserva venció sin pago." in told[1]["body"]
    assert stock(session, shop["listing"]) == 10


def test_a_cash_on_pickup_part_lapses_unless_its_producer_accepts_in_time(
    engine: Engine,
    session: Session,
    settings: Settings,
    shop: dict[str, Any],
    make_listing: Any,
    make_org: Any,
    make_user: Any,
) -> None:
    order = buy(engine, settings, shop, "cash_on_pickup")
    assert order.reserved_until is not None
    with transaction(engine) as tx:
        assert lapse_unaccepted_pickups(tx, utcnow() + timedelta(hours=47)) == 0
        assert lapse_unaccepted_pickups(tx, utcnow() + timedelta(hours=49)) == 1

    session.expire_all()
    part = session.exec(select(Fulfillment).where(Fulfillment.order_id == order.id)).one()
    assert part.status == "cancelled" and stock(session, shop["listing"]) == 10
    assert session.get_one(Order, order.id).status == "cancelled"  # nothing is left to pay at pickup
    told = {email["to"]: email["body"] for email in emails(session)}
    assert "no confirmó el pedido a tiempo" in told["eva@example.mx"]
    assert "no confirmó el pedido a tiempo" in told["cafe@example.mx"]  # it had been told of the order

    accepted = buy(engine, settings, shop, "cash_on_pickup")
    with transaction(engine) as tx:
        part = tx.exec(select(Fulfillment).where(Fulfillment.order_id == accepted.id)).one()
        transition(tx, part, "accepted", None)
    with transaction(engine) as tx:
        assert lapse_unaccepted_pickups(tx, utcnow() + timedelta(days=30)) == 0


def test_a_buyer_holds_at_most_a_few_unpaid_reservations(
    client: TestClient, engine: Engine, session: Session, settings: Settings, shop: dict[str, Any]
) -> None:
    settings.max_unpaid_orders = 2  # the app's settings too: the page below sees the same limit
    buy(engine, settings, shop)
    buy(engine, settings, shop, "cash_on_pickup")
    with pytest.raises(TooManyUnpaidOrders):
        buy(engine, settings, shop)
    assert stock(session, shop["listing"]) == 6

    log_in(client, "eva@example.mx")
    token = csrf_of(client, f"/productos/{shop['listing'].id}/{shop['listing'].slug}")
    client.post(
        "/carrito/agregar", data={"listing_id": shop["listing"].id, "quantity": 1, "csrf_token": token}
    )
    before = database_state(engine)
    page = client.post("/carrito/pagar", data={"csrf_token": csrf_of(client, "/carrito")})
    assert page.status_code == 409
    assert flash(page, "error").startswith("Tienes 2 pedidos apartados sin pagar.")
    assert database_state(engine) == before


def test_two_checkouts_of_one_buyer_at_once_cannot_pass_the_limit_together(
    engine: Engine, session: Session, settings: Settings, shop: dict[str, Any]
) -> None:
    settings.max_unpaid_orders = 1

    def attempt() -> str:
        try:
            buy(engine, settings, shop)
            return "ok"
        except TooManyUnpaidOrders:
            return "refused"

    assert at_once(attempt) == ["ok", "refused"]
    assert len(session.exec(select(Order)).all()) == 1


def test_two_workers_lapsing_the_same_pickup_at_once_return_its_stock_once(
    engine: Engine, session: Session, settings: Settings, shop: dict[str, Any]
) -> None:
    order = buy(engine, settings, shop, "cash_on_pickup")
    later = utcnow() + timedelta(hours=49)

    def lapse() -> str:
        try:
            with transaction(engine) as tx:
                return f"lapsed {lapse_unaccepted_pickups(tx, later)}"
        except ChangedMeanwhile:  # the other worker got there first (SQLite has no SKIP LOCKED)
            return "lapsed 0"

    assert at_once(lapse) == ["lapsed 0", "lapsed 1"]
    assert stock(session, shop["listing"]) == 10
    part = session.exec(select(Fulfillment).where(Fulfillment.order_id == order.id)).one()
    cancellations = session.exec(
        select(FulfillmentEvent).where(
            FulfillmentEvent.fulfillment_id == part.id, FulfillmentEvent.to_status == "cancelled"
        )
    ).all()
    assert len(cancellations) == 1
