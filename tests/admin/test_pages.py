"""The administration pages: only for administrators; the home counts what waits; moderation finds content
by name and lists what is suspended and why; the producer is told why and cannot lift a suspension; the
audit log pages, filters, and exports the same rows as CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from market.admin import audit
from market.catalog import service as catalog
from market.catalog.models import Listing
from market.config import Settings
from market.db import transaction
from market.disputes.models import Dispute
from market.linking import buyers
from market.linking.schemas import BuyerOrganizationCreate
from market.orders.checkout import checkout
from market.orders.fulfillment import confirm_offline_payment, move
from market.orders.models import Fulfillment
from market.orders.schemas import Checkout
from market.organizations import service as organizations
from market.organizations.models import Organization
from tests.admin.conftest import REASON, World
from tests.helpers import INSTITUTION, api_token, csrf_of, emails, signed_in
from tests.pages import (
    Html,
    attr,
    buttons,
    elements,
    flash,
    form_actions,
    hrefs,
    one,
    soup,
    table_row,
    table_rows,
    text_of,
    texts,
)

# --- who may see them ------------------------------------------------------------------------------

ADMIN_PAGES = [
    "/admin",
    "/admin/verificacion",
    "/admin/instituciones",
    "/admin/pagos",
    "/admin/pagos-a-productores",
    "/admin/moderacion",
    "/admin/moderacion?q=caf",
    "/admin/auditoria",
    "/admin/auditoria?action=listing",
    "/admin/auditoria.csv",
    "/admin/personas",
    "/admin/personas?q=eva",
]


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_a_producer_gets_403_on_every_admin_page(app: FastAPI, world: World, path: str) -> None:
    producer = signed_in(app, world.owner.email)
    assert producer.get(path).status_code == 403
    assert signed_in(app, world.admin.email).get(path).status_code == 200


@pytest.mark.parametrize(
    "action",
    [
        "/admin/productos/{listing}/suspender",
        "/admin/productos/{listing}/restablecer",
        "/admin/organizaciones/{org}/suspender",
        "/admin/organizaciones/{org}/reactivar",
    ],
)
def test_a_producer_gets_403_on_every_admin_form(
    app: FastAPI, session: Session, world: World, action: str
) -> None:
    producer = signed_in(app, world.owner.email)
    path = action.format(listing=world.coffee.id, org=world.org.slug)
    response = producer.post(path, data={"reason": REASON, "csrf_token": csrf_of(producer, "/panel")})
    assert response.status_code == 403
    session.expire_all()
    assert session.get_one(Listing, world.coffee.id).suspended is False
    assert session.get_one(Organization, world.org.id).suspended is False


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/v1/admin/listings/{listing}/suspend"),
        ("post", "/api/v1/admin/listings/{listing}/restore"),
        ("get", "/api/v1/admin/audit"),
        ("get", "/api/v1/admin/audit?action=listing&page=2"),
    ],
)
def test_the_admin_api_is_403_for_others_and_401_without_a_token(
    client: TestClient, world: World, method: str, path: str
) -> None:
    url = path.format(listing=world.coffee.id)
    body = {"json": {"reason": REASON}} if method == "post" else {}
    producer = api_token(client, world.owner.email)
    assert getattr(client, method)(url, headers=producer, **body).status_code == 403
    assert getattr(client, method)(url, **body).status_code == 401


def test_a_visitor_is_asked_to_sign_in(client: TestClient, world: World) -> None:
    response = client.get("/admin")
    assert response.status_code == 303 and response.headers["location"].startswith("/entrar")


def test_the_header_has_one_administration_link_for_administrators(app: FastAPI, world: World) -> None:
    page = signed_in(app, world.admin.email).get("/panel")
    admin_links = [link for link in hrefs(page) if link.startswith("/admin")]
    assert admin_links == ["/admin"] and text_of(one(page, "header a[href='/admin']")) == "Administración"
    assert [link for link in hrefs(signed_in(app, world.owner.email).get("/panel")) if link == "/admin"] == []


# --- the home -----------------------------------------------------------------------------------------


def count_on(page: Html, label: str) -> int:
    """The number on the home's card that reads `<number> <label>`."""
    [count] = [
        int(text_of(one(card, "strong")))
        for card in elements(page, ".admin-counts a")
        if text_of(card).split(" ", 1)[1] == label
    ]
    return count


