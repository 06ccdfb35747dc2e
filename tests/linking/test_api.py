"""Productive linking through the JSON API: an institution registers, posts a demand, two producers quote
partial quantities, the institution awards both; bad input is a clear 4xx and writes nothing."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from market.catalog.models import Listing
from market.db import utcnow
from market.linking.matching import match_demand
from market.linking.models import BuyerOrganization, Demand, DemandInvitation, Quote
from tests.helpers import INSTITUTION, api_token, emails, join_institution
from tests.linking.conftest import close_quoting, demand_body, verified_institution


def test_from_demand_to_one_order_filled_by_two_producers(
    app: FastAPI, client: TestClient, session: Session, parties: dict[str, Any]
) -> None:
    school, admin = parties["school"], parties["admin"]
    created = client.post(
        "/api/v1/buyer-organizations", headers=school, json=INSTITUTION | {"kind": "school"}
    )
    assert created.status_code == 201, created.text
    institution = created.json()
    assert institution["verification_status"] == "pending"
    decided = client.post(
        f"/api/v1/buyer-organizations/{institution['id']}/decision", headers=admin, json={"verified": True}
    )
    assert decided.json()["verification_status"] == "verified"

    demand = client.post(
        f"/api/v1/buyer-organizations/{institution['id']}/demands", headers=school, json=demand_body()
    )
    assert demand.status_code == 201, demand.text
    demand_id = demand.json()["id"]
    mani, mani_token = parties["producers"]["mani"]
    puuc, puuc_token = parties["producers"]["puuc"]
    assert client.get(f"/api/v1/demands/{demand_id}", headers=mani_token).status_code == 404  # still a draft
    assert client.post(f"/api/v1/demands/{demand_id}/open", headers=school).json()["status"] == "open"
    with Session(app.state.engine) as tx:
        match_demand(tx, app.state.search, demand_id)  # what the worker does next
        tx.commit()
    for_mani = client.get(f"/api/v1/organizations/{mani.slug}/demands", headers=mani_token).json()
    assert [d["id"] for d in for_mani] == [demand_id]

    def send(token: dict[str, str], organization: Any, price: int, quantity: int) -> Any:
        body = {"organization": organization.slug, "unit_price_cents": price, "quantity": quantity}
        return client.post(f"/api/v1/demands/{demand_id}/quotes", headers=token, json=body)

    assert send(mani_token, mani, 24000, 300).status_code == 201
    assert send(puuc_token, puuc, 26000, 250).status_code == 201
    assert send(puuc_token, puuc, 25000, 250).status_code == 200  # revised: still one quote
    assert send(mani_token, puuc, 1, 1).status_code == 403  # not a member of the other producer
    mine = client.get(f"/api/v1/demands/{demand_id}/quotes", headers=puuc_token).json()
    assert [q["organization_id"] for q in mine] == [puuc.id]

    proposal = client.get(f"/api/v1/demands/{demand_id}/proposal", headers=school).json()
    assert [(a["organization_id"], a["quantity"]) for a in proposal["allocations"]] == [
        (mani.id, 300),
        (puuc.id, 200),
    ]
    assert client.get(f"/api/v1/demands/{demand_id}/proposal", headers=mani_token).status_code == 403

    early = client.post(
        f"/api/v1/demands/{demand_id}/award",
        headers=school,
        json={
            "allocations": [
                {"quote_id": a["quote_id"], "quantity": a["quantity"]} for a in proposal["allocations"]
            ]
        },
    )
    assert early.status_code == 409  # the deadline has not passed
    close_quoting(app, demand_id)

    over = client.post(
        f"/api/v1/demands/{demand_id}/award",
        headers=school,
        json={"allocations": [{"quote_id": proposal["allocations"][1]["quote_id"], "quantity": 500}]},
    )
    assert over.status_code == 422 and "allocations.0.quantity" in over.json()["fields"]
    awarded = client.post(
        f"/api/v1/demands/{demand_id}/award",
        headers=school,
        json={
            "allocations": [
                {"quote_id": a["quote_id"], "quantity": a["quantity"]} for a in proposal["allocations"]
            ]
        },
    )
    assert awarded.status_code == 201, awarded.text
    [order] = awarded.json()
    assert order["status"] == "invoiced" and order["total_cents"] == 300 * 24000 + 200 * 25000
    assert sorted((f["organization_id"], f["lines"][0]["quantity"]) for f in order["fulfillments"]) == sorted(
        [(mani.id, 300), (puuc.id, 200)]
    )

    thread = f"/api/v1/demands/{demand_id}/threads/{mani.slug}"
    assert (
        client.post(thread, headers=school, json={"body": "¿Pueden entregar el lunes temprano?"}).status_code
        == 201
    )
    assert client.post(thread, headers=mani_token, json={"body": "Sí, a las 8."}).status_code == 201
    assert [m["body"] for m in client.get(thread, headers=school).json()] == [
        "¿Pueden entregar el lunes temprano?",
        "Sí, a las 8.",
    ]
    assert client.get(thread, headers=puuc_token).status_code == 404  # another producer's conversation


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"quantity": 0}, "quantity"),
        ({"quantity": -5}, "quantity"),
        ({"unit": "costal"}, "unit"),
        ({"category": "joyeria"}, "category"),
        ({"delivery_state": "33"}, "delivery_state"),
        (
            {
                "quote_deadline": (utcnow() - timedelta(days=1)).isoformat(),
                "first_delivery": str(date.today()),
            },
            "quote_deadline",
        ),
        ({"every_days": 7}, "deliveries"),  # a frequency without a number of deliveries
        ({"max_unit_price_cents": 0}, "max_unit_price_cents"),
        ({"required_certifications": ["iso9001"]}, "required_certifications"),
    ],
)
def test_bad_demands_are_refused_and_nothing_is_written(
    client: TestClient, session: Session, parties: dict[str, Any], change: dict[str, Any], field: str
) -> None:
    school = parties["school"]
    institution = client.post("/api/v1/buyer-organizations", headers=school, json=INSTITUTION).json()
    response = client.post(
        f"/api/v1/buyer-organizations/{institution['id']}/demands", headers=school, json=demand_body(**change)
    )
    assert response.status_code == 422, response.text
    assert field in response.json()["fields"]
    assert session.exec(select(func.count()).select_from(Demand)).one() == 0


def test_bad_institutions_and_quotes_are_refused(
    client: TestClient, session: Session, parties: dict[str, Any]
) -> None:
    school = parties["school"]
    bad = client.post(
        "/api/v1/buyer-organizations",
        headers=school,
        json=INSTITUTION | {"rfc": "XYZ", "codigo_postal": "6800"},
    )
    assert bad.status_code == 422 and {"rfc", "codigo_postal"} <= set(bad.json()["fields"])
    for change, field in (  # well formed, but not what the SAT accepts from whoever receives an invoice
        ({"rfc": "XAXX010101000"}, "rfc"),
        ({"rfc": "HEGL850101AB1", "regimen_fiscal": "603"}, "regimen_fiscal"),  # a person, a company régimen
        ({"codigo_postal": "00001"}, "codigo_postal"),
        ({"razon_social": "ESCUELA\u0007QA"}, "razon_social"),
        ({"razon_social": "ESCUELA \u202eAQ"}, "razon_social"),
    ):
        refused = client.post("/api/v1/buyer-organizations", headers=school, json=INSTITUTION | change)
        assert refused.status_code == 422 and field in refused.json()["fields"], (change, refused.text)
    assert session.exec(select(func.count()).select_from(BuyerOrganization)).one() == 0

    institution = verified_institution(client, parties)
    demand = client.post(
        f"/api/v1/buyer-organizations/{institution['id']}/demands", headers=school, json=demand_body()
    ).json()
    assert client.post(f"/api/v1/demands/{demand['id']}/open", headers=school).status_code == 200
    mani, token = parties["producers"]["mani"]
    for body in ({"unit_price_cents": 0, "quantity": 10}, {"unit_price_cents": 100, "quantity": 0}):
        response = client.post(
            f"/api/v1/demands/{demand['id']}/quotes", headers=token, json=body | {"organization": mani.slug}
        )
        assert response.status_code == 422
    too_much = client.post(
        f"/api/v1/demands/{demand['id']}/quotes",
        headers=token | {"Accept-Language": "en"},
        json={"unit_price_cents": 100, "quantity": demand["quantity"] + 1, "organization": mani.slug},
    )
    assert too_much.json()["fields"] == {
        "quantity": f"You cannot offer more than each delivery asks for: {demand['quantity']} kg."
    }
    assert session.exec(select(func.count()).select_from(Quote)).one() == 0


def test_each_part_of_an_order_has_its_own_conversation(
    client: TestClient, session: Session, parties: dict[str, Any]
) -> None:
    mani, mani_token = parties["producers"]["mani"]
    _puuc, puuc_token = parties["producers"]["puuc"]
    school = parties["school"]
    listing = session.exec(select(Listing).where(Listing.organization_id == mani.id)).one()
    items = [{"listing_id": listing.id, "quantity": 2}]
    order = client.post("/api/v1/orders", headers=school, json={"items": items}).json()
    thread = f"/api/v1/fulfillments/{order['fulfillments'][0]['id']}/messages"
    assert client.post(thread, headers=school, json={"body": "¿Me la envían en frascos?"}).status_code == 201
    assert client.post(thread, headers=mani_token, json={"body": "Sí, de un kilo."}).status_code == 201
    assert [m["body"] for m in client.get(thread, headers=mani_token).json()] == [
        "¿Me la envían en frascos?",
        "Sí, de un kilo.",
    ]
    assert client.get(thread, headers=puuc_token).status_code == 404  # not its order
    assert client.post(thread, headers=puuc_token, json={"body": "hola"}).status_code == 404
    news = [(e["to"], e["subject"], e["link"]) for e in emails(session) if e["kind"] == "new_message"]
    subject = f"Pedido {order['id']}: mensaje nuevo de Ana López"  # everyone here is called Ana López
    assert sorted(news) == [
        (to, subject, f"/pedidos/{order['id']}") for to in ("compras@escuela.mx", "mani@example.mx")
    ]


def test_an_institution_invites_a_colleague_who_can_then_post_demands(
    client: TestClient, session: Session, parties: dict[str, Any], make_user: Any
) -> None:
    school = parties["school"]
    institution = client.post("/api/v1/buyer-organizations", headers=school, json=INSTITUTION).json()
    colleague = api_token(client, make_user("direccion@escuela.mx").email)
    url = f"/api/v1/buyer-organizations/{institution['id']}/demands"
    assert client.post(url, headers=colleague, json=demand_body()).status_code == 404  # not a member
    invitations = f"/api/v1/buyer-organizations/{institution['id']}/invitations"
    assert (
        client.post(invitations, headers=colleague, json={"email": "direccion@escuela.mx"}).status_code == 404
    )
    join_institution(client, session, institution["id"], school, "Direccion@Escuela.mx")
    again = client.post(invitations, headers=school, json={"email": "direccion@escuela.mx"})
    assert again.status_code == 409 and again.json()["error"] == "already_member"
    assert client.post(url, headers=colleague, json=demand_body()).status_code == 201


def open_demand(client: TestClient, parties: dict[str, Any], **overrides: Any) -> int:
    """The school registers, an administrator verifies it, and it opens a demand for quotes: its id."""
    school = parties["school"]
    institution = verified_institution(client, parties)
    demand_id = int(
        client.post(
            f"/api/v1/buyer-organizations/{institution['id']}/demands",
            headers=school,
            json=demand_body(**overrides),
        ).json()["id"]
    )
    client.post(f"/api/v1/demands/{demand_id}/open", headers=school)
    return demand_id


def test_open_demands_are_listed_to_those_who_may_quote_and_the_address_to_those_it_concerns(
    app: FastAPI, client: TestClient, session: Session, parties: dict[str, Any], make_user: Any
) -> None:
    school = parties["school"]
    demand_id = open_demand(client, parties)
    mani, mani_token = parties["producers"]["mani"]
    puuc, puuc_token = parties["producers"]["puuc"]
    stranger = api_token(client, make_user("vecina@example.mx").email)
    address = demand_body()["delivery_address"]

    def listed(token: dict[str, str]) -> dict[int, Any]:
        return {d["id"]: d["delivery_address"] for d in client.get("/api/v1/demands", headers=token).json()}

    def address_in_demand(token: dict[str, str]) -> Any:
        return client.get(f"/api/v1/demands/{demand_id}", headers=token).json()["delivery_address"]

    # Who may not quote sees no list, as the demand itself is a 404 to them.
    assert listed(stranger) == {}
    assert client.get(f"/api/v1/demands/{demand_id}", headers=stranger).status_code == 404
    # A producer that may quote sees it, but not where it goes until the demand concerns it.
    assert listed(mani_token) == {demand_id: None}
    assert address_in_demand(mani_token) is None
    quote = {"organization": mani.slug, "unit_price_cents": 24000, "quantity": 300}
    sent = client.post(f"/api/v1/demands/{demand_id}/quotes", headers=mani_token, json=quote)
    assert sent.status_code == 201
    assert listed(mani_token) == {demand_id: address}  # it quoted
    assert listed(puuc_token) == {demand_id: None}
    session.add(DemandInvitation(demand_id=demand_id, organization_id=puuc.id, fit=80))  # matching found it
    session.commit()
    assert listed(puuc_token) == {demand_id: address}
    assert address_in_demand(puuc_token) == address_in_demand(school) == address


def test_a_non_member_asking_for_an_institutions_objects_gets_the_404_of_an_unknown_id(
    client: TestClient, parties: dict[str, Any], make_user: Any
) -> None:
    school = parties["school"]
    institution = client.post("/api/v1/buyer-organizations", headers=school, json=INSTITUTION).json()
    stranger = api_token(client, make_user("vecina@example.mx").email)

    def attempts(buyer_id: int) -> list[Any]:
        url = f"/api/v1/buyer-organizations/{buyer_id}"
        return [
            client.post(f"{url}/demands", headers=stranger, json=demand_body()),
            client.get(f"{url}/demands", headers=stranger),
            client.post(f"{url}/invitations", headers=stranger, json={"email": "vecina@example.mx"}),
            client.post(f"{url}/decision", headers=stranger, json={"verified": True}),  # not an administrator
        ]

    hidden, missing = attempts(institution["id"]), attempts(institution["id"] + 1000)
    assert [(r.status_code, r.json()) for r in hidden] == [(r.status_code, r.json()) for r in missing]
    assert [r.status_code for r in hidden] == [404, 404, 404, 403]
    assert not any(institution["name"] in r.text for r in hidden)


def test_quotes_and_conversations_of_others_are_the_404_of_an_unknown_id(
    app: FastAPI, client: TestClient, session: Session, parties: dict[str, Any]
) -> None:
    school = parties["school"]
    demand_id = open_demand(client, parties)
    mani, mani_token = parties["producers"]["mani"]
    _puuc, puuc_token = parties["producers"]["puuc"]
    body = {"organization": mani.slug, "unit_price_cents": 24000, "quantity": 300}
    quote_id = client.post(f"/api/v1/demands/{demand_id}/quotes", headers=mani_token, json=body).json()["id"]
    client.post(f"/api/v1/demands/{demand_id}/threads/{mani.slug}", headers=mani_token, json={"body": "Hola"})

    # Another producer cannot tell that the quote or the conversation exists.
    def attempts(quote: int, slug: str) -> list[Any]:
        thread = f"/api/v1/demands/{demand_id}/threads/{slug}"
        return [
            client.post(f"/api/v1/quotes/{quote}/withdraw", headers=puuc_token),
            client.get(thread, headers=puuc_token),
            client.post(thread, headers=puuc_token, json={"body": "x"}),
        ]

    hidden, missing = attempts(quote_id, mani.slug), attempts(quote_id + 1000, "no-existe")
    assert [(r.status_code, r.json()) for r in hidden] == [(r.status_code, r.json()) for r in missing]
    assert {r.status_code for r in hidden} == {404}
    # Who knows they exist (the institution sees every quote; a producer sees the demand) is refused without
    # a name of the other party.
    known = [
        client.post(f"/api/v1/quotes/{quote_id}/withdraw", headers=school),
        client.get(f"/api/v1/demands/{demand_id}/proposal", headers=puuc_token),
        client.post(f"/api/v1/demands/{demand_id}/cancel", headers=puuc_token),
    ]
    assert [r.status_code for r in known] == [403] * 3
    assert not any(name in r.text for r in known for name in (mani.name, INSTITUTION["name"]))
    session.expire_all()
    assert session.get(Quote, quote_id).status == "submitted"  # type: ignore[union-attr]
