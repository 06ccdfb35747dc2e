"""Each producer's CFDI de Ingreso for a part sold to an institution: owed when the part goes to the producer
(on invoice terms: PPD; paid at once: PUE), written with the order, then built, sealed with the producer's CSD
and stamped by the worker through the loopback PAC. Issued once however often or on however many workers
the handler runs; waits while the PAC is down; refused with the reason when the producer cannot invoice."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from satcfdi.cfdi import CFDI
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from market.config import Settings
from market.db import transaction, utcnow
from market.invoicing import csd_store, issuing
from market.invoicing.models import InvoiceStatus, PublicSale
from market.invoicing.seal import seal_verifies
from market.orders.fulfillment import confirm_offline_payment
from market.outbox import OutboxEvent
from tests.fixtures.pac import PacServer
from tests.helpers import SCHOOL, at_once, emails_to
from tests.invoicing.shop import buy, invoices, iva, parts, run_worker


def test_an_institution_on_invoice_terms_gets_one_stamped_ppd_ingreso_per_producer(
    engine: Engine, session: Session, pac_settings: Settings, shop: dict[str, Any]
) -> None:
    order = buy(session, pac_settings, shop, shop["school"], payment_method="invoice")
    written = invoices(session)
    assert [(i.status, i.metodo_pago, i.forma_pago) for i in written] == [("por_timbrar", "PPD", "99")] * 2

    run_worker(engine, pac_settings)

    by_part = parts(session, order)
    stamped = invoices(session)
    assert {i.fulfillment_id for i in stamped} == {f.id for f in by_part.values()}
    for invoice in stamped:
        assert invoice.status == InvoiceStatus.TIMBRADA, invoice.last_error
        assert invoice.uuid and invoice.stamped_at and invoice.stamped_xml
        xml = invoice.stamped_xml
        CFDI.from_string(xml).xml_bytes(validate=True)  # the SAT's schema
        assert seal_verifies(xml)
        cfdi = CFDI.from_string(xml)
        part = by_part[invoice.organization_id]
        assert (
            cfdi["Total"]
            == Decimal(part.subtotal_cents + part.delivery_cents) / 100
            == Decimal(invoice.total_cents) / 100
        )
        assert (cfdi["MetodoPago"], cfdi["FormaPago"], cfdi["TipoDeComprobante"]) == ("PPD", "99", "I")
        assert cfdi["Complemento"]["TimbreFiscalDigital"]["UUID"] == invoice.uuid
        assert (cfdi["Receptor"]["Rfc"], cfdi["Receptor"]["UsoCFDI"]) == (SCHOOL["rfc"], SCHOOL["uso_cfdi"])
        assert cfdi["Receptor"]["DomicilioFiscalReceptor"] == SCHOOL["codigo_postal"]
        org = session.get_one(type(shop["cafe"]["org"]), invoice.organization_id)
        assert (cfdi["Emisor"]["Rfc"], cfdi["LugarExpedicion"]) == (org.rfc, "29350")
        assert (invoice.serie, invoice.folio) == ("A", 1)  # each producer's first
    coffee, rebozos = (CFDI.from_string(i.stamped_xml or b"")["Conceptos"] for i in stamped)
    [bag] = coffee
    listing = shop["cafe"]["listing"]
    assert (bag["ClaveProdServ"], bag["ClaveUnidad"], bag["Cantidad"]) == (
        listing.sat_product_key,
        listing.sat_unit_key,
        5,
    )
    assert bag["ValorUnitario"] == Decimal("320.00") and iva(bag)["TasaOCuota"] == 0
    rebozo, delivery = rebozos
    assert rebozo["ClaveProdServ"] == shop["rebozos"]["listing"].sat_product_key
    assert rebozo["Importe"] + iva(rebozo)["Importe"] == Decimal("3213.00")  # 7 × 459.00
    assert iva(rebozo)["TasaOCuota"] == Decimal("0.16")
    assert (delivery["ClaveProdServ"], delivery["ClaveUnidad"]) == ("78101800", "E48")
    assert delivery["Importe"] + iva(delivery)["Importe"] == Decimal("89.99")


def test_running_the_handler_again_or_on_two_workers_issues_each_invoice_once(
    engine: Engine, session: Session, pac_settings: Settings, shop: dict[str, Any], pac_server: PacServer
) -> None:
    buy(session, pac_settings, shop, shop["school"], payment_method="invoice")

    def work() -> str:
        run_worker(engine, pac_settings)
        return "done"

    assert at_once(work) == ["done", "done"]
    first = [(i.id, i.uuid, i.folio) for i in invoices(session)]
    assert len(first) == 2 and all(uuid for _, uuid, _ in first)
    for invoice_id, _, _ in first:  # the handler run by hand on a stamped invoice does nothing
        with transaction(engine) as tx:
            issuing.issue(tx, pac_settings, invoice_id or 0)
    assert [(i.id, i.uuid, i.folio) for i in invoices(session)] == first


def test_while_the_pac_is_down_the_invoice_waits_and_is_stamped_on_the_next_run(
    engine: Engine, session: Session, pac_settings: Settings, shop: dict[str, Any], pac_server: PacServer
) -> None:
    buy(session, pac_settings, shop, shop["school"], payment_method="invoice")
    pac_server.mode = "down"
    run_worker(engine, pac_settings)
    waiting = invoices(session)
    assert [(i.status, i.attempts, i.uuid) for i in waiting] == [("por_timbrar", 1, None)] * 2
    assert all(i.signed_xml and i.last_error for i in waiting)
    sealed = [i.signed_xml for i in waiting]

    pac_server.mode = "normal"
    run_worker(engine, pac_settings)
    assert [i.status for i in invoices(session)] == ["por_timbrar"] * 2  # it waits its back-off
    with transaction(engine) as tx:
        tx.execute(update(OutboxEvent).values(available_at=utcnow()))
    run_worker(engine, pac_settings)
    stamped = invoices(session)
    assert [i.status for i in stamped] == ["timbrada"] * 2
    assert [CFDI.from_string(i.stamped_xml or b"")["Sello"] for i in stamped] == [
        CFDI.from_string(xml or b"")["Sello"] for xml in sealed
    ]  # the very CFDI sealed before the PAC went down


def test_a_producer_without_a_csd_gets_its_invoice_refused_with_the_reason(
    engine: Engine, session: Session, pac_settings: Settings, shop: dict[str, Any], pac_server: PacServer
) -> None:
    with transaction(engine) as tx:
        tx.delete(csd_store.current(tx, tx.get_one(type(shop["cafe"]["org"]), shop["cafe"]["org"].id)))
    buy(session, pac_settings, shop, shop["school"], payment_method="invoice")
    run_worker(engine, pac_settings)
    by_org = {i.organization_id: i for i in invoices(session)}
    refused = by_org[shop["cafe"]["org"].id]
    assert refused.status == InvoiceStatus.RECHAZADA and refused.uuid is None
    assert refused.signed_xml is None and refused.stamped_xml is None and refused.folio is None
    assert refused.last_error and "CSD" in refused.last_error
    assert by_org[shop["rebozos"]["org"].id].status == InvoiceStatus.TIMBRADA
    # Its owners are told why, with the way to its invoices; the other producer hears nothing of it.
    [told] = [e for e in emails_to(session, "cafe@example.mx") if e["kind"] == "invoice_refused"]
    assert (
        refused.last_error in told["body"] and told["link"] == f"/panel/o/{shop['cafe']['org'].slug}/facturas"
    )
    assert not [e for e in emails_to(session, "rebozos@example.mx") if e["kind"] == "invoice_refused"]


def test_the_pac_refusing_the_invoice_leaves_it_refused_with_what_the_pac_said(
    engine: Engine, session: Session, pac_settings: Settings, shop: dict[str, Any], pac_server: PacServer
) -> None:
    buy(session, pac_settings, shop, shop["school"], payment_method="invoice")
    pac_server.mode = "refuse"
    run_worker(engine, pac_settings)
    assert {(i.status, i.uuid) for i in invoices(session)} == {("rechazada", None)}
    assert all("CFDI40145" in (i.last_error or "") for i in invoices(session))


def test_an_institution_paying_by_transfer_gets_a_pue_ingreso_once_the_money_arrives(
    engine: Engine, session: Session, pac_settings: Settings, shop: dict[str, Any], make_user: Any
) -> None:
    order = buy(session, pac_settings, shop, shop["school"], payment_method="spei_transfer")
    assert invoices(session) == []  # nothing is owed before the money arrives
    admin = make_user("admin@example.mx", is_admin=True)
    with transaction(engine) as tx:
        confirm_offline_payment(tx, admin, order.id or 0, "SPEI 8842")
    run_worker(engine, pac_settings)
    stamped = invoices(session)
    assert [(i.status, i.metodo_pago, i.forma_pago) for i in stamped] == [("timbrada", "PUE", "03")] * 2
    assert CFDI.from_string(stamped[0].stamped_xml or b"")["FormaPago"] == "03"


def test_a_persons_purchase_is_not_invoiced_on_its_own(
    engine: Engine, session: Session, pac_settings: Settings, shop: dict[str, Any], make_user: Any
) -> None:
    order = buy(session, pac_settings, shop, shop["consumer"], payment_method="spei_transfer")
    admin = make_user("admin@example.mx", is_admin=True)
    with transaction(engine) as tx:
        confirm_offline_payment(tx, admin, order.id or 0, "SPEI 8843")
    run_worker(engine, pac_settings)
    assert invoices(session) == []
    assert session.exec(select(OutboxEvent).where(OutboxEvent.topic == issuing.TOPIC)).all() == []


def test_a_name_no_cfdi_can_hold_refuses_the_invoice_with_the_reason_instead_of_retrying_forever(
    engine: Engine, session: Session, pac_settings: Settings, shop: dict[str, Any], pac_server: PacServer
) -> None:
    """Data stored before the checks existed: a control character in the institution's razón social."""
    institution = shop["institution"]
    institution.razon_social = "ESCUELA\x07BENITO JUAREZ"
    session.add(institution)
    session.commit()
    buy(session, pac_settings, shop, shop["school"], payment_method="invoice")

    run_worker(engine, pac_settings)

    refused = invoices(session)
    assert {i.status for i in refused} == {InvoiceStatus.RECHAZADA}
    assert all("caracteres de control" in (i.last_error or "") for i in refused)
    assert pac_server.requests == []  # nothing was sent


