"""Issue 15's journey in a real Chromium: a producer gives its fiscal data and uploads its CSD, a school buys
from it on invoice terms, the worker has the invoice stamped by the loopback PAC, and both the school and the
producer download the stamped CFDI."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from playwright.sync_api import Page, expect
from sqlalchemy.engine import Engine
from sqlmodel import Session

from market.app import create_app
from market.config import Settings
from market.invoicing.csd import make_test_csd
from market.mexico import MEXICO_CITY
from tests.helpers import SCHOOL, make_institution
from tests.invoicing.shop import invoices, run_worker

pytestmark = pytest.mark.browser

RFC, LEGAL_NAME = "CTZ0803115N4", "COOPERATIVA TEJEDORAS DE ZINACANTAN"
TFD = "http://www.sat.gob.mx/TimbreFiscalDigital"


@pytest.fixture
def app(pac_settings: Settings, engine: Engine) -> Iterator[FastAPI]:
    """The live server's app stamps through the loopback PAC (as tests/fixtures/app.py builds it)."""
    app = create_app(pac_settings)
    yield app
    app.state.engine.dispose()


def watch_csp(page: Page, refused: list[str]) -> Page:
    """What the Content-Security-Policy blocks on `page` goes to `refused`: nothing the pages need."""
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    return page


def download(page: Page, link: Any, folder: Path) -> bytes:
    with page.expect_download() as info:
        link.click()
    saved = folder / info.value.suggested_filename
    info.value.save_as(saved)
    return saved.read_bytes()


def test_a_producer_uploads_its_csd_and_both_sides_download_the_stamped_invoice(
    sign_in: Any,
    live_server: str,
    engine: Engine,
    session: Session,
    pac_settings: Settings,
    make_user: Any,
    make_org: Any,
    make_listing: Any,
    tmp_path: Path,
) -> None:
    owner = make_user("rebozos@example.mx", name="Rosa Pérez")
    org = make_org(owner, name="Tejedoras de Zinacantán", rfc=RFC, state="20")
    listing = make_listing(
        org, title="Rebozo tejido en telar de cintura", category="textiles", price_cents=45900
    )
    school = make_user("compras@escuela.mx", name="Marta Ruiz")
    institution = make_institution(session, school, SCHOOL)
    files = make_test_csd(RFC, LEGAL_NAME)
    (tmp_path / "csd.cer").write_bytes(files.certificate)
    (tmp_path / "csd.key").write_bytes(files.key)
    refused: list[str] = []

    # 1. The producer's owner gives the fiscal data and uploads the CSD.
    producer = watch_csp(sign_in("rebozos@example.mx"), refused)
    producer.goto(f"{live_server}/panel/o/{org.slug}")
    producer.get_by_role("link", name="Facturación").click()
    expect(producer.get_by_role("heading", name="Facturación", exact=True)).to_be_visible()
    producer.get_by_label("Razón social").fill(LEGAL_NAME)
    producer.get_by_role("combobox", name="Régimen fiscal").select_option("601")
    producer.get_by_label("Código postal fiscal").fill("29350")
    producer.get_by_role("button", name="Guardar datos fiscales").click()
    facts = producer.locator("#fiscal-facts")
    expect(facts).to_contain_text(LEGAL_NAME)
    expect(facts).to_contain_text("601")
    expect(facts).to_contain_text("29350")
    producer.get_by_label("Certificado (.cer)").set_input_files(tmp_path / "csd.cer")
    producer.get_by_label("Llave privada (.key)").set_input_files(tmp_path / "csd.key")
    producer.get_by_label("Contraseña de la llave privada").fill(files.password)
    producer.get_by_role("button", name="Subir CSD").click()
    csd = producer.locator("#csd-facts")
    expect(csd).to_contain_text("30001000000500003416")
    expect(csd).to_contain_text("vence el")

    # 2. The school's buyer orders the rebozos on invoice terms, through the cart.
    buyer = watch_csp(sign_in("compras@escuela.mx"), refused)
    buyer.goto(f"{live_server}/productos/{listing.id}")
    buyer.get_by_label("Cantidad").fill("3")
    buyer.get_by_role("button", name="Agregar al carrito").click()
    buyer.get_by_role("status").get_by_role("link", name="Ver tu carrito").click()
    expect(buyer.get_by_role("heading", name="Tu carrito")).to_be_visible()
    expect(buyer.locator("#para-institucion")).to_contain_text("Escuela Primaria Benito Juárez")
    buyer.get_by_label("Factura a 30 días").check()
    buyer.get_by_role("button", name="Hacer el pedido").click()
    expect(buyer).to_have_url(re.compile(r"/pedidos/\d+$"))
    order_url = buyer.url

    # The worker: the outbox's issuing handler seals the CFDI and the loopback PAC stamps it.
    run_worker(engine, pac_settings)
    [invoice] = invoices(session)
    assert invoice.status == "timbrada", invoice.last_error
    assert invoice.uuid and invoice.stamped_xml and invoice.stamped_at

    # 3. The school sees it stamped on its order and downloads the XML and the PDF.
    buyer.goto(order_url)
    line = buyer.locator(f"#factura-parte-{invoice.fulfillment_id}")
    expect(line).to_contain_text("Timbrada")
    expect(line).to_contain_text(invoice.uuid)
    xml = download(buyer, line.get_by_role("link", name="XML"), tmp_path / "escuela")
    assert xml == invoice.stamped_xml
    assert TFD.encode() in xml and b"TimbreFiscalDigital" in xml and invoice.uuid.encode() in xml
    assert RFC.encode() in xml and SCHOOL["rfc"].encode() in xml
    pdf = download(buyer, line.get_by_role("link", name="PDF"), tmp_path / "escuela")
    assert pdf.startswith(b"%PDF")
    # and the month's stamped invoices in one ZIP, from the institution's page
    buyer.goto(f"{live_server}/instituciones/{institution.id}")
    month = buyer.locator("#facturas-del-mes")
    month.get_by_label("Facturas timbradas del mes").fill(
        f"{invoice.stamped_at.astimezone(MEXICO_CITY):%Y-%m}"
    )
    archive = zipfile.ZipFile(
        io.BytesIO(download(buyer, month.get_by_role("button", name="Descargar"), tmp_path))
    )
    assert sorted(archive.namelist()) == [f"{invoice.uuid}.pdf", f"{invoice.uuid}.xml"]
    assert archive.read(f"{invoice.uuid}.xml") == xml

    # 4. The producer finds it among its invoices and downloads the same XML.
    producer.goto(f"{live_server}/panel/o/{org.slug}/facturas")
    row = producer.locator(f"#factura-{invoice.id}")
    expect(row).to_contain_text("Timbrada")
    expect(row).to_contain_text(invoice.uuid)
    assert download(producer, row.get_by_role("link", name="XML"), tmp_path / "productora") == xml

    assert refused == []