def test_the_home_counts_what_waits_and_links_to_it(
    app: FastAPI,
    engine: Engine,
    settings: Settings,
    world: World,
    make_user: Any,
    make_org: Any,
) -> None:
    make_org(make_user("ejido@example.mx"), status="pending", name="Ejido La Ventana")
    other = make_org(make_user("otra@example.mx"), name="Tejedoras de Zinacantán")
    with transaction(engine) as tx:
        buyers.create(tx, world.buyer, BuyerOrganizationCreate(**INSTITUTION))
        checkout(  # a SPEI transfer to confirm
            tx,
            settings,
            world.buyer,
            Checkout(items=[{"listing_id": world.coffee.id, "quantity": 1}], payment_method="spei_transfer"),
        )
        catalog.suspend(tx, world.admin, tx.get_one(Listing, world.honey.id), REASON)
        organizations.suspend(tx, world.admin, tx.get_one(Organization, other.id), REASON)
    with transaction(engine) as tx:
        paid = checkout(
            tx,
            settings,
            world.buyer,
            Checkout(items=[{"listing_id": world.coffee.id, "quantity": 2}], payment_method="spei_transfer"),
        )
    with transaction(engine) as tx:
        confirm_offline_payment(tx, world.admin, paid.id or 0, "BNET0001")
    with transaction(engine) as tx:
        part = tx.exec(select(Fulfillment).where(Fulfillment.order_id == paid.id)).one()
        tx.add(Dispute(fulfillment_id=part.id or 0, opened_by=world.buyer.id or 0, reason="No llegó"))
    with transaction(engine) as tx:
        part = tx.exec(select(Fulfillment).where(Fulfillment.order_id == paid.id)).one()
        move(tx, world.owner, part.id or 0, "rejected")  # paid by SPEI: a refund to send by hand

    page = soup(signed_in(app, world.admin.email).get("/admin"))

    assert count_on(page, "Productores por verificar") == 1
    assert count_on(page, "Instituciones por verificar") == 1
    assert count_on(page, "Disputas abiertas") == 1
    assert count_on(page, "Pagos por confirmar") == 1  # the first order; the second was confirmed
    assert count_on(page, "Reembolsos por enviar por transferencia") == 1
    assert count_on(page, "Productos suspendidos") == 1
    assert count_on(page, "Organizaciones suspendidas") == 1
    links = hrefs(page)
    for link in ("/admin/verificacion", "/admin/instituciones", "/admin/disputas", "/admin/pagos"):
        assert link in links
    assert "/admin/moderacion" in links and "/admin/auditoria" in links
    # the latest actions: the two suspensions and the confirmed payment, newest first
    rows = page_rows(page)
    assert [row[2] for row in rows] == [
        "Pago confirmado a mano",
        "Organización suspendida",
        "Producto suspendido",
    ]


def test_the_home_shows_only_the_latest_ten_actions(app: FastAPI, session: Session, world: World) -> None:
    for n in range(12):
        audit.record(session, world.admin, "listing.suspend", "listing", n, f"Producto {n}", "Motivo")
    session.commit()
    rows = page_rows(signed_in(app, world.admin.email).get("/admin"))
    assert [row[3] for row in rows] == [f"Producto: Producto {n}" for n in range(11, 1, -1)]


# --- moderation -------------------------------------------------------------------------------------


