"""Where people see invoices: each part's invoice on its order and in the producer's queue, the downloads
(XML as stored, PDF rendered from it), the producer's invoices, the institution's month in one ZIP and the
administrators' stuck invoices. Each seen by the buyer, the issuing producer and the administrators only."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from typing import Any

import pytest
from bs4 import BeautifulSoup
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from market.config import Settings
from market.db import transaction, utcnow
from market.invoicing import csd_store
from market.invoicing.models import Invoice, InvoiceStatus
from market.mexico import MEXICO_CITY
from market.orders.models import Order
from tests.fixtures.pac import PacServer
from tests.helpers import INSTITUTION, make_institution, signed_in
from tests.invoicing.shop import buy, invoices, run_worker


@pytest.fixture
def issued(
    engine: Engine,
    session: Session,
    pac_settings: Settings,
    shop: dict[str, Any],
    make_user: Any,
    make_org: Any,
) -> dict[str, Any]:
    """The school's order on invoice terms: the coffee cooperative has no CSD (its invoice is refused),
    the weavers' is stamped. Also: another producer, another institution, a consumer, an administrator."""
    with transaction(engine) as tx:
        tx.delete(csd_store.current(tx, tx.get_one(type(shop["cafe"]["org"]), shop["cafe"]["org"].id)))
    order = buy(session, pac_settings, shop, shop["school"], payment_method="invoice")
    run_worker(engine, pac_settings)
    by_org = {i.organization_id: i for i in invoices(session)}
    stranger = make_user("otra@example.mx")
    make_org(stranger, name="Miel de la Montaña")
    hospital = make_user("compras@hospital.mx")
    make_institution(session, hospital, INSTITUTION)
    make_user("admin@example.mx", is_admin=True)
    return shop | {
        "order": order,
        "refused": by_org[shop["cafe"]["org"].id],
        "stamped": by_org[shop["rebozos"]["org"].id],
        "hospital": hospital,
    }


OUTSIDERS = ("otra@example.mx", "compras@hospital.mx", "luis@example.mx")


def soup(response: Any) -> BeautifulSoup:
    assert response.status_code == 200, response.text
    return BeautifulSoup(response.text, "html.parser")


def test_the_order_shows_each_part_invoice_and_the_reason_only_to_its_producer(
    app: FastAPI, issued: dict[str, Any]
) -> None:
    order, refused, stamped = issued["order"], issued["refused"], issued["stamped"]
    page = soup(signed_in(app, "compras@escuela.mx").get(f"/pedidos/{order.id}"))
    weavers = page.find(id=f"factura-parte-{stamped.fulfillment_id}")
    assert weavers and "Timbrada" in weavers.text and stamped.uuid in weavers.text
    assert {a["href"] for a in weavers.find_all("a")} == {
        f"/facturas/{stamped.id}/xml",
        f"/facturas/{stamped.id}/pdf",
    }
    coffee = page.find(id=f"factura-parte-{refused.fulfillment_id}")
    assert coffee and "Rechazada" in coffee.text and "CSD" not in coffee.text  # the reason is the producer's
    assert not coffee.find_all("a")

    own = soup(signed_in(app, "cafe@example.mx").get(f"/pedidos/{order.id}"))
    assert own.find(id=f"factura-parte-{stamped.fulfillment_id}") is None  # another producer's
    reason = own.find(id=f"factura-parte-{refused.fulfillment_id}")
    assert reason and "Motivo" in reason.text and "CSD" in reason.text

    queue = soup(signed_in(app, "cafe@example.mx").get(f"/panel/o/{issued['cafe']['org'].slug}/pedidos"))
    line = queue.find(id=f"factura-parte-{refused.fulfillment_id}")
    assert line and "CSD" in line.text
    assert queue.find(id=f"factura-parte-{stamped.fulfillment_id}") is None


