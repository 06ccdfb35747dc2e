"""The CFDI de Pago (Complemento de Pagos 2.0): when an institution pays an order on invoice terms, each
producer's part whose ingreso was PPD gets its complemento de pago, related to the ingreso's UUID, for the
part's total paid by transfer, sealed with the producer's CSD and stamped through the loopback PAC. Issued
once however often or on however many workers the handler runs; never before its ingreso is stamped; an
ingreso paid at once (PUE) gets none."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from satcfdi.cfdi import CFDI
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from market.config import Settings
from market.db import transaction, utcnow
from market.invoicing import issuing
from market.invoicing.models import Invoice, InvoiceKind, InvoiceStatus
from market.invoicing.seal import seal_verifies
from market.orders.fulfillment import confirm_offline_payment
from market.orders.models import Order
from market.outbox import OutboxEvent
from tests.fixtures.pac import PacServer
from tests.helpers import SCHOOL, at_once
from tests.invoicing.samples.make import PAC_CERTIFICATE, PAGO_SAMPLE
from tests.invoicing.shop import buy, invoices, parts, run_worker
from tests.invoicing.test_pac import tfd_verifies, validates


def of_kind(session: Session, kind: str) -> list[Invoice]:
    return [i for i in invoices(session) if i.kind == kind]


def pay(engine: Engine, make_user: Any, order: Order, reference: str = "SPEI 9911") -> None:
    admin = make_user("admin@example.mx", is_admin=True)
    with transaction(engine) as tx:
        confirm_offline_payment(tx, admin, order.id or 0, reference)


def test_paying_an_order_on_invoice_terms_issues_one_stamped_pago_per_ppd_ingreso(
    engine: Engine,
    session: Session,
    pac_settings: Settings,
    shop: dict[str, Any],
    make_user: Any,
) -> None:
    order = buy(session, pac_settings, shop, shop["school"], payment_method="invoice")
    run_worker(engine, pac_settings)
    assert of_kind(session, InvoiceKind.PAGO) == []  # nothing is paid yet

    pay(engine, make_user, order)
    written = of_kind(session, InvoiceKind.PAGO)
    assert [(i.status, i.forma_pago) for i in written] == [("por_timbrar", "03")] * 2
    run_worker(engine, pac_settings)

    by_part = parts(session, order)
    ingresos = {i.fulfillment_id: i for i in of_kind(session, InvoiceKind.INGRESO)}
    pagos = of_kind(session, InvoiceKind.PAGO)
    assert {i.fulfillment_id for i in pagos} == {f.id for f in by_part.values()}
    for pago in pagos:
        assert pago.status == InvoiceStatus.TIMBRADA, pago.last_error
        assert pago.uuid and pago.stamped_xml and (pago.serie, pago.folio) == ("P", 1)
        xml = pago.stamped_xml
        CFDI.from_string(xml).xml_bytes(validate=True)  # the SAT's schema, Pagos 2.0 included
        assert seal_verifies(xml)
        cfdi = CFDI.from_string(xml)
        assert (cfdi["TipoDeComprobante"], cfdi["Moneda"], cfdi["Total"]) == ("P", "XXX", 0)
        assert (cfdi["Receptor"]["Rfc"], cfdi["Receptor"]["UsoCFDI"]) == (SCHOOL["rfc"], "CP01")
        assert cfdi["Complemento"]["TimbreFiscalDigital"]["UUID"] == pago.uuid
        part = by_part[pago.organization_id]
        total = Decimal(part.subtotal_cents + part.delivery_cents) / 100
        ingreso = ingresos[pago.fulfillment_id]
        assert cfdi["Emisor"]["Rfc"] == CFDI.from_string(ingreso.stamped_xml or b"")["Emisor"]["Rfc"]
        pagos20 = cfdi["Complemento"]["Pagos"]
        [payment] = pagos20["Pago"]
        assert (payment["FormaDePagoP"], payment["MonedaP"], payment["Monto"]) == ("03", "MXN", total)
        assert pagos20["Totales"]["MontoTotalPagos"] == total
        [document] = payment["DoctoRelacionado"]
        assert document["IdDocumento"] == ingreso.uuid
        assert (document["Serie"], document["Folio"]) == (ingreso.serie, str(ingreso.folio))
        assert (document["MonedaDR"], document["NumParcialidad"], document["ObjetoImpDR"]) == ("MXN", 1, "02")
        assert (document["ImpSaldoAnt"], document["ImpPagado"], document["ImpSaldoInsoluto"]) == (
            total,
            total,
            0,
        )
        # The IVA paid, per rate, is the ingreso's own: the whole of it in this one payment.
        ingreso_iva = {
            t["TasaOCuota"]: (t["Base"], t["Importe"])
            for t in CFDI.from_string(ingreso.stamped_xml or b"")["Impuestos"]["Traslados"].values()
        }
        paid_iva = {
            t["TasaOCuotaDR"]: (t["BaseDR"], t["ImporteDR"])
            for t in document["ImpuestosDR"]["TrasladosDR"].values()
        }
        assert paid_iva == ingreso_iva
    rates = {
        pago.organization_id: {
            t["TasaOCuotaDR"]
            for t in CFDI.from_string(pago.stamped_xml or b"")["Complemento"]["Pagos"]["Pago"][0][
                "DoctoRelacionado"
            ][0]["ImpuestosDR"]["TrasladosDR"].values()
        }
        for pago in pagos
    }
    assert rates == {
        shop["cafe"]["org"].id: {Decimal("0")},  # coffee: 0 %
        shop["rebozos"]["org"].id: {Decimal("0.16")},  # rebozos and their delivery: 16 %
    }


def test_the_pago_waits_for_its_ingreso_to_be_stamped(
    engine: Engine,
    session: Session,
    pac_settings: Settings,
    shop: dict[str, Any],
    pac_server: PacServer,
    make_user: Any,
) -> None:
    order = buy(session, pac_settings, shop, shop["school"], payment_method="invoice")
    pac_server.mode = "down"
    pay(engine, make_user, order)  # paid before its ingresos could be stamped
    run_worker(engine, pac_settings)
    assert {(i.kind, i.status) for i in invoices(session)} == {
        ("ingreso", "por_timbrar"),
        ("pago", "por_timbrar"),
    }
    assert all(i.signed_xml is None and i.folio is None for i in of_kind(session, InvoiceKind.PAGO))

    pac_server.mode = "normal"
    with transaction(engine) as tx:
        tx.execute(update(OutboxEvent).values(available_at=utcnow()))
    run_worker(engine, pac_settings)
    ingresos = {i.fulfillment_id: i for i in of_kind(session, InvoiceKind.INGRESO)}
    pagos = of_kind(session, InvoiceKind.PAGO)
    assert [i.status for i in pagos] == ["timbrada"] * 2
    for pago in pagos:
        ingreso = ingresos[pago.fulfillment_id]
        assert ingreso.stamped_at and pago.stamped_at and ingreso.stamped_at <= pago.stamped_at
        [payment] = CFDI.from_string(pago.stamped_xml or b"")["Complemento"]["Pagos"]["Pago"]
        assert payment["DoctoRelacionado"][0]["IdDocumento"] == ingreso.uuid


def test_running_the_handler_again_or_on_two_workers_issues_each_pago_once(
    engine: Engine,
    session: Session,
    pac_settings: Settings,
    shop: dict[str, Any],
    make_user: Any,
) -> None:
    order = buy(session, pac_settings, shop, shop["school"], payment_method="invoice")
    run_worker(engine, pac_settings)
    pay(engine, make_user, order)

    def work() -> str:
        run_worker(engine, pac_settings)
        return "done"

    assert at_once(work) == ["done", "done"]
    first = [(i.id, i.uuid, i.folio) for i in of_kind(session, InvoiceKind.PAGO)]
    assert len(first) == 2 and all(uuid for _, uuid, _ in first)
    with transaction(engine) as tx:  # the order paid again writes nothing more
        assert issuing.invoice_paid(tx, tx.get_one(Order, order.id)) == []
        for invoice_id, _, _ in first:  # the handler run by hand on a stamped pago does nothing
            issuing.issue(tx, pac_settings, invoice_id or 0)
    assert [(i.id, i.uuid, i.folio) for i in of_kind(session, InvoiceKind.PAGO)] == first


def test_an_ingreso_paid_at_once_gets_no_pago(
    engine: Engine,
    session: Session,
    pac_settings: Settings,
    shop: dict[str, Any],
    make_user: Any,
) -> None:
    order = buy(session, pac_settings, shop, shop["school"], payment_method="spei_transfer")
    pay(engine, make_user, order)
    run_worker(engine, pac_settings)
    assert [(i.kind, i.metodo_pago, i.status) for i in invoices(session)] == [
        ("ingreso", "PUE", "timbrada")
    ] * 2


def test_the_committed_sample_pago_is_a_stamped_complemento_de_pago() -> None:
    xml = PAGO_SAMPLE.read_bytes()
    assert validates(xml) and seal_verifies(xml)
    assert tfd_verifies(xml, PAC_CERTIFICATE.read_bytes())
    cfdi = CFDI.from_string(xml)
    assert (cfdi["TipoDeComprobante"], cfdi["Receptor"]["Rfc"]) == ("P", SCHOOL["rfc"])
    [payment] = cfdi["Complemento"]["Pagos"]["Pago"]
    [document] = payment["DoctoRelacionado"]
    assert payment["Monto"] == document["ImpPagado"] == document["ImpSaldoAnt"] == Decimal("1660.00")
    assert document["ImpSaldoInsoluto"] == 0 and len(document["IdDocumento"]) == 36
