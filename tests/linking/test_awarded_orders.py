"""An awarded demand's order as each party sees it: a producer sees its own part and totals made of it
alone (never a figure from which a competitor's quoted price follows); every member of the institution
sees and works the whole order."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from market.accounts.models import User
from market.config import Settings
from market.db import transaction
from market.errors import Conflict
from market.linking import awards
from market.linking.matching import match_demand
from market.linking.models import Demand
from market.linking.schemas import AwardRequest
from market.mail.render import when
from market.orders.models import Order
from market.organizations.models import Membership
from tests.helpers import api_token, at_once, csrf_of, emails_to, fresh, html_words, join_institution, log_in
from tests.linking.conftest import close_quoting, demand_body, verified_institution
from tests.pages import hrefs, main, one, soup, text_of, texts

QUANTITY, MANI_QTY, PUUC_QTY, MANI_PRICE, PUUC_PRICE = 500, 300, 200, 24000, 25000


@pytest.fixture
def quoted(app: FastAPI, client: TestClient, parties: dict[str, Any]) -> dict[str, Any]:
    """A school's demand for 500 kg of honey, closed with Maní's quote of 300 kg and Puuc's of 200 kg."""
    school = parties["school"]
    institution = verified_institution(client, parties)
    demand_id = client.post(
        f"/api/v1/buyer-organizations/{institution['id']}/demands",
        headers=school,
        json=demand_body(quantity=QUANTITY),
    ).json()["id"]
    client.post(f"/api/v1/demands/{demand_id}/open", headers=school)
    with Session(app.state.engine) as tx:
        match_demand(tx, app.state.search, demand_id)
        tx.commit()
    quotes = {}
    for key, price, quantity in (("mani", MANI_PRICE, MANI_QTY), ("puuc", PUUC_PRICE, PUUC_QTY)):
        organization, token = parties["producers"][key]
        body = {"organization": organization.slug, "unit_price_cents": price, "quantity": quantity}
        quotes[key] = client.post(f"/api/v1/demands/{demand_id}/quotes", headers=token, json=body).json()
    close_quoting(app, demand_id)
    allocations = [{"quote_id": q["id"], "quantity": q["quantity"]} for q in quotes.values()]
    return {"demand_id": demand_id, "allocations": allocations, "institution": institution, **parties}


@pytest.fixture
def awarded(client: TestClient, quoted: dict[str, Any]) -> dict[str, Any]:
    """The same demand, awarded 300 kg to Maní and 200 kg to Puuc, picked up."""
    [order] = client.post(
        f"/api/v1/demands/{quoted['demand_id']}/award",
        headers=quoted["school"],
        json={"allocations": quoted["allocations"]},
    ).json()
    return {"order": order, **quoted}


def test_two_members_awarding_at_once_place_one_order(
    app: FastAPI, settings: Settings, session: Session, quoted: dict[str, Any]
) -> None:
    school = session.exec(select(User).where(User.email == "compras@escuela.mx")).one()
    request = AwardRequest(allocations=quoted["allocations"])

    def award() -> str:
        try:
            with transaction(app.state.engine) as tx:
                awards.award(tx, settings, school, tx.get_one(Demand, quoted["demand_id"]), request)
            return "awarded"
        except Conflict:
            return "conflict"

    assert at_once(award) == ["awarded", "conflict"]
    assert len(session.exec(select(Order)).all()) == 1


def competitor_price(seen: dict[str, Any], own_org_id: int) -> float:
    """What a competitor would compute: (total − own subtotal) / (demand quantity − own quantity)."""
    [own] = [f for f in seen["fulfillments"] if f["organization_id"] == own_org_id]
    own_quantity = sum(line["quantity"] for line in own["lines"])
    return (seen["total_cents"] - own["subtotal_cents"]) / (QUANTITY - own_quantity)


def test_a_producer_cannot_compute_its_competitors_price_from_any_response(
    client: TestClient, awarded: dict[str, Any]
) -> None:
    order = awarded["order"]
    mani, mani_token = awarded["producers"]["mani"]
    assert competitor_price(order, mani.id) == PUUC_PRICE  # the institution sees the whole order

    read = client.get(f"/api/v1/orders/{order['id']}", headers=mani_token).json()
    mani_part = next(f for f in order["fulfillments"] if f["organization_id"] == mani.id)
    moved = client.post(
        f"/api/v1/fulfillments/{mani_part['id']}/moves", headers=mani_token, json={"status": "accepted"}
    )
    assert moved.status_code == 200, moved.text
    for seen in (read, moved.json()):
        assert [f["organization_id"] for f in seen["fulfillments"]] == [mani.id]
        assert seen["total_cents"] == seen["subtotal_cents"] == MANI_QTY * MANI_PRICE
        assert competitor_price(seen, mani.id) == 0

    log_in(client, "mani@example.mx")
    order_page = soup(client.get(f"/pedidos/{order['id']}"))
    assert text_of(one(order_page, "#order-status strong")) == "$72,000.00"  # its own 300 kg at $240
    queue = soup(client.get(f"/panel/o/{mani.slug}/pedidos"))
    assert [line.endswith(" · $72,000.00") for line in texts(queue, "article.card li")] == [True]
    for html in (order_page, queue):
        shown = text_of(main(html))
        for other in ("Apicultoras del Puuc", "$50,000.00", "$122,000.00"):  # the other producer, the total
            assert other not in shown
    purchase_order = soup(client.get(f"/pedidos/{order['id']}/orden-de-compra"))
    assert text_of(one(purchase_order, ".po-total strong")) == "Total de la orden: $72,000.00"
    assert "$122,000.00" not in text_of(purchase_order)


