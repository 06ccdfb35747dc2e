"""The CFDI de Egreso (nota de crédito): money given back for part of a sale invoiced by itself gets a credit
note from its producer to the same receiver, related to the ingreso's UUID (TipoRelacion 01), for exactly
the amount, split across the part's IVA rates in proportion; issued by the worker through the loopback PAC
once its ingreso is stamped, refused when the ingreso was. On invoice terms it lowers what the institution
owes (condonación), and the payment complement then pays what was left. The buyer and the producer see it
beside the ingreso; nobody else can fetch it."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from bs4 import BeautifulSoup
from fastapi import FastAPI
from satcfdi.cfdi import CFDI
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from market.config import Settings
from market.db import transaction, utcnow
from market.disputes import service as disputes
from market.invoicing import credit_note, platform
from market.invoicing.models import Invoice, InvoiceKind, InvoiceStatus
from market.invoicing.pac import MEXICO_CITY, stamp
from market.invoicing.seal import seal, seal_verifies
from market.ledger import service as ledger
from market.orders.checkout import checkout
from market.orders.fulfillment import confirm_offline_payment, move
from market.orders.models import Fulfillment, Order
from market.orders.schemas import Checkout
from market.outbox import OutboxEvent
from tests.fixtures.pac import PacServer
from tests.helpers import SCHOOL, emails_to, signed_in
from tests.invoicing.samples.make import EGRESO_SAMPLE, PAC_CERTIFICATE, SAMPLE, sample_signer
from tests.invoicing.shop import invoices, run_worker
from tests.invoicing.test_pac import tfd_verifies, validates

# Five bags of coffee at $320.00 (IVA 0 %) delivered for $50.00 (IVA 16 %): a part of $1,650.00.
PART_TOTAL = 165000
REFUND = 33000  # of which $320.00 comes off the coffee and $10.00 off the delivery


def buy_coffee(session: Session, settings: Settings, shop: dict[str, Any], payment_method: str) -> Order:
    org = shop["cafe"]["org"]
    org.delivery_fee_cents = 5000
    session.add(org)
    session.commit()
    order = checkout(
        session,
        settings,
        shop["school"],
        Checkout(
            items=[{"listing_id": shop["cafe"]["listing"].id, "quantity": 5}],
            delivery={org.id: "delivery"},
            delivery_state="20",
            ship_to="Calle Reforma 5, Centro, Oaxaca",
            payment_method=payment_method,
        ),
    )
    session.commit()
    return order


@pytest.fixture
def boss(make_user: Any) -> Any:
    return make_user("admin@example.mx", is_admin=True)


def pay(engine: Engine, admin_user: Any, order: Order) -> None:
    with transaction(engine) as tx:
        confirm_offline_payment(tx, admin_user, order.id or 0, "SPEI 7301")


def refund(engine: Engine, shop: dict[str, Any], admin_user: Any, order: Order, amount: int) -> Fulfillment:
    """The producer accepts the part, the school disputes it and an administrator refunds `amount`."""
    with transaction(engine) as tx:
        part = tx.exec(select(Fulfillment).where(Fulfillment.order_id == order.id)).one()
        move(tx, shop["cafe"]["owner"], part.id or 0, "accepted")
    with transaction(engine) as tx:
        dispute = disputes.open(tx, shop["school"], part.id or 0, "Dos bolsas llegaron rotas.")
    with transaction(engine) as tx:
        disputes.resolve(tx, admin_user, dispute.id or 0, "refund", amount, "Se bonifican las bolsas rotas.")
    return part


def of_kind(session: Session, kind: str) -> list[Invoice]:
    return [i for i in invoices(session) if i.kind == kind]


def checked(invoice: Invoice, pac_server: PacServer) -> Any:
    """The stamped CFDI, once its schema, seal and stamp are checked."""
    assert invoice.status == InvoiceStatus.TIMBRADA, invoice.last_error
    xml = invoice.stamped_xml or b""
    assert validates(xml) and seal_verifies(xml) and tfd_verifies(xml, pac_server.certificate)
    return CFDI.from_string(xml)


def iva_by_rate(cfdi: Any) -> dict[Decimal, tuple[Decimal, Decimal]]:
    return {t["TasaOCuota"]: (t["Base"], t["Importe"]) for t in cfdi["Impuestos"]["Traslados"].values()}


def make_due(engine: Engine) -> None:
    with transaction(engine) as tx:
        tx.execute(update(OutboxEvent).values(available_at=utcnow()))


def test_a_partial_refund_of_a_paid_part_gets_a_credit_note_related_to_its_ingreso(
    app: FastAPI,
    engine: Engine,
    session: Session,
    pac_settings: Settings,
    pac_server: PacServer,
    shop: dict[str, Any],
    make_user: Any,
    make_org: Any,
    boss: Any,
) -> None:
    order = buy_coffee(session, pac_settings, shop, "spei_transfer")
    pay(engine, boss, order)
    run_worker(engine, pac_settings)
    refund(engine, shop, boss, order, REFUND)
    [note] = of_kind(session, InvoiceKind.EGRESO)
    assert (note.status, note.total_cents, note.metodo_pago, note.forma_pago) == (
        "por_timbrar",
        REFUND,
        "PUE",
        "03",
    )
    run_worker(engine, pac_settings)

    [ingreso] = of_kind(session, InvoiceKind.INGRESO)
    [note] = of_kind(session, InvoiceKind.EGRESO)
    assert note.related_invoice_id == ingreso.id and (note.serie, note.folio) == ("E", 1)
    cfdi, invoiced = checked(note, pac_server), checked(ingreso, pac_server)
    assert (cfdi["TipoDeComprobante"], cfdi["MetodoPago"], cfdi["FormaPago"]) == ("E", "PUE", "03")
    assert cfdi["Total"] == Decimal("330.00")
    [related] = cfdi["CfdiRelacionados"]
    assert (related["TipoRelacion"], related["CfdiRelacionado"]) == ("01", [ingreso.uuid])
    assert cfdi["Emisor"] == invoiced["Emisor"] and cfdi["LugarExpedicion"] == invoiced["LugarExpedicion"]
    for field in ("Rfc", "Nombre", "DomicilioFiscalReceptor", "RegimenFiscalReceptor"):
        assert cfdi["Receptor"][field] == invoiced["Receptor"][field]
    assert (cfdi["Receptor"]["Rfc"], cfdi["Receptor"]["UsoCFDI"]) == (SCHOOL["rfc"], "G02")
    # One concepto per rate, in the proportion the part was sold at each: $320.00 at 0 %, $10.00 at 16 %.
    assert {(c["ClaveProdServ"], c["ClaveUnidad"], c["Descripcion"]) for c in cfdi["Conceptos"]} == {
        ("84111506", "ACT", "Bonificación")
    }
    assert iva_by_rate(cfdi) == {
        Decimal("0.000000"): (Decimal("320.00"), Decimal("0.00")),
        Decimal("0.160000"): (Decimal("8.62"), Decimal("1.38")),
    }
    assert set(iva_by_rate(invoiced)) == set(iva_by_rate(cfdi))

    # Beside the ingreso on the order page, with its downloads, for the school and the producer.
    for email in ("compras@escuela.mx", "cafe@example.mx"):
        page = BeautifulSoup(signed_in(app, email).get(f"/pedidos/{order.id}").text, "html.parser")
        assert page.find(id=f"factura-parte-{ingreso.fulfillment_id}")
        line = page.find(id=f"nota-credito-{note.id}")
        assert line and "Nota de crédito" in line.text and (note.uuid or "-") in line.text, email
        assert {a["href"] for a in line.find_all("a")} == {
            f"/facturas/{note.id}/xml",
            f"/facturas/{note.id}/pdf",
        }
        download = signed_in(app, email).get(f"/facturas/{note.id}/xml")
        assert download.status_code == 200 and download.content == note.stamped_xml
    listed = BeautifulSoup(
        signed_in(app, "cafe@example.mx").get(f"/panel/o/{shop['cafe']['org'].slug}/facturas").text,
        "html.parser",
    )
    row = listed.find(id=f"factura-{note.id}")
    assert row and "Nota de crédito" in row.text and (note.uuid or "-") in row.text
    # Another producer (of the same marketplace) and a stranger get nothing.
    make_org(make_user("otra@example.mx"), name="Miel de la Montaña")
    for email in ("rebozos@example.mx", "otra@example.mx", "luis@example.mx"):
        for kind in ("xml", "pdf"):
            response = signed_in(app, email).get(f"/facturas/{note.id}/{kind}")
            assert response.status_code == 404, (email, kind)
            assert (note.uuid or "") not in response.text


def test_on_invoice_terms_the_credit_note_lowers_the_balance_and_the_pago_pays_what_is_left(
    engine: Engine,
    session: Session,
    pac_settings: Settings,
    pac_server: PacServer,
    shop: dict[str, Any],
    boss: Any,
) -> None:
    order = buy_coffee(session, pac_settings, shop, "invoice")
    run_worker(engine, pac_settings)
    refund(engine, shop, boss, order, REFUND)
    assert ledger.receivable_of(session, order.id or 0) == PART_TOTAL - REFUND
    run_worker(engine, pac_settings)
    [ingreso] = of_kind(session, InvoiceKind.INGRESO)
    [note] = of_kind(session, InvoiceKind.EGRESO)
    cfdi = checked(note, pac_server)
    assert (ingreso.metodo_pago, cfdi["MetodoPago"], cfdi["FormaPago"]) == ("PPD", "PUE", "15")  # condonación
    assert cfdi["Total"] == Decimal("330.00")

    pay(engine, boss, order)  # the institution pays what it still owes
    [pago] = of_kind(session, InvoiceKind.PAGO)
    assert pago.total_cents == PART_TOTAL - REFUND
    run_worker(engine, pac_settings)
    [pago] = of_kind(session, InvoiceKind.PAGO)
    paid = checked(pago, pac_server)
    [payment] = paid["Complemento"]["Pagos"]["Pago"]
    [document] = payment["DoctoRelacionado"]
    assert document["IdDocumento"] == ingreso.uuid
    assert (
        payment["Monto"] == paid["Complemento"]["Pagos"]["Totales"]["MontoTotalPagos"] == Decimal("1320.00")
    )
    assert (document["ImpSaldoAnt"], document["ImpPagado"], document["ImpSaldoInsoluto"]) == (
        Decimal("1320.00"),
        Decimal("1320.00"),
        0,
    )
    # The IVA paid is the ingreso's less the credit note's, per rate.
    paid_iva = {t["TasaOCuotaDR"]: t["ImporteDR"] for t in document["ImpuestosDR"]["TrasladosDR"].values()}
    invoiced = iva_by_rate(CFDI.from_string(ingreso.stamped_xml or b""))
    credited = iva_by_rate(cfdi)
    for rate, amount in paid_iva.items():
        assert abs(amount - (invoiced[rate][1] - credited[rate][1])) <= Decimal("0.01")


def test_the_credit_note_waits_for_its_ingreso_and_is_refused_with_it(
    engine: Engine,
    session: Session,
    pac_settings: Settings,
    pac_server: PacServer,
    shop: dict[str, Any],
    boss: Any,
) -> None:
    pac_server.mode = "down"
    order = buy_coffee(session, pac_settings, shop, "invoice")
    run_worker(engine, pac_settings)
    refund(engine, shop, boss, order, REFUND)
    run_worker(engine, pac_settings)
    [note] = of_kind(session, InvoiceKind.EGRESO)
    assert note.status == InvoiceStatus.POR_TIMBRAR and note.signed_xml is None and note.folio is None

    pac_server.mode = "refuse"  # the ingreso is refused: its credit note cannot be issued either
    make_due(engine)
    run_worker(engine, pac_settings)
    make_due(engine)
    run_worker(engine, pac_settings)
    [ingreso] = of_kind(session, InvoiceKind.INGRESO)
    [note] = of_kind(session, InvoiceKind.EGRESO)
    assert ingreso.status == note.status == InvoiceStatus.RECHAZADA
    assert note.signed_xml is None and "no se timbró" in (note.last_error or "")
    told = [e for e in emails_to(session, "cafe@example.mx") if e["kind"] == "invoice_refused"]
    assert any((note.last_error or "") in e["body"] for e in told)


def test_the_credit_note_is_stamped_right_after_its_ingreso_once_the_pac_is_back(
    engine: Engine,
    session: Session,
    pac_settings: Settings,
    pac_server: PacServer,
    shop: dict[str, Any],
    boss: Any,
) -> None:
    pac_server.mode = "down"
    order = buy_coffee(session, pac_settings, shop, "invoice")
    run_worker(engine, pac_settings)
    refund(engine, shop, boss, order, REFUND)
    run_worker(engine, pac_settings)
    pac_server.mode = "normal"
    with transaction(engine) as tx:  # only the ingreso's retry is due: the credit note follows it at once
        tx.execute(
            update(OutboxEvent)
            .where(OutboxEvent.payload["invoice_id"].as_integer() == of_kind(session, "ingreso")[0].id)
            .values(available_at=utcnow())
        )
    run_worker(engine, pac_settings)
    [ingreso] = of_kind(session, InvoiceKind.INGRESO)
    [note] = of_kind(session, InvoiceKind.EGRESO)
    assert ingreso.status == note.status == InvoiceStatus.TIMBRADA
    assert ingreso.stamped_at and note.stamped_at and ingreso.stamped_at <= note.stamped_at
    assert CFDI.from_string(note.stamped_xml or b"")["CfdiRelacionados"][0]["CfdiRelacionado"] == [
        ingreso.uuid
    ]


def test_a_credit_note_of_a_global_invoice_goes_to_publico_en_general_for_its_period(
    pac_settings: Settings, pac_server: PacServer
) -> None:
    corrected = SAMPLE.read_bytes()  # a global invoice: 2 kg of coffee (0 %) and a rebozo (16 %)
    issuer = CFDI.from_string(corrected)["Emisor"]
    org = platform.Issuer(
        rfc=issuer["Rfc"],
        legal_name=issuer["Nombre"],
        tax_regime=issuer["RegimenFiscal"].code,
        fiscal_postal_code=CFDI.from_string(corrected)["LugarExpedicion"],
    )
    sold = credit_note.treatments(CFDI.from_string(corrected)["Conceptos"])
    assert sold == {("02", 0): 50000, ("02", 1600): 116000}
    note = credit_note.egreso(
        issuer=org,
        corrected_xml=corrected,
        sold={("02", 1600): 116000},  # the rebozo's sale, refunded in part
        amount_cents=58000,
        whole=False,
        forma_pago="03",
        serie="E",
        folio=7,
        fecha=datetime.now(MEXICO_CITY).replace(tzinfo=None, microsecond=0),
    )
    stamped = stamp(pac_settings, seal(note, sample_signer()))
    cfdi = CFDI.from_string(stamped.xml)
    assert validates(stamped.xml) and tfd_verifies(stamped.xml, pac_server.certificate)
    receptor = cfdi["Receptor"]
    assert (receptor["Rfc"], receptor["Nombre"], receptor["DomicilioFiscalReceptor"]) == (
        "XAXX010101000",
        "PUBLICO EN GENERAL",
        "29350",
    )
    assert (receptor["RegimenFiscalReceptor"], receptor["UsoCFDI"]) == ("616", "S01")
    assert cfdi["InformacionGlobal"] == CFDI.from_string(corrected)["InformacionGlobal"]
    assert cfdi["Total"] == Decimal("580.00") and set(iva_by_rate(cfdi)) == {Decimal("0.160000")}


@pytest.mark.parametrize(
    ("amount", "shares", "expected"),
    [
        (33000, {("02", 0): 160000, ("02", 1600): 5000}, {("02", 0): 32000, ("02", 1600): 1000}),
        (
            100,
            {("02", 0): 1, ("02", 1600): 1, ("01", 0): 1},
            {("02", 0): 33, ("02", 1600): 33, ("01", 0): 34},
        ),
        (1, {("02", 0): 3, ("02", 1600): 1}, {("02", 0): 1}),
    ],
)
def test_the_amount_is_split_across_rates_to_the_centavo(
    amount: int, shares: dict[Any, int], expected: dict[Any, int]
) -> None:
    split = credit_note.split(amount, shares)
    assert sum(split.values()) == amount
    assert split == expected


def test_the_committed_sample_egreso_is_a_stamped_credit_note() -> None:
    xml = EGRESO_SAMPLE.read_bytes()
    assert validates(xml) and seal_verifies(xml)
    assert tfd_verifies(xml, PAC_CERTIFICATE.read_bytes())
    cfdi = CFDI.from_string(xml)
    assert (cfdi["TipoDeComprobante"], cfdi["Receptor"]["Rfc"], cfdi["Total"]) == (
        "E",
        SCHOOL["rfc"],
        Decimal("580.00"),
    )
    [related] = cfdi["CfdiRelacionados"]
    assert related["TipoRelacion"] == "01" and len(related["CfdiRelacionado"][0]) == 36


def test_money_given_back_after_the_institution_paid_goes_back_by_transfer_and_leaves_the_pago_whole(
    engine: Engine,
    session: Session,
    pac_settings: Settings,
    pac_server: PacServer,
    shop: dict[str, Any],
    boss: Any,
) -> None:
    order = buy_coffee(session, pac_settings, shop, "invoice")
    pay(engine, boss, order)
    refund(engine, shop, boss, order, REFUND)  # before any of them was issued
    run_worker(engine, pac_settings)
    [pago] = of_kind(session, InvoiceKind.PAGO)
    [note] = of_kind(session, InvoiceKind.EGRESO)
    assert (note.forma_pago, checked(note, pac_server)["FormaPago"]) == ("03", "03")
    [payment] = checked(pago, pac_server)["Complemento"]["Pagos"]["Pago"]
    [document] = payment["DoctoRelacionado"]
    assert payment["Monto"] == document["ImpSaldoAnt"] == document["ImpPagado"] == Decimal("1650.00")
    assert document["ImpSaldoInsoluto"] == 0
