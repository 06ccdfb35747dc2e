"""Issuing a refused invoice again: once its producer fixed its CSD or fiscal data, an owner (or an
administrator) clicks "Emitir de nuevo"; the invoice goes back to por timbrar, keeps its serie and folio, and
the worker seals it anew and stamps it. Only a refused invoice, once however many clicks arrive at once."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from satcfdi.cfdi import CFDI
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from market.config import Settings
from market.db import transaction
from market.invoicing import csd_store, issuing
from market.invoicing.csd import make_test_csd
from market.invoicing.models import Invoice, InvoiceStatus
from market.invoicing.seal import seal_verifies
from market.organizations.models import Membership
from market.outbox import OutboxEvent
from tests.fixtures.pac import PacServer
from tests.helpers import api_token, at_once, csrf_of, database_state, signed_in
from tests.invoicing.shop import buy, invoices
from tests.invoicing.test_cancellation import run_worker
from tests.pages import elements, one, text_of


def invoices_page(org: Any) -> str:
    return f"/panel/o/{org.slug}/facturas"


def click_reissue(client: TestClient, org: Any, invoice: Invoice) -> Any:
    return client.post(
        f"{invoices_page(org)}/{invoice.id}/emitir", data={"csrf_token": csrf_of(client, invoices_page(org))}
    )


def pending_issues(session: Session, invoice: Invoice) -> int:
    return len(
        [
            e
            for e in session.exec(
                select(OutboxEvent).where(
                    OutboxEvent.topic == issuing.TOPIC, col(OutboxEvent.processed_at).is_(None)
                )
            )
            if e.payload["invoice_id"] == invoice.id
        ]
    )


@pytest.fixture
def refused(
    engine: Engine,
    session: Session,
    pac_settings: Settings,
    shop: dict[str, Any],
) -> dict[str, Any]:
    """The school's order on invoice terms; the coffee cooperative had no CSD, so its invoice was refused."""
    org = shop["cafe"]["org"]
    with transaction(engine) as tx:
        tx.delete(csd_store.current(tx, tx.get_one(type(org), org.id)))
    order = buy(session, pac_settings, shop, shop["school"], payment_method="invoice")
    run_worker(engine, pac_settings)
    [invoice] = [i for i in invoices(session) if i.organization_id == org.id]
    assert invoice.status == InvoiceStatus.RECHAZADA and "CSD" in (invoice.last_error or "")
    return shop | {"order": order, "invoice": invoice}


def upload_csd(session: Session, settings: Settings, people: dict[str, Any]) -> None:
    org, owner = people["cafe"]["org"], people["cafe"]["owner"]
    files = make_test_csd(org.rfc, org.legal_name)
    csd_store.upload(session, settings, owner, org, files.certificate, files.key, files.password)
    session.commit()


def test_after_its_csd_is_uploaded_a_refused_invoice_issued_again_is_stamped(
    app: FastAPI, engine: Engine, session: Session, pac_settings: Settings, refused: dict[str, Any]
) -> None:
    org, invoice = refused["cafe"]["org"], refused["invoice"]
    owner = signed_in(app, "cafe@example.mx")
    row = one(owner.get(invoices_page(org)), f"#factura-{invoice.id}")
    assert text_of(one(row, "form.reissue button")) == "Emitir de nuevo"
    upload_csd(session, pac_settings, refused)

    response = click_reissue(owner, org, invoice)

    assert response.status_code == 303, response.text
    [again] = [i for i in invoices(session) if i.id == invoice.id]
    assert (again.status, again.signed_xml, again.last_error) == (InvoiceStatus.POR_TIMBRAR, None, None)
    assert pending_issues(session, invoice) == 1
    run_worker(engine, pac_settings)
    [stamped] = [i for i in invoices(session) if i.id == invoice.id]
    assert stamped.status == InvoiceStatus.TIMBRADA, stamped.last_error
    assert stamped.stamped_xml and seal_verifies(stamped.stamped_xml)
    CFDI.from_string(stamped.stamped_xml).xml_bytes(validate=True)  # the SAT's schema
    assert CFDI.from_string(stamped.stamped_xml)["Emisor"]["Rfc"] == org.rfc