def test_every_member_of_the_institution_sees_and_works_its_orders(
    client: TestClient, session: Session, awarded: dict[str, Any], make_user: Any
) -> None:
    order, institution = awarded["order"], awarded["institution"]
    make_user("direccion@escuela.mx")
    colleague = join_institution(
        client, session, institution["id"], awarded["school"], "direccion@escuela.mx"
    )

    assert [o["id"] for o in client.get("/api/v1/orders", headers=colleague).json()] == [order["id"]]
    whole = client.get(f"/api/v1/orders/{order['id']}", headers=colleague).json()
    assert whole["total_cents"] == MANI_QTY * MANI_PRICE + PUUC_QTY * PUUC_PRICE
    part = order["fulfillments"][0]
    thread = f"/api/v1/fulfillments/{part['id']}/messages"
    assert client.post(thread, headers=colleague, json={"body": "¿Llegan el lunes?"}).status_code == 201
    assert [m["body"] for m in client.get(thread, headers=colleague).json()] == ["¿Llegan el lunes?"]

    log_in(client, "direccion@escuela.mx")
    assert f"/pedidos/{order['id']}" in hrefs(client.get("/pedidos"))
    page = client.get(f"/pedidos/{order['id']}")
    assert page.status_code == 200 and text_of(one(page, "#order-status strong")) == "$122,000.00"
    posted = client.post(
        f"/pedidos/{order['id']}/partes/{part['id']}/mensajes",
        data={"body": "Gracias", "csrf_token": csrf_of(client, f"/pedidos/{order['id']}")},
    )
    assert posted.status_code == 303
    assert "Gracias" in texts(client.get(f"/pedidos/{order['id']}"), ".messages li p")


def test_an_awarded_demand_s_order_reaches_the_institution_with_its_terms_and_each_producer_with_its_part(
    session: Session,
    awarded: dict[str, Any],
) -> None:
    order = fresh(session, Order, awarded["order"]["id"])
    assert order.payment_due_at is not None and order.purchase_order
    [placed] = [e for e in emails_to(session, "compras@escuela.mx") if e["kind"] == "order_placed"]
    assert placed["link"] == f"/pedidos/{order.id}"
    for part in (placed["body"], html_words(placed["html"])):
        assert f"Orden de compra {order.purchase_order}" in part
        assert f"Paga antes del {when(order.payment_due_at)}." in part
        assert "$240.00" in part and "$250.00" in part and "$122,000.00" in part
    for key, own, other in (("mani", MANI_PRICE, PUUC_PRICE), ("puuc", PUUC_PRICE, MANI_PRICE)):
        [news] = [e for e in emails_to(session, f"{key}@example.mx") if e["kind"] == "new_order"]
        assert f"${own // 100}.00" in news["body"] and f"${other // 100}.00" not in news["body"]
        assert "$122,000.00" not in news["body"] and "$122,000.00" not in news["html"]


def test_whoever_is_taken_out_loses_the_order_with_the_very_next_request(
    client: TestClient, session: Session, awarded: dict[str, Any], make_user: Any
) -> None:
    """A colleague of the institution and a member of a producer see the order; once an owner takes them
    out, their next request (same token) does not find it."""
    order, institution = awarded["order"], awarded["institution"]
    mani, mani_owner = awarded["producers"]["mani"]
    colleague, helper = make_user("direccion@escuela.mx"), make_user("eva@mani.mx")
    members = f"/api/v1/buyer-organizations/{institution['id']}/members"
    join_institution(client, session, institution["id"], awarded["school"], colleague.email)
    session.add(Membership(user_id=helper.id or 0, organization_id=mani.id or 0, role="member"))
    session.commit()
    tokens = [api_token(client, colleague.email), api_token(client, helper.email)]
    url = f"/api/v1/orders/{order['id']}"
    assert [client.get(url, headers=token).status_code for token in tokens] == [200, 200]

    assert client.delete(f"{members}/{colleague.id}", headers=awarded["school"]).status_code == 204
    assert (
        client.delete(
            f"/api/v1/organizations/{mani.slug}/members/{helper.id}", headers=mani_owner
        ).status_code
        == 204
    )

    assert [client.get(url, headers=token).status_code for token in tokens] == [404, 404]
    assert [client.get("/api/v1/orders", headers=token).json() for token in tokens] == [[], []]