def test_moderation_finds_content_by_name_and_lists_what_is_suspended_with_its_reason(
    app: FastAPI, world: World
) -> None:
    admin = signed_in(app, world.admin.email)
    found = one(admin.get("/admin/moderacion", params={"q": "flor"}), "#resultados")  # an organization
    assert [world.org.name, "Verificada"] in [row[:2] for row in table_rows(found)]
    assert f"/admin/organizaciones/{world.org.slug}/suspender" in form_actions(found)
    found = one(admin.get("/admin/moderacion", params={"q": "MIEL"}), "#resultados")  # a listing, by title
    assert form_actions(found) == [f"/admin/productos/{world.honey.id}/suspender"]
    nothing = one(admin.get("/admin/moderacion?q=zzz"), "#resultados")
    assert texts(nothing, ".empty") == ["Ningún producto ni organización tiene ese nombre."]

    here = "/admin/moderacion?q=MIEL"
    response = admin.post(
        f"/admin/productos/{world.honey.id}/suspender",
        data={"reason": REASON, "next": here, "csrf_token": csrf_of(admin, here)},
    )
    assert response.status_code == 303 and response.headers["location"] == here
    assert (
        flash(admin.get(here), "success") == "Suspendimos «Miel multifloral»: ya no aparece en el catálogo."
    )
    response = admin.post(
        f"/admin/organizaciones/{world.org.slug}/suspender",
        data={
            "reason": "Documentos vencidos",
            "next": "/admin/moderacion",
            "csrf_token": csrf_of(admin, here),
        },
    )
    assert response.headers["location"] == "/admin/moderacion"

    page = soup(admin.get("/admin/moderacion"))
    listings = one(page, "#productos")
    assert [row[:3] for row in table_rows(listings)] == [["Miel multifloral", world.org.name, REASON]]
    assert form_actions(listings) == [f"/admin/productos/{world.honey.id}/restablecer"]
    suspended_organizations = one(page, "#organizaciones")
    assert [row[:2] for row in table_rows(suspended_organizations)] == [
        [world.org.name, "Documentos vencidos"]
    ]
    assert form_actions(suspended_organizations) == [f"/admin/organizaciones/{world.org.slug}/reactivar"]


def test_a_suspension_without_reason_is_refused_with_a_message(
    app: FastAPI, session: Session, world: World
) -> None:
    admin = signed_in(app, world.admin.email)
    admin.post(
        f"/admin/productos/{world.coffee.id}/suspender",
        data={"reason": " ", "csrf_token": csrf_of(admin, "/admin/moderacion")},
    )
    assert flash(admin.get("/admin/moderacion"), "error") == "Explica el motivo de la suspensión."
    session.expire_all()
    assert session.get_one(Listing, world.coffee.id).suspended is False


def test_administrators_suspend_and_restore_from_the_listing_page(
    app: FastAPI, session: Session, world: World
) -> None:
    admin = signed_in(app, world.admin.email)
    url = f"/productos/{world.coffee.id}/{world.coffee.slug}"
    page = soup(admin.get(url))
    assert form_actions(one(page, ".moderation")) == [f"/admin/productos/{world.coffee.id}/suspender"]
    assert "Agregar al carrito" in buttons(page)
    admin.post(
        f"/admin/productos/{world.coffee.id}/suspender",
        data={"reason": REASON, "next": url, "csrf_token": csrf_of(admin, url)},
    )

    page = soup(admin.get(url))  # administrators still see it, with why and how to undo it
    assert flash(page, "error") == f"Suspendida por administración: {REASON}"
    assert form_actions(one(page, ".moderation")) == [f"/admin/productos/{world.coffee.id}/restablecer"]
    assert "Agregar al carrito" not in buttons(page)
    visitor = TestClient(app).get(f"/productos/{world.honey.id}/{world.honey.slug}")
    assert elements(visitor, ".moderation") == []
    assert [action for action in form_actions(visitor) if action.startswith("/admin/")] == []

    admin.post(
        f"/admin/productos/{world.coffee.id}/restablecer",
        data={"reason": "Fotos propias", "next": url, "csrf_token": csrf_of(admin, url)},
    )
    assert flash(admin.get(url), "success") == "Restablecimos «Café de altura»."
    session.expire_all()
    assert session.get_one(Listing, world.coffee.id).suspended is False
    told = [(m["to"], m["subject"]) for m in emails(session) if m["kind"] == "listing_moderated"]
    assert told == [
        (world.owner.email, "«Café de altura» fue suspendido"),
        (world.owner.email, "«Café de altura» ya no está suspendido"),
    ]
    assert "Motivo: Fotos propias" in emails(session)[-1]["body"]