def test_the_xml_download_is_the_stored_one_for_the_buyer_the_issuer_and_the_administrators(
    app: FastAPI, issued: dict[str, Any]
) -> None:
    stamped = issued["stamped"]
    for email in ("compras@escuela.mx", "rebozos@example.mx", "admin@example.mx"):
        response = signed_in(app, email).get(f"/facturas/{stamped.id}/xml")
        assert response.status_code == 200, email
        assert response.content == stamped.stamped_xml
        assert response.headers["content-type"].startswith("application/xml")
        assert f'filename="{stamped.uuid}.xml"' in response.headers["content-disposition"]
    for email in (*OUTSIDERS, "cafe@example.mx"):  # another producer of the same order, too
        for kind in ("xml", "pdf"):
            response = signed_in(app, email).get(f"/facturas/{stamped.id}/{kind}")
            assert response.status_code == 404, (email, kind)
            assert stamped.uuid not in response.text
    anonymous = TestClient(app, follow_redirects=False).get(f"/facturas/{stamped.id}/xml")
    assert anonymous.status_code == 303 and "/entrar" in anonymous.headers["location"]
    # a refused invoice has no XML to give
    assert signed_in(app, "cafe@example.mx").get(f"/facturas/{issued['refused'].id}/xml").status_code == 404


