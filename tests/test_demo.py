"""The demo marketplace's data file (market/demo.toml): it ships in the package, loads through the API's
own schemas, and a wrong entry is refused with where it is in the file; once loaded, its administrator reads
the messages the demo sent in the mailbox."""

from __future__ import annotations

import tomllib
from io import BytesIO
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image
from satcfdi.cfdi import CFDI
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

import market
from market import demo_pictures
from market.catalog.models import Listing, ListingPhoto, ListingStatus
from market.catalog.schemas import ListingCreate
from market.catalog.taxonomy import CATEGORIES_BY_SLUG
from market.config import Settings
from market.db import utcnow
from market.demo import DEMO_FILE, DEMO_PASSWORD, DemoDataError, load_marketplace
from market.invoicing import global_invoice, issuing
from market.invoicing.models import Invoice, InvoiceKind, InvoiceStatus
from market.invoicing.seal import seal_verifies
from market.linking.models import CallOff, CallOffStatus, Demand, DemandStatus
from market.linking.schemas import BuyerOrganizationCreate, DemandCreate
from market.mail.delivery import deliver_due
from market.mail.models import Email, EmailStatus
from market.orders.models import Fulfillment, Order
from market.organizations.schemas import OrganizationCreate
from market.outbox import OutboxEvent, process_batch
from market.seed import load_demo
from market.storage import storage_for
from tests.helpers import log_in
from tests.pages import attr, elements, hrefs, one, soup, table_rows

PACKAGE = Path(market.__file__).parent
COFFEE = "organizations[0] (yaxal-chulel) > listings[0] (Café de altura tostado en grano, 1 kg)"


def test_the_shipped_file_loads_through_the_api_schemas() -> None:
    demo = load_marketplace()
    organization = demo.organizations[0]
    assert isinstance(organization, OrganizationCreate)
    assert isinstance(organization.listings[0], ListingCreate)
    assert isinstance(demo.school.institution, BuyerOrganizationCreate)
    assert isinstance(demo.school.demand, DemandCreate)
    assert {listing.status for org in demo.organizations for listing in org.listings} == {"active"}
    assert any(org.pending for org in demo.organizations)  # the verification queue has work
    # The demand's dates are days after today, so it is open for quotes whenever the demo is loaded.
    assert demo.school.demand.quote_deadline > utcnow()
    assert demo.school.demand.first_delivery > demo.school.demand.quote_deadline.date()
    outcomes = {part.outcome for order in demo.orders for part in order.parts}
    assert outcomes == {None, "rejected", "delivered", "completed"}


def test_the_file_is_package_data() -> None:
    pyproject = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = pyproject["tool"]["setuptools"]["package-data"]["market"]
    assert any(DEMO_FILE.relative_to(PACKAGE).match(pattern) for pattern in patterns)


@pytest.mark.parametrize(
    ("written", "mistake", "where"),
    [
        ("price_cents = 34000", "price_cents = 0", f"{COFFEE} > price_cents"),
        ("stock = 600", "stok = 600", f"{COFFEE} > stok"),  # a field of no schema
        (
            'rfc = "CCY010514DD1"',
            'rfc = "CCY0105"',
            "organizations[0] (yaxal-chulel) > rfc: El RFC «CCY0105» no es válido",
        ),
        ('email = "consumidora@tianguis.demo"', 'email = "consumidora"', "consumer > email"),
        (
            'category = "cafe"\nquantity = 120',
            'category = "café"\nquantity = 120',
            "school > demand > category: Elige una categoría de la lista.",
        ),
        (
            'outcome = "rejected"',
            'outcome = "refused"',
            "orders[1] > parts[1] (vainilla-totonacapan) > outcome",
        ),
        (
            'listing = "Amaranto reventado, 1 kg"',
            'listing = "Amaranto, 1 kg"',
            "orders[2] > parts[1] buys 'Amaranto, 1 kg' of 'maices-cacaxtla', which is not in the file",
        ),
        ('slug = "u-yich-luum"', 'slug = "yaxal-chulel"', "two organizations have the slug 'yaxal-chulel'"),
        ("quantity = 120", "quantity = 120 kg", "demo.toml: Expected newline or end of document"),
    ],
)
def test_a_wrong_entry_is_refused_saying_where(
    tmp_path: Path, written: str, mistake: str, where: str
) -> None:
    text = DEMO_FILE.read_text(encoding="utf-8")
    assert written in text
    path = tmp_path / "demo.toml"
    path.write_text(text.replace(written, mistake, 1), encoding="utf-8")
    with pytest.raises(DemoDataError) as refused:
        load_marketplace(path)
    assert where in str(refused.value)