def test_the_producer_is_told_why_and_cannot_lift_the_suspension_by_changing_status(
    app: FastAPI, session: Session, world: World
) -> None:
    with transaction(app.state.engine) as tx:
        catalog.suspend(tx, world.admin, tx.get_one(Listing, world.coffee.id), REASON)
    mail = emails(session)[-1]
    assert (mail["to"], mail["kind"]) == (world.owner.email, "listing_moderated")
    assert mail["subject"] == "«Café de altura» fue suspendido"
    assert f"Motivo: {REASON}" in mail["body"] and f"Motivo: {REASON}" in mail["html"]
    assert mail["link"] == f"/panel/productos/{world.coffee.id}"

    producer = signed_in(app, world.owner.email)
    manage = f"/panel/productos/{world.coffee.id}"
    told = f"Suspendida por administración: {REASON}"
    assert text_of(one(producer.get(manage), "#status-box .flash.error")).startswith(told)
    assert flash(producer.get(f"/productos/{world.coffee.id}/{world.coffee.slug}"), "error") == told
    for status in ("paused", "active"):
        changed = producer.post(
            f"{manage}/estado", data={"status": status, "csrf_token": csrf_of(producer, manage)}
        )
        assert changed.status_code == 303
    assert text_of(one(producer.get(manage), "#status-box .flash.error")).startswith(told)
    session.expire_all()
    listing = session.get_one(Listing, world.coffee.id)
    assert (listing.status, listing.suspended) == ("active", True)
    assert TestClient(app).get(f"/productos/{world.coffee.id}/{world.coffee.slug}").status_code == 404
    listing_row = table_row(producer.get(f"/panel/o/{world.org.slug}"), world.coffee.title)
    assert "Suspendida por administración" in " ".join(listing_row)


# --- the audit log ------------------------------------------------------------------------------------


def page_rows(page: Html) -> list[list[str]]:
    """The audit table's rows as text: when, who, action, target, reason, detail."""
    return [texts(entry, "td") for entry in elements(page, "tr[data-entry]")]