def test_the_pdf_is_rendered_from_the_stamped_cfdi(app: FastAPI, issued: dict[str, Any]) -> None:
    stamped = issued["stamped"]
    response = signed_in(app, "compras@escuela.mx").get(f"/facturas/{stamped.id}/pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert f'filename="{stamped.uuid}.pdf"' in response.headers["content-disposition"]


def test_while_it_waits_for_the_pac_the_signed_xml_is_offered_as_such(
    app: FastAPI,
    engine: Engine,
    session: Session,
    pac_settings: Settings,
    shop: dict[str, Any],
    pac_server: PacServer,
) -> None:
    order = buy(session, pac_settings, shop, shop["school"], payment_method="invoice")
    pac_server.mode = "down"
    run_worker(engine, pac_settings)
    waiting = invoices(session)[0]
    assert waiting.status == InvoiceStatus.POR_TIMBRAR and waiting.signed_xml
    page = soup(signed_in(app, "compras@escuela.mx").get(f"/pedidos/{order.id}"))
    line = page.find(id=f"factura-parte-{waiting.fulfillment_id}")
    assert line and "Por timbrar" in line.text
    [link] = line.find_all("a")
    assert "sin timbrar" in link.text and link["href"] == f"/facturas/{waiting.id}/xml"
    response = signed_in(app, "compras@escuela.mx").get(link["href"])
    assert response.content == waiting.signed_xml
    assert f'filename="A{waiting.folio}-sin-timbrar.xml"' in response.headers["content-disposition"]


def test_the_producer_lists_its_own_invoices_newest_first(
    app: FastAPI, session: Session, issued: dict[str, Any]
) -> None:
    slug = issued["cafe"]["org"].slug
    page = soup(signed_in(app, "cafe@example.mx").get(f"/panel/o/{slug}/facturas"))
    rows = page.select("#invoices tbody tr")
    assert [r["id"] for r in rows] == [f"factura-{issued['refused'].id}"]
    assert "Rechazada" in rows[0].text and "CSD" in rows[0].text
    assert "Escuela Primaria Benito Juárez A.C." in rows[0].text
    manage = soup(signed_in(app, "cafe@example.mx").get(f"/panel/o/{slug}"))
    assert manage.find("a", href=f"/panel/o/{slug}/facturas")

    weavers = issued["rebozos"]["org"].slug
    listed = soup(signed_in(app, "rebozos@example.mx").get(f"/panel/o/{weavers}/facturas"))
    [row] = listed.select("#invoices tbody tr")
    stamped = issued["stamped"]
    assert stamped.uuid in row.text and "Timbrada" in row.text and "$" in row.text
    for email in ("cafe@example.mx", *OUTSIDERS):
        response = signed_in(app, email).get(f"/panel/o/{weavers}/facturas")
        assert response.status_code in (403, 404), email
        assert stamped.uuid not in response.text


def test_the_institution_downloads_the_months_stamped_invoices_in_one_zip(
    app: FastAPI,
    engine: Engine,
    session: Session,
    pac_settings: Settings,
    issued: dict[str, Any],
) -> None:
    hospital_order = buy(session, pac_settings, issued, issued["hospital"], payment_method="invoice")
    run_worker(engine, pac_settings)
    others = {i.status for i in invoices(session) if i.order_id == hospital_order.id}
    assert others == {InvoiceStatus.TIMBRADA, InvoiceStatus.RECHAZADA}  # the hospital's: not in the ZIP
    stamped = issued["stamped"]
    month = f"{stamped.stamped_at.astimezone(MEXICO_CITY):%Y-%m}"
    school = session.get_one(Order, issued["order"].id).buyer_organization_id

    page = soup(signed_in(app, "compras@escuela.mx").get(f"/instituciones/{school}"))
    form = page.find(id="facturas-del-mes")
    assert form and form["action"] == f"/instituciones/{school}/facturas.zip"

    response = signed_in(app, "compras@escuela.mx").get(f"/instituciones/{school}/facturas.zip?mes={month}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert f'filename="facturas-{month}.zip"' in response.headers["content-disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == [f"{stamped.uuid}.pdf", f"{stamped.uuid}.xml"]  # not the refused
    assert archive.read(f"{stamped.uuid}.xml") == stamped.stamped_xml
    assert archive.read(f"{stamped.uuid}.pdf").startswith(b"%PDF")

    empty = signed_in(app, "compras@escuela.mx").get(f"/instituciones/{school}/facturas.zip?mes=2020-01")
    assert zipfile.ZipFile(io.BytesIO(empty.content)).namelist() == []
    for email in ("compras@hospital.mx", "rebozos@example.mx", "luis@example.mx"):
        refused = signed_in(app, email).get(f"/instituciones/{school}/facturas.zip?mes={month}")
        assert refused.status_code == 404, email


@pytest.mark.parametrize("month", ["2026-13", "diciembre", "", "2026-1", "0001-01"])
def test_a_bad_month_is_refused_with_a_message(app: FastAPI, issued: dict[str, Any], month: str) -> None:
    school = issued["order"].buyer_organization_id
    response = signed_in(app, "compras@escuela.mx").get(f"/instituciones/{school}/facturas.zip?mes={month}")
    assert response.status_code == 422
    assert "2026-12" in BeautifulSoup(response.text, "html.parser").get_text()


def test_the_administrators_see_the_invoices_stuck_in_stamping(
    app: FastAPI,
    engine: Engine,
    session: Session,
    pac_settings: Settings,
    issued: dict[str, Any],
    pac_server: PacServer,
) -> None:
    pac_server.mode = "down"
    hospital_order = buy(session, pac_settings, issued, issued["hospital"], payment_method="invoice")
    run_worker(engine, pac_settings)
    hospitals = {i.status: i for i in invoices(session) if i.order_id == hospital_order.id}
    late, refused = hospitals[InvoiceStatus.POR_TIMBRAR], hospitals[InvoiceStatus.RECHAZADA]
    before = soup(signed_in(app, "admin@example.mx").get("/admin/facturas"))
    assert {r["id"] for r in before.select("#stuck-invoices tbody tr")} == {
        f"factura-{i.id}" for i in (issued["refused"], refused)
    }  # waiting for less than an hour: not yet
    with transaction(engine) as tx:
        tx.execute(
            update(Invoice).where(col(Invoice.id) == late.id).values(created_at=utcnow() - timedelta(hours=2))
        )
    page = soup(signed_in(app, "admin@example.mx").get("/admin/facturas"))
    rows = {r["id"]: r for r in page.select("#stuck-invoices tbody tr")}
    assert set(rows) == {f"factura-{i.id}" for i in (issued["refused"], refused, late)}
    assert "CSD" in rows[f"factura-{issued['refused'].id}"].text
    assert (late.last_error or "")[:30] in rows[f"factura-{late.id}"].text
    assert soup(signed_in(app, "admin@example.mx").get("/admin")).find("a", href="/admin/facturas")
    for email in ("cafe@example.mx", "compras@escuela.mx", "luis@example.mx"):
        response = signed_in(app, email).get("/admin/facturas")
        assert response.status_code in (403, 404), email
        assert "CSD" not in response.text


def test_an_institutions_buyer_finds_it_from_the_panel(
    app: FastAPI, session: Session, school: Any, school_buyer: Any
) -> None:
    """From the panel to the institution's page, where its demands, orders and monthly invoices are."""
    with signed_in(app, school_buyer.email) as client:
        panel = BeautifulSoup(client.get("/panel").text, "html.parser")
    links = [a["href"] for a in panel.select("#mis-instituciones a")]
    assert links == [f"/instituciones/{school.id}"]
