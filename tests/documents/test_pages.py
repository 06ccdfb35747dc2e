"""The Documentos page of a producer (members see the checklist, owners upload), the administrators' queue at
/admin/documentos, and the badges an institution sees when it compares quotes and anyone sees on the
profile: a certification is «verificada» only with approved evidence in force, else «declarada»."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from market.documents.models import DocumentStatus, SupplierDocument
from tests.documents.conftest import CODES, World, iso, later, pdf
from tests.helpers import csrf_of, database_state, emails, fresh, signed_in
from tests.pages import Htmx, attr, elements, field_error, flash, hrefs, one, soup, table_rows
from tests.test_images import png_declaring


def page_of(world: World) -> str:
    return f"/panel/o/{world.org.slug}/documentos"


def upload(
    client: TestClient,
    world: World,
    headers: dict[str, str] | None = None,
    content: bytes | None = None,
    **fields: str,
) -> Any:
    data = {
        "kind": "constancia_situacion_fiscal",
        "issued_on": iso(later(-3)),
        "csrf_token": csrf_of(client, page_of(world)),
    } | fields
    return client.post(
        page_of(world),
        data=data,
        files={"file": ("constancia.pdf", pdf() if content is None else content, "application/pdf")},
        headers=headers or {},
    )


def standings(client: TestClient, world: World) -> dict[str, str]:
    page = soup(client.get(page_of(world)))
    return {
        attr(row, "data-requirement") or "": attr(row, "data-standing") or ""
        for row in elements(page, "#documentos tbody tr")
    }


def test_the_owner_uploads_from_the_page_and_sees_it_in_review(
    app: FastAPI, world: World, htmx: Htmx
) -> None:
    owner = signed_in(app, world.owner.email)
    assert set(standings(owner, world).values()) == {"missing"}

    response = upload(owner, world, htmx.headers)
    assert htmx.went_to(response) == page_of(world)
    page = owner.get(page_of(world))
    assert (
        flash(page)
        == "Recibimos «Constancia de Situación Fiscal». El equipo lo revisará y te avisaremos por correo."
    )
    assert standings(owner, world)["constancia_situacion_fiscal"] == "in_review"
    link = one(page, "#documentos tbody tr a[href*='/documentos/']")
    assert owner.get(attr(link, "href") or "").content == pdf()


def test_a_wrong_upload_comes_back_with_the_message_beside_its_field_and_writes_nothing(
    app: FastAPI, engine: Engine, world: World
) -> None:
    owner = signed_in(app, world.owner.email)
    before = database_state(engine)
    wrong_type = upload(owner, world, content=b"MZ\x90\x00 un ejecutable")
    assert wrong_type.status_code == 422
    assert field_error(wrong_type, "file") == "El archivo debe ser un PDF, una foto JPEG o una imagen PNG."
    no_expiry = upload(owner, world, kind=f"certificacion:{CODES[0]}")
    assert field_error(no_expiry, "expires_on") == "Escribe hasta qué fecha es vigente."
    assert one(no_expiry, "#f-kind option[selected]").get("value") == f"certificacion:{CODES[0]}"
    bad_date = upload(owner, world, issued_on="31/02/2026")
    assert bad_date.status_code == 422 and field_error(bad_date, "issued_on")
    ancient = upload(owner, world, issued_on="0001-01-01")
    assert ancient.status_code == 422
    assert "La Constancia de Situación Fiscal debe ser reciente" in (field_error(ancient, "issued_on") or "")
    far = upload(owner, world, kind=f"certificacion:{CODES[0]}", expires_on="9999-12-31")
    assert (field_error(far, "expires_on") or "").startswith("La vigencia no puede pasar del")
    huge = upload(owner, world, content=png_declaring(30000, 30000))
    assert (field_error(huge, "file") or "").startswith("La imagen mide 30000 × 30000 px")
    assert database_state(engine) == before

    english = signed_in(app, world.owner.email)
    english.cookies.set("lang", "en")
    assert (
        field_error(upload(english, world, content=b"nada"), "file")
        == "The file must be a PDF, a JPEG photo or a PNG image."
    )


def test_a_member_sees_the_checklist_but_cannot_upload_and_others_cannot_see_it(
    app: FastAPI, engine: Engine, world: World
) -> None:
    member = signed_in(app, world.member.email)
    page = member.get(page_of(world))
    assert page.status_code == 200 and not elements(page, "#document-form")
    before = database_state(engine)
    assert upload(member, world).status_code == 403
    assert database_state(engine) == before
    stranger = signed_in(app, world.stranger.email)
    assert stranger.get(page_of(world)).status_code == 403
    anonymous = TestClient(app, follow_redirects=False)
    assert anonymous.get(page_of(world)).status_code == 303  # to log in


def test_the_administrator_reviews_from_the_queue_and_the_owners_are_told(
    app: FastAPI, session: Session, world: World
) -> None:
    owner = signed_in(app, world.owner.email)
    upload(owner, world)
    upload(owner, world, kind="opinion_cumplimiento")
    admin = signed_in(app, world.admin.email)
    queue = admin.get("/admin/documentos")
    cards = elements(queue, "article.review")
    assert len(cards) == 2
    file_link = one(cards[0], "a[href*='/documentos/']")
    assert admin.get(attr(file_link, "href") or "").content == pdf()
    ids = [int((attr(c, "id") or "").removeprefix("documento-")) for c in cards]

    token = csrf_of(admin, "/admin/documentos")
    assert admin.post(f"/admin/documentos/{ids[0]}/aprobar", data={"csrf_token": token}).status_code == 303
    refused = admin.post(f"/admin/documentos/{ids[1]}/rechazar", data={"csrf_token": token, "reason": ""})
    assert (
        flash(admin.get(refused.headers["location"]), "error")
        == "Explica qué le falta al documento para que lo corrijan."
    )
    admin.post(f"/admin/documentos/{ids[1]}/rechazar", data={"csrf_token": token, "reason": "Está borrosa"})

    assert fresh(session, SupplierDocument, ids[0]).status == DocumentStatus.APPROVED
    assert fresh(session, SupplierDocument, ids[1]).rejection_reason == "Está borrosa"
    told = sorted(
        (e["to"], e["subject"].split(": ")[1]) for e in emails(session) if e["kind"] == "supplier_document"
    )
    assert told == [
        ("juana@example.mx", "aprobamos su documento «Constancia de Situación Fiscal»"),
        ("juana@example.mx", "no aprobamos su documento «Opinión de Cumplimiento (32-D)»"),
        ("rosa@example.mx", "aprobamos su documento «Constancia de Situación Fiscal»"),
        ("rosa@example.mx", "no aprobamos su documento «Opinión de Cumplimiento (32-D)»"),
    ]
    rows = {row[0]: row[1] for row in table_rows(owner.get(page_of(world)), "#documentos")}
    assert rows["Opinión de Cumplimiento (32-D)"] == "Rechazado Motivo: Está borrosa"
    assert rows["Constancia de Situación Fiscal"] == "Aprobado"
    assert signed_in(app, world.owner.email).get("/admin/documentos").status_code == 403
    owner_token = csrf_of(owner, page_of(world))
    assert (
        owner.post(f"/admin/documentos/{ids[0]}/aprobar", data={"csrf_token": owner_token}).status_code == 403
    )


def approve_all(session: Session, world: World, admin_id: int | None) -> None:
    session.execute(update(SupplierDocument).values(status=DocumentStatus.APPROVED, reviewed_by_id=admin_id))
    session.commit()


def badges_in(page: Any, selector: str) -> dict[str, str]:
    return {
        attr(b, "data-certification") or "": attr(b, "data-state") or ""
        for b in elements(page, f"{selector} [data-certification]")
    }


def documents_in(page: Any, selector: str) -> dict[str, str]:
    return {
        attr(b, "data-document") or "": attr(b, "data-ok") or ""
        for b in elements(page, f"{selector} [data-document]")
    }


def test_badges_on_the_compare_page_and_the_profile_say_verificada_declarada_or_vencida(
    app: FastAPI, session: Session, world: World
) -> None:
    owner = signed_in(app, world.owner.email)
    upload(owner, world)
    upload(owner, world, kind="opinion_cumplimiento")
    upload(owner, world, kind=f"certificacion:{CODES[0]}", expires_on=iso(later(100)))
    upload(owner, world, kind=f"certificacion:{CODES[1]}", expires_on=iso(later(100)))
    buyer = signed_in(app, world.buyer.email)
    compare = f"/demandas/{world.demand.id}"
    profile = f"/productores/{world.org.slug}"

    # nothing approved yet: everything declared, no document in force
    assert badges_in(buyer.get(compare), "td.supplier-documents") == dict.fromkeys(CODES, "declarada")
    assert documents_in(buyer.get(compare), "td.supplier-documents") == {
        "constancia": "false",
        "opinion": "false",
        "founding": "false",
    }

    approve_all(session, world, world.admin.id)
    # the second certification's evidence is approved but its date has passed
    session.execute(
        update(SupplierDocument)
        .where(col(SupplierDocument.certification) == CODES[1])
        .values(expires_on=later(-1), issued_on=later(-400))
    )
    session.commit()

    page = buyer.get(compare)
    assert badges_in(page, "td.supplier-documents") == {CODES[0]: "verificada", CODES[1]: "vencida"}
    assert documents_in(page, "td.supplier-documents") == {
        "constancia": "true",
        "opinion": "true",
        "founding": "false",
    }
    labels = [b.get_text(" ", strip=True) for b in elements(page, "td.supplier-documents .badge")]
    assert (
        "Constancia fiscal ✓" in labels
        and "Opinión 32-D vigente" in labels
        and "Sin acta constitutiva" in labels
    )

    links = hrefs(page, "td .supplier-files a")
    assert len(links) == 3  # constancia, opinión and the first certification's evidence; the lapsed one not
    assert all(buyer.get(link).status_code == 200 for link in links)

    visitor = TestClient(app)
    public = visitor.get(profile)
    assert badges_in(public, ".supplier-certifications") == {CODES[0]: "verificada", CODES[1]: "vencida"}
    assert documents_in(public, ".supplier-documents") == {
        "constancia": "true",
        "opinion": "true",
        "founding": "false",
    }
    directory = visitor.get("/productores")
    assert badges_in(directory, ".supplier-certifications") == {CODES[0]: "verificada", CODES[1]: "vencida"}

    # the school may open the approved files in force of a producer that quoted to it, not the others'
    approved = session.exec(select(SupplierDocument).where(SupplierDocument.certification == CODES[0])).one()
    lapsed = session.exec(select(SupplierDocument).where(SupplierDocument.certification == CODES[1])).one()
    assert buyer.get(f"/productores/{world.org.slug}/documentos/{approved.id}").status_code == 200
    assert buyer.get(f"/productores/{world.org.slug}/documentos/{lapsed.id}").status_code == 404
    assert (
        signed_in(app, world.stranger.email)
        .get(f"/productores/{world.org.slug}/documentos/{approved.id}")
        .status_code
        == 404
    )


def test_the_owner_sees_expiring_and_expired_documents_on_the_page(
    app: FastAPI, session: Session, world: World
) -> None:
    owner = signed_in(app, world.owner.email)
    upload(owner, world, kind=f"certificacion:{CODES[0]}", expires_on=iso(later(10)))
    upload(owner, world, kind=f"certificacion:{CODES[1]}", expires_on=iso(later(100)))
    approve_all(session, world, world.admin.id)
    session.execute(
        update(SupplierDocument)
        .where(col(SupplierDocument.certification) == CODES[1])
        .values(expires_on=later(-2))
    )
    session.commit()
    assert standings(owner, world)[f"certificacion:{CODES[0]}"] == "expiring"
    assert standings(owner, world)[f"certificacion:{CODES[1]}"] == "expired"
    rows = table_rows(owner.get(page_of(world)), "#documentos")
    soon = (later(10)).strftime("%d/%m/%Y")
    assert any(f"Vence pronto: {soon}" in row[1] for row in rows)
    assert any(f"Vencido el {(later(-2)).strftime('%d/%m/%Y')}" in row[1] for row in rows)
    assert f"/panel/o/{world.org.slug}/documentos?documento=" in " ".join(hrefs(owner.get(page_of(world))))


def test_the_panel_links_to_documentos(app: FastAPI, world: World) -> None:
    owner = signed_in(app, world.owner.email)
    assert page_of(world) in hrefs(owner.get(f"/panel/o/{world.org.slug}"))