def csv_rows(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def act_a_little(app: FastAPI, world: World) -> None:
    """Three actions by the administrator, through the pages and the API."""
    admin = signed_in(app, world.admin.email)
    admin.post(
        f"/admin/productos/{world.coffee.id}/suspender",
        data={"reason": REASON, "csrf_token": csrf_of(admin, "/admin")},
    )
    admin.post(
        f"/admin/organizaciones/{world.org.slug}/suspender",
        data={"reason": 'Documentos, vencidos; "revisar"', "csrf_token": csrf_of(admin, "/admin")},
    )
    token = api_token(admin, world.admin.email)
    restored = admin.post(
        f"/api/v1/admin/listings/{world.coffee.id}/restore", json={"reason": "Fotos propias"}, headers=token
    )
    assert restored.status_code == 200


def test_the_audit_page_and_its_csv_list_the_same_entries_newest_first(app: FastAPI, world: World) -> None:
    act_a_little(app, world)
    admin = signed_in(app, world.admin.email)

    page = soup(admin.get("/admin/auditoria"))
    rows = page_rows(page)
    assert [(row[1], row[2], row[3], row[4]) for row in rows] == [
        ("Equipo Tianguis", "Producto restablecido", "Producto: Café de altura", "Fotos propias"),
        (
            "Equipo Tianguis",
            "Organización suspendida",
            f"Organización: {world.org.name}",
            'Documentos, vencidos; "revisar"',
        ),
        ("Equipo Tianguis", "Producto suspendido", "Producto: Café de altura", REASON),
    ]
    targets = [(text_of(link), attr(link, "href")) for link in elements(page, "tr[data-entry] a")]
    assert ("Café de altura", f"/productos/{world.coffee.id}") in targets
    assert (world.org.name, f"/productores/{world.org.slug}") in targets

    exported = csv_rows(admin.get("/admin/auditoria.csv"))
    assert [
        (r["Fecha"], r["Quién"], r["Acción"], f"{r['Sobre']}: {r['Nombre']}", r["Motivo"]) for r in exported
    ] == [(row[0], row[1], row[2], row[3], row[4]) for row in rows]
    assert [r["Código de la acción"] for r in exported] == [
        "listing.restore",
        "organization.suspend",
        "listing.suspend",
    ]
    assert {r["Correo"] for r in exported} == {world.admin.email}


def test_the_csv_does_not_let_a_spreadsheet_run_a_name_as_a_formula(
    app: FastAPI, session: Session, world: World
) -> None:
    audit.record(session, world.admin, "listing.suspend", "listing", 1, '=HYPERLINK("http://x")', "+1")
    session.commit()
    row = csv_rows(signed_in(app, world.admin.email).get("/admin/auditoria.csv"))[0]
    assert (row["Nombre"], row["Motivo"]) == ('\'=HYPERLINK("http://x")', "'+1")


def test_the_audit_log_filters_by_family_and_paginates(app: FastAPI, session: Session, world: World) -> None:
    for n in range(55):
        audit.record(session, world.admin, "listing.suspend", "listing", n, f"Producto {n}", "Motivo")
    audit.record(session, world.admin, "buyer_organization.verify", "buyer_organization", 7, "Hospital")
    audit.record(
        session, world.admin, "organization.verify", "organization", world.org.id or 0, world.org.name
    )
    session.commit()
    admin = signed_in(app, world.admin.email)

    first = soup(admin.get("/admin/auditoria"))
    assert len(page_rows(first)) == 50 and "Página 1 de 2" in texts(first, ".pagination span")
    assert page_rows(first)[0][2] == "Organización verificada"
    second = admin.get("/admin/auditoria?page=2")
    assert [row[3] for row in page_rows(second)] == [f"Producto: Producto {n}" for n in range(6, -1, -1)]

    only = page_rows(admin.get("/admin/auditoria?action=organization"))
    assert [row[2] for row in only] == ["Organización verificada"]  # not the buyer organization's
    institutions = page_rows(admin.get("/admin/auditoria?action=buyer_organization"))
    assert [row[3] for row in institutions] == ["Institución: Hospital"]
    listing_page = soup(admin.get("/admin/auditoria?action=listing&page=2"))
    assert len(page_rows(listing_page)) == 5
    assert hrefs(listing_page, ".pagination a[rel=prev]") == ["?action=listing&page=1"]
    assert len(csv_rows(admin.get("/admin/auditoria.csv?action=listing"))) == 55


def test_the_audit_api_lists_entries_by_action(client: TestClient, session: Session, world: World) -> None:
    audit.record(session, world.admin, "listing.suspend", "listing", 3, "Café", REASON, note="x")
    audit.record(session, world.admin, "listing.restore", "listing", 3, "Café")
    audit.record(session, world.admin, "organization.verify", "organization", 4, "Ejido")
    session.commit()
    token = api_token(client, world.admin.email)

    body = client.get("/api/v1/admin/audit", params={"action": "listing"}, headers=token).json()
    assert body["total"] == 2
    assert [(e["action"], e["action_label"]) for e in body["items"]] == [
        ("listing.restore", "Producto restablecido"),
        ("listing.suspend", "Producto suspendido"),
    ]
    first = body["items"][1]
    assert (first["actor_name"], first["target_id"], first["reason"], first["details"]) == (
        "Equipo Tianguis",
        3,
        REASON,
        {"note": "x"},
    )
    exact = client.get("/api/v1/admin/audit?action=listing.suspend&page=1", headers=token).json()
    assert exact["total"] == 1
    assert (
        client.get("/api/v1/admin/audit?page=2&per_page=2", headers=token).json()["items"][0]["target_label"]
        == "Café"
    )
