"""A verified organization's name, RFC and CLABE (what the bank and the SAT know it by) change only when an
administrator approves: the live values stay, payouts keep going to the approved CLABE, and the request and
the decision are in the audit log and e-mailed to every owner. An organization not yet verified edits
them freely."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from market.admin.models import AuditEntry
from market.config import Settings
from market.db import transaction
from market.orders.checkout import checkout
from market.orders.fulfillment import confirm_offline_payment, move
from market.orders.models import Fulfillment
from market.orders.schemas import Checkout
from market.organizations.models import Membership, Organization, OrganizationChange
from market.payments.models import Payout
from tests.helpers import CLABE, api_token, csrf_of, emails, signed_in
from tests.pages import flash, one, soup, table_row, text_of, texts

NEW_CLABE = "012180001234567899"
NEW = {"name": "Cooperativa Flor de Café de Altura", "rfc": "CFA050312AB1", "clabe": NEW_CLABE}


@pytest.fixture
def people(make_user: Any, make_org: Any, session: Session) -> dict[str, Any]:
    owner = make_user("rosa@example.mx", name="Rosa Pérez")
    partner = make_user("juana@example.mx", name="Juana Gómez")  # a second owner: she hears of it too
    org = make_org(owner, clabe=CLABE)
    session.add(Membership(user_id=partner.id, organization_id=org.id, role="owner"))
    session.commit()
    return {
        "owner": owner,
        "partner": partner,
        "org": org,
        "admin": make_user("admin@example.mx", name="Equipo Tianguis", is_admin=True),
    }


def entries(session: Session) -> list[AuditEntry]:
    session.expire_all()
    return list(session.exec(select(AuditEntry).order_by(col(AuditEntry.id))).all())


def live(session: Session, org: Organization) -> tuple[str, str | None, str | None]:
    session.expire_all()
    current = session.get(Organization, org.id)
    assert current is not None
    return current.name, current.rfc, current.clabe


def changes_of(session: Session) -> list[OrganizationChange]:
    session.expire_all()
    return list(session.exec(select(OrganizationChange)).all())


def test_a_verified_organizations_new_name_rfc_and_clabe_wait_for_review(
    client: TestClient, session: Session, people: dict[str, Any]
) -> None:
    org, owner = people["org"], people["owner"]
    headers = api_token(client, owner.email)

    response = client.patch(
        f"/api/v1/organizations/{org.slug}", json=NEW | {"description": "Café de sombra."}, headers=headers
    )

    assert response.status_code == 200, response.text
    body = response.json()
    # Everything else applies at once; the three payout fields keep their approved values.
    assert body["description"] == "Café de sombra."
    assert (body["name"], body["rfc"], body["clabe"]) == (org.name, org.rfc, CLABE)
    assert body["pending_changes"] == NEW
    assert live(session, org) == (org.name, org.rfc, CLABE)

    [entry] = entries(session)
    assert (entry.action, entry.actor_id, entry.target_id) == (
        "organization.change_request",
        owner.id,
        org.id,
    )
    assert entry.details["changes"]["clabe"] == {"from": CLABE, "to": NEW_CLABE}
    mails = emails(session)
    assert {m["to"] for m in mails} == {owner.email, people["partner"].email}
    for mail in mails:
        assert mail["subject"] == f"{org.name}: recibimos un cambio de datos de pago"
        assert "CLABE: …7771 → …7899" in mail["body"] and "CLABE: …7771 → …7899" in mail["html"]
        assert NEW_CLABE not in mail["body"] + mail["html"] and "Rosa Pérez pidió cambiar" in mail["body"]
        assert mail["kind"] == "organization_news" and mail["link"] == f"/panel/o/{org.slug}"


def test_an_administrator_approves_and_the_new_values_apply(
    client: TestClient, session: Session, people: dict[str, Any]
) -> None:
    org = people["org"]
    client.patch(f"/api/v1/organizations/{org.slug}", json=NEW, headers=api_token(client, "rosa@example.mx"))
    admin = api_token(client, people["admin"].email)
    [waiting] = client.get("/api/v1/organizations/admin/changes", headers=admin).json()
    assert waiting["changes"] == NEW
    assert waiting["current"] == {"name": org.name, "rfc": org.rfc, "clabe": CLABE}
    assert waiting["requested_by_name"] == "Rosa Pérez"
    before = len(emails(session))

    response = client.post(f"/api/v1/organizations/changes/{waiting['id']}/approve", headers=admin)

    assert response.status_code == 200 and response.json()["status"] == "approved"
    assert live(session, org) == (NEW["name"], NEW["rfc"], NEW_CLABE)
    assert client.get("/api/v1/organizations/admin/changes", headers=admin).json() == []
    approved = entries(session)[-1]
    assert (approved.action, approved.actor_id) == ("organization.change_approve", people["admin"].id)
    assert approved.details["changes"]["rfc"] == {"from": "CFC050312AB4", "to": NEW["rfc"]}
    decided = emails(session)[before:]
    assert {m["to"] for m in decided} == {"rosa@example.mx", "juana@example.mx"}
    assert all(m["subject"] == f"{NEW['name']}: aprobamos el cambio de datos de pago" for m in decided)
    assert all(f"Nombre: {waiting['current']['name']} → {NEW['name']}" in m["body"] for m in decided)
    again = client.post(f"/api/v1/organizations/changes/{waiting['id']}/approve", headers=admin)
    assert again.status_code == 409


def test_an_edit_while_a_change_waits_replaces_it_and_the_old_one_cannot_be_approved(
    client: TestClient, session: Session, people: dict[str, Any]
) -> None:
    org, owner = people["org"], api_token(client, "rosa@example.mx")
    client.patch(f"/api/v1/organizations/{org.slug}", json=NEW, headers=owner)
    admin = api_token(client, people["admin"].email)
    [seen] = client.get("/api/v1/organizations/admin/changes", headers=admin).json()
    other_clabe = "138180009999999992"  # typed in while the administrator looks at the first one
    client.patch(f"/api/v1/organizations/{org.slug}", json={"clabe": other_clabe}, headers=owner)

    stale = client.post(f"/api/v1/organizations/changes/{seen['id']}/approve", headers=admin)

    assert stale.status_code == 409 and "cambió su solicitud" in stale.json()["detail"]
    assert live(session, org) == (org.name, org.rfc, CLABE)
    [waiting] = client.get("/api/v1/organizations/admin/changes", headers=admin).json()
    assert waiting["id"] != seen["id"] and waiting["changes"] == NEW | {"clabe": other_clabe}
    assert (
        client.post(f"/api/v1/organizations/changes/{waiting['id']}/approve", headers=admin).status_code
        == 200
    )
    assert live(session, org) == (NEW["name"], NEW["rfc"], other_clabe)


def test_a_rejection_needs_a_reason_and_keeps_the_approved_values(
    client: TestClient, session: Session, people: dict[str, Any]
) -> None:
    org = people["org"]
    client.patch(
        f"/api/v1/organizations/{org.slug}",
        json={"clabe": NEW_CLABE},
        headers=api_token(client, "rosa@example.mx"),
    )
    admin = api_token(client, people["admin"].email)
    [change] = changes_of(session)
    written = len(entries(session)), len(emails(session))

    refused = client.post(f"/api/v1/organizations/changes/{change.id}/reject", json={}, headers=admin)

    assert refused.status_code == 422 and "reason" in refused.json()["fields"]
    assert (len(entries(session)), len(emails(session))) == written
    assert changes_of(session)[0].status == "pending"

    why = "La CLABE no está a nombre de la cooperativa."
    response = client.post(
        f"/api/v1/organizations/changes/{change.id}/reject", json={"reason": why}, headers=admin
    )

    assert response.status_code == 200 and response.json()["status"] == "rejected"
    assert live(session, org) == (org.name, org.rfc, CLABE)
    rejected = entries(session)[-1]
    assert (rejected.action, rejected.reason) == ("organization.change_reject", why)
    assert all(why in m["body"] for m in emails(session)[written[1] :])
    owner = client.get(f"/api/v1/organizations/{org.slug}", headers=api_token(client, "rosa@example.mx"))
    assert owner.json()["pending_changes"] == {}


def test_only_administrators_see_and_decide_changes(
    client: TestClient, session: Session, people: dict[str, Any]
) -> None:
    org = people["org"]
    owner = api_token(client, "rosa@example.mx")
    client.patch(f"/api/v1/organizations/{org.slug}", json={"clabe": NEW_CLABE}, headers=owner)
    [change] = changes_of(session)
    written = len(entries(session))

    assert client.get("/api/v1/organizations/admin/changes", headers=owner).status_code == 403
    for decision in ("approve", "reject"):
        url = f"/api/v1/organizations/changes/{change.id}/{decision}"
        assert client.post(url, json={"reason": "ya"}, headers=owner).status_code == 403

    assert len(entries(session)) == written and changes_of(session)[0].status == "pending"
    assert live(session, org)[2] == CLABE


def test_an_organization_not_yet_verified_edits_its_payout_data_freely(
    client: TestClient, session: Session, make_user: Any, make_org: Any
) -> None:
    org = make_org(make_user("rosa@example.mx"), status="pending", clabe=CLABE)

    response = client.patch(
        f"/api/v1/organizations/{org.slug}", json=NEW, headers=api_token(client, "rosa@example.mx")
    )

    assert response.status_code == 200 and response.json()["pending_changes"] == {}
    assert live(session, org) == (NEW["name"], NEW["rfc"], NEW_CLABE)
    assert changes_of(session) == [] and entries(session) == []


def test_payouts_go_to_the_approved_clabe_while_a_change_waits(
    app: FastAPI,
    client: TestClient,
    engine: Engine,
    settings: Settings,
    session: Session,
    people: dict[str, Any],
    make_user: Any,
    make_listing: Any,
) -> None:
    org, owner, admin = people["org"], people["owner"], people["admin"]
    buyer = make_user("eva@example.mx")
    listing = make_listing(org, price_cents=10000)
    with transaction(engine) as tx:
        order = checkout(
            tx,
            settings,
            buyer,
            Checkout(items=[{"listing_id": listing.id, "quantity": 1}], payment_method="spei_transfer"),
        )
    with transaction(engine) as tx:
        confirm_offline_payment(tx, admin, order.id or 0, "BNET0001")
        part = tx.exec(select(Fulfillment).where(Fulfillment.order_id == order.id)).one()
        for step, actor in [
            ("accepted", owner),
            ("preparing", owner),
            ("ready_for_pickup", owner),
            ("delivered", buyer),
            ("completed", buyer),
        ]:
            move(tx, actor, part.id or 0, step)
    client.patch(
        f"/api/v1/organizations/{org.slug}", json={"clabe": NEW_CLABE}, headers=api_token(client, owner.email)
    )

    desk = signed_in(app, admin.email)
    assert table_row(desk.get("/admin/pagos-a-productores"), org.name)[3] == f"CLABE {CLABE}"
    sent = desk.post(
        f"/admin/pagos-a-productores/{org.id}",
        data={"amount": "50.00", "reference": "MBAN0042", "csrf_token": csrf_of(desk, "/admin")},
    )

    assert sent.status_code == 303
    session.expire_all()
    assert [p.clabe for p in session.exec(select(Payout)).all()] == [CLABE]


# --- the pages ------------------------------------------------------------------------------------------


def edit_form(org: Organization, **changes: str) -> dict[str, Any]:
    return {
        "name": org.name,
        "legal_form": org.legal_form,
        "rfc": org.rfc or "",
        "state": org.state,
        "municipality": org.municipality,
        "members_count": str(org.members_count),
        "women_members_count": str(org.women_members_count),
        "clabe": org.clabe or "",
        "delivery_fee": "0.00",
        "shipping_fee": "0.00",
    } | changes


@pytest.mark.parametrize(
    ("language", "saved", "waiting"),
    [
        (
            "es",
            "El cambio de nombre, RFC o CLABE espera la revisión del equipo",
            "Tu cambio espera la revisión del equipo.",
        ),
        (
            "en",
            "The change of name, RFC or CLABE awaits",
            "Your change awaits review by the team.",
        ),
    ],
)
def test_the_owner_is_told_the_change_awaits_review(
    app: FastAPI, session: Session, people: dict[str, Any], language: str, saved: str, waiting: str
) -> None:
    org = people["org"]
    owner = signed_in(app, people["owner"].email)
    if language == "en":
        owner.get("/idioma/en")
    edit = f"/panel/o/{org.slug}/editar"

    response = owner.post(edit, data=edit_form(org, clabe=NEW_CLABE) | {"csrf_token": csrf_of(owner, edit)})

    assert response.status_code == 303, response.text
    page = soup(owner.get(f"/panel/o/{org.slug}"))
    assert saved in flash(page, "success")
    pending = one(page, "#cambio-pendiente")
    assert text_of(one(pending, "p strong")) == waiting
    assert texts(pending, "li strong") == [NEW_CLABE]  # members see the whole number they typed
    assert "…7771" not in text_of(page)
    assert text_of(one(owner.get(edit), "#cambio-pendiente p strong")) == waiting
    assert live(session, org)[2] == CLABE


def test_an_administrator_decides_on_the_changes_page(
    app: FastAPI, client: TestClient, session: Session, people: dict[str, Any]
) -> None:
    org = people["org"]
    client.patch(f"/api/v1/organizations/{org.slug}", json=NEW, headers=api_token(client, "rosa@example.mx"))
    [change] = changes_of(session)
    desk = signed_in(app, people["admin"].email)
    assert text_of(one(desk.get("/admin"), ".admin-counts a[href='/admin/cambios'] strong")) == "1"
    page = one(desk.get("/admin/cambios"), f"#cambio-{change.id}")
    assert table_row(page, "CLABE")[1:] == [CLABE, NEW_CLABE]
    assert text_of(one(page, "h2 + p")).startswith("Lo pidió Rosa Pérez el ")
    written = len(entries(session))

    refused = desk.post(
        f"/admin/cambios/{change.id}/rechazar",
        data={"reason": " ", "csrf_token": csrf_of(desk, "/admin/cambios")},
    )

    assert refused.status_code == 303
    no_reason = flash(desk.get("/admin/cambios"), "error")
    assert no_reason == "Explica el motivo para que la organización pueda corregirlo."
    assert len(entries(session)) == written and changes_of(session)[0].status == "pending"

    approved = desk.post(
        f"/admin/cambios/{change.id}/aprobar", data={"csrf_token": csrf_of(desk, "/admin/cambios")}
    )

    assert approved.status_code == 303
    after = soup(desk.get("/admin/cambios"))
    assert flash(after, "success").startswith(f"Aprobamos el cambio de datos de {NEW['name']}")
    assert texts(after, "main .empty") == ["No hay cambios esperando revisión."]
    assert live(session, org) == (NEW["name"], NEW["rfc"], NEW_CLABE)
    assert entries(session)[-1].action == "organization.change_approve"


def test_a_producer_cannot_open_or_use_the_changes_page(
    app: FastAPI, client: TestClient, session: Session, people: dict[str, Any]
) -> None:
    org = people["org"]
    client.patch(f"/api/v1/organizations/{org.slug}", json=NEW, headers=api_token(client, "rosa@example.mx"))
    [change] = changes_of(session)
    producer = signed_in(app, "rosa@example.mx")

    assert producer.get("/admin/cambios").status_code == 403
    token = csrf_of(producer, "/panel")
    assert producer.post(f"/admin/cambios/{change.id}/aprobar", data={"csrf_token": token}).status_code == 403
    assert live(session, org)[2] == CLABE