def test_the_demo_administrator_reads_the_demos_messages_in_the_mailbox(
    app: FastAPI, session: Session, engine: Engine, settings: Settings
) -> None:
    load_demo(session, settings)
    session.commit()
    while deliver_due(engine, settings):  # what `make run`'s worker does, into the local mailbox
        pass
    admin = TestClient(app, follow_redirects=False)
    log_in(admin, "admin@tianguis.demo", DEMO_PASSWORD)

    page = soup(admin.get("/admin/correos"))

    rows = table_rows(page)
    assert len(rows) >= 10
    to = {row[1] for row in rows}
    assert {"consumidora@tianguis.demo", "yaxal-chulel@productores.demo"} <= to
    queued = session.exec(select(Email).where(Email.status != EmailStatus.SENT)).all()
    assert [(email.kind, email.last_error) for email in queued] == []  # every demo message delivered
    assert {row[4] for row in rows} == {"Enviado"}
    first = soup(admin.get(hrefs(page, "table a")[0]))
    assert one(first, "pre.mail-text").get_text().startswith("Hola")
    assert "Tianguis Solidario" in admin.get(attr(one(first, "iframe"), "src") or "").text


def test_the_demo_invoices_its_sale_to_the_institution(
    app: FastAPI, session: Session, engine: Engine, settings: Settings
) -> None:
    """The producers that sell to the demo's school have fiscal data and a (test) CSD: each of their parts
    gets its CFDI de Ingreso, sealed and waiting for a PAC ("por timbrar": `make run` has none)."""
    load_demo(session, settings)
    session.commit()
    issue = {issuing.TOPIC: issuing.handler(settings)}
    for _ in range(3):  # seal, then try to stamp (no PAC: it waits), then once more after the back-off
        process_batch(engine, issue)
        session.execute(update(OutboxEvent).values(available_at=utcnow()))
        session.commit()

    invoices = session.exec(select(Invoice).order_by(col(Invoice.id))).all()
    ingresos = [i for i in invoices if i.kind == InvoiceKind.INGRESO]
    # The school's order has two parts, and the first delivery of its honey supply two more.
    assert len(ingresos) == 4 and {i.status for i in invoices} == {InvoiceStatus.POR_TIMBRAR}
    for invoice in ingresos:
        assert invoice.signed_xml is not None and seal_verifies(invoice.signed_xml)
        assert invoice.attempts >= 1 and invoice.stamped_xml is None
    # The school paid its order: each payment complement waits for its ingreso's stamp.
    assert all(i.signed_xml is None for i in invoices if i.kind == InvoiceKind.PAGO)
    # A person's order paid last month is in its producers' global invoices of that month, sealed.
    globals_ = [i for i in invoices if i.kind == InvoiceKind.GLOBAL]
    assert len(globals_) == 2 and {i.period for i in globals_} == {global_invoice.previous_month()}
    for invoice in globals_:
        assert invoice.signed_xml is not None and seal_verifies(invoice.signed_xml)
        assert CFDI.from_string(invoice.signed_xml)["Receptor"]["Rfc"] == "XAXX010101000"


def test_the_demo_school_has_a_recurring_supply_awarded_to_two_producers(
    session: Session, settings: Settings
) -> None:
    """Awarded the cheapest cover of the honey producers' quotes: the first delivery ordered from both, the
    nine others scheduled for the school to pause, skip or change; paid from its budget line."""
    load_demo(session, settings)
    load_demo(session, settings)  # twice: loaded once
    session.commit()

    demand = session.exec(select(Demand).where(Demand.title == load_marketplace().school.supply.title)).one()
    assert (demand.status, demand.partida_code) == (DemandStatus.AWARDED, "2211")
    deliveries = session.exec(
        select(CallOff).where(CallOff.demand_id == demand.id).order_by(col(CallOff.sequence))
    ).all()
    assert [d.status for d in deliveries] == [CallOffStatus.PLACED] + [CallOffStatus.SCHEDULED] * 9
    order = session.get(Order, deliveries[0].order_id)
    assert order is not None
    parts = session.exec(select(Fulfillment).where(Fulfillment.order_id == order.id)).all()
    assert len(parts) == 2


def test_every_demo_listing_shows_a_picture_drawn_by_the_project(
    client: TestClient, session: Session, settings: Settings
) -> None:
    """Drawn when the demo loads (market/demo_pictures.py) and stored as an upload is, thumbnail included;
    the catalogue's cards show the thumbnails."""
    load_demo(session, settings)
    session.commit()

    active = session.exec(select(Listing).where(Listing.status == ListingStatus.ACTIVE)).all()
    assert len(active) >= 200
    photos = {photo.listing_id: photo for photo in session.exec(select(ListingPhoto)).all()}
    assert {listing.id for listing in active} <= set(photos)
    storage = storage_for(settings)
    for photo in photos.values():
        assert storage.exists(photo.path) and storage.exists(photo.thumb_path)
    thumb = Image.open(BytesIO(client.get(f"/media/{photos[active[0].id or 0].thumb_path}").content))
    assert (thumb.format, thumb.size) == ("JPEG", (400, 300))
    cards = elements(client.get("/catalogo"), "article.listing-card")
    assert cards and all((attr(one(card, "img"), "src") or "").startswith("/media/") for card in cards)


def test_each_category_has_its_own_picture() -> None:
    drawn = {slug: demo_pictures.draw("Producto de prueba", slug) for slug in CATEGORIES_BY_SLUG}
    assert set(demo_pictures.STYLES) == set(CATEGORIES_BY_SLUG)  # a new category gets a pictogram too
    assert all(image.size == (800, 600) and image.mode == "RGB" for image in drawn.values())
    assert len({image.tobytes() for image in drawn.values()}) == len(drawn)