def test_a_refused_invoice_keeps_its_serie_and_folio_when_issued_again_through_the_api(
    client: TestClient,
    engine: Engine,
    session: Session,
    pac_settings: Settings,
    shop: dict[str, Any],
    pac_server: PacServer,
) -> None:
    pac_server.mode = "refuse"  # sealed and numbered, then refused by the PAC
    buy(session, pac_settings, shop, shop["school"], payment_method="invoice")
    run_worker(engine, pac_settings)
    org = shop["cafe"]["org"]
    [invoice] = [i for i in invoices(session) if i.organization_id == org.id]
    assert (invoice.status, invoice.serie, invoice.folio) == (InvoiceStatus.RECHAZADA, "A", 1)
    pac_server.mode = "normal"
    headers = api_token(client, "cafe@example.mx")

    response = client.post(f"/api/v1/organizations/{org.slug}/invoices/{invoice.id}/reissue", headers=headers)

    assert response.status_code == 202, response.text
    assert (response.json()["status"], response.json()["folio"]) == ("por_timbrar", 1)
    run_worker(engine, pac_settings)
    [stamped] = [i for i in invoices(session) if i.id == invoice.id]
    assert (stamped.status, stamped.serie, stamped.folio) == (InvoiceStatus.TIMBRADA, "A", 1)
    cfdi = CFDI.from_string(stamped.stamped_xml or b"")
    assert (cfdi["Serie"], cfdi["Folio"]) == ("A", "1")
    again = client.post(f"/api/v1/organizations/{org.slug}/invoices/{invoice.id}/reissue", headers=headers)
    assert again.status_code == 409  # only a refused invoice


def test_two_clicks_at_once_issue_it_again_once(
    app: FastAPI, session: Session, pac_settings: Settings, refused: dict[str, Any]
) -> None:
    org, invoice = refused["cafe"]["org"], refused["invoice"]
    upload_csd(session, pac_settings, refused)
    browsers = [signed_in(app, "cafe@example.mx") for _ in range(2)]
    tokens = [csrf_of(b, invoices_page(org)) for b in browsers]

    def click() -> str:
        browser, token = browsers.pop(), tokens.pop()
        response = browser.post(f"{invoices_page(org)}/{invoice.id}/emitir", data={"csrf_token": token})
        return str(response.status_code)

    assert at_once(click) == ["303", "409"]
    assert pending_issues(session, invoice) == 1


def test_an_administrator_issues_a_refused_invoice_again_from_the_stuck_invoices(
    app: FastAPI,
    engine: Engine,
    session: Session,
    pac_settings: Settings,
    refused: dict[str, Any],
    make_user: Any,
) -> None:
    invoice = refused["invoice"]
    make_user("admin@example.mx", is_admin=True)
    admin = signed_in(app, "admin@example.mx")
    row = one(admin.get("/admin/facturas"), f"#stuck-invoices #factura-{invoice.id}")
    assert one(row, "form.reissue")
    upload_csd(session, pac_settings, refused)

    response = admin.post(
        f"/admin/facturas/{invoice.id}/emitir", data={"csrf_token": csrf_of(admin, "/admin/facturas")}
    )

    assert response.status_code == 303
    run_worker(engine, pac_settings)
    [stamped] = [i for i in invoices(session) if i.id == invoice.id]
    assert stamped.status == InvoiceStatus.TIMBRADA, stamped.last_error


def test_only_owners_issue_again_and_only_refused_invoices(
    app: FastAPI,
    client: TestClient,
    engine: Engine,
    session: Session,
    refused: dict[str, Any],
    make_user: Any,
) -> None:
    org, invoice = refused["cafe"]["org"], refused["invoice"]
    member = make_user("socia@example.mx")
    session.add(Membership(user_id=member.id, organization_id=org.id, role="member"))
    session.commit()
    [stamped] = [i for i in invoices(session) if i.organization_id == refused["rebozos"]["org"].id]
    browser, weavers = signed_in(app, "socia@example.mx"), signed_in(app, "rebozos@example.mx")
    token = api_token(client, "socia@example.mx")
    anonymous = TestClient(app, follow_redirects=False)
    before = database_state(engine)

    assert not elements(browser.get(invoices_page(org)), "form.reissue")
    assert click_reissue(browser, org, invoice).status_code == 403
    api = f"/api/v1/organizations/{org.slug}/invoices/{invoice.id}/reissue"
    assert client.post(api, headers=token).status_code == 403
    assert click_reissue(weavers, refused["rebozos"]["org"], invoice).status_code == 404  # not theirs
    assert click_reissue(weavers, refused["rebozos"]["org"], stamped).status_code == 409  # not refused
    assert client.post(api).status_code == 401
    not_admin = browser.post(
        f"/admin/facturas/{invoice.id}/emitir", data={"csrf_token": csrf_of(browser, invoices_page(org))}
    )
    assert not_admin.status_code == 403
    response = anonymous.post(
        f"{invoices_page(org)}/{invoice.id}/emitir", data={"csrf_token": csrf_of(anonymous)}
    )
    assert response.status_code == 303 and response.headers["location"].startswith("/entrar")
    assert database_state(engine) == before