def test_a_purchase_on_credit_with_no_institution_to_invoice_is_owed_its_invoice_once_paid(
    engine: Engine,
    session: Session,
    pac_settings: Settings,
    shop: dict[str, Any],
    make_user: Any,
    make_org: Any,
) -> None:
    """A member of a verified cooperative may buy on invoice terms without naming an institution: nothing
    is invoiced, nor counted as a public sale, until the money arrives."""
    member = make_user("socia@cooperativa.mx")
    make_org(member, name="Cooperativa de Consumo La Canasta")
    order = buy(session, pac_settings, shop, member, payment_method="invoice")
    run_worker(engine, pac_settings)
    assert invoices(session) == []
    assert session.exec(select(PublicSale)).all() == []

    admin = make_user("admin@example.mx", is_admin=True)
    with transaction(engine) as tx:
        confirm_offline_payment(tx, admin, order.id or 0, "SPEI 8843")

    sales = session.exec(select(PublicSale)).all()
    paid_parts = [f.id or 0 for f in parts(session, order).values()]
    assert sorted(sale.fulfillment_id for sale in sales) == sorted(paid_parts)
    assert invoices(session) == []


def test_the_buyer_receives_each_stamped_invoice_by_email_with_its_downloads(
    engine: Engine, session: Session, pac_settings: Settings, shop: dict[str, Any]
) -> None:
    order = buy(session, pac_settings, shop, shop["school"], payment_method="invoice")
    run_worker(engine, pac_settings)

    sent = [e for e in emails_to(session, "compras@escuela.mx") if e["kind"] == "invoice_issued"]
    stamped = {i.uuid: i for i in invoices(session)}
    assert len(sent) == len(stamped) == 2
    for email in sent:
        [uuid] = [u for u in stamped if u and u in email["body"]]
        invoice = stamped[uuid]
        assert (
            f"/facturas/{invoice.id}/xml" in email["body"] and f"/facturas/{invoice.id}/pdf" in email["body"]
        )
        assert email["link"] == f"/pedidos/{order.id}"
        assert f"A{invoice.folio}" in email["subject"]
    for producer in ("cafe@example.mx", "rebozos@example.mx"):  # the producers issued them: nothing to tell
        assert not [e for e in emails_to(session, producer) if e["kind"] == "invoice_issued"]
