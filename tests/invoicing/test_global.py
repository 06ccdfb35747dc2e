"""Each producer's global invoice for a month of sales to público en general: gathered once the month is
over (by the worker, the command line or an administrator), one per producer and month however many gather
at once, then sealed and stamped through the loopback PAC; the conceptos one per part and IVA rate. Cash
collected at pickup is invoiced when the producer hands the part over: an institution's by itself (PUE, forma
01), a person's in the global invoice."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from bs4 import BeautifulSoup
from fastapi import FastAPI
from satcfdi.cfdi import CFDI
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from market import worker
from market.cli import app as cli
from market.config import Settings
from market.db import transaction, utcnow
from market.errors import ValidationFailed
from market.invoicing import corrections, global_invoice, issuing
from market.invoicing.models import Invoice, InvoiceKind, InvoiceStatus, PublicSale
from market.invoicing.seal import seal_verifies
from market.mexico import MEXICO_CITY
from market.orders.checkout import checkout
from market.orders.fulfillment import confirm_offline_payment, move
from market.orders.models import Fulfillment, Order
from market.orders.schemas import Checkout
from market.organizations.models import Organization
from tests.helpers import at_once, csrf_of, signed_in
from tests.invoicing.samples.make import GLOBAL_SAMPLE, PAC_CERTIFICATE
from tests.invoicing.shop import invoices, iva, run_worker
from tests.invoicing.test_pac import tfd_verifies, validates

COFFEE_DELIVERY = 5000  # the coffee cooperative delivers for 50.00 (a service: IVA 16 %)
LAST_MONTH = global_invoice.previous_month()


def sold_to(
    session: Session,
    settings: Settings,
    shop: dict[str, Any],
    buyer: Any,
    quantities: dict[str, int],
    payment_method: str = "spei_transfer",
    delivered: bool = True,
) -> Order:
    """An order of these products; delivered to the buyer (each producer delivers) unless picked up."""
    delivery = {shop[key]["org"].id: "delivery" for key in quantities} if delivered else {}
    order = checkout(
        session,
        settings,
        buyer,
        Checkout(
            items=[{"listing_id": shop[key]["listing"].id, "quantity": n} for key, n in quantities.items()],
            delivery=delivery,
            delivery_state="20" if delivered else None,
            ship_to="Calle Reforma 5, Centro, Oaxaca" if delivered else None,
            payment_method=payment_method,
        ),
    )
    session.commit()
    return order


def paid(engine: Engine, admin: Any, order: Order) -> None:
    with transaction(engine) as tx:
        confirm_offline_payment(tx, admin, order.id or 0, f"SPEI {order.id}")


def in_last_month(engine: Engine) -> None:
    """The sales recorded so far were paid last month (Mexico City)."""
    with transaction(engine) as tx:
        tx.execute(update(PublicSale).values(period=LAST_MONTH))


def part(session: Session, order: Order, org: Organization) -> Fulfillment:
    return session.exec(
        select(Fulfillment).where(Fulfillment.order_id == order.id, Fulfillment.organization_id == org.id)
    ).one()


def globals_of(session: Session) -> list[Invoice]:
    return [i for i in invoices(session) if i.kind == InvoiceKind.GLOBAL]


@pytest.fixture
def month(
    engine: Engine,
    session: Session,
    pac_settings: Settings,
    shop: dict[str, Any],
    make_user: Any,
) -> dict[str, Any]:
    """Last month's sales to people: Ana bought coffee (0 %) delivered (16 %) and rebozos (16 %) delivered,
    by SPEI; Luis picked up coffee and paid in cash. This month, Ana bought one more bag."""
    coffee = shop["cafe"]["org"]
    coffee.delivery_fee_cents = COFFEE_DELIVERY
    session.add(coffee)
    session.commit()
    admin = make_user("admin@example.mx", is_admin=True)
    ana = make_user("ana@example.mx", name="Ana")
    first = sold_to(session, pac_settings, shop, ana, {"cafe": 5, "rebozos": 2})
    paid(engine, admin, first)
    cash = sold_to(
        session, pac_settings, shop, shop["consumer"], {"cafe": 1}, "cash_on_pickup", delivered=False
    )
    cash_part = part(session, cash, coffee)
    with transaction(engine) as tx:
        for step in ("accepted", "preparing", "ready_for_pickup", "delivered"):
            move(tx, shop["cafe"]["owner"], cash_part.id or 0, step)
    in_last_month(engine)
    now = sold_to(session, pac_settings, shop, ana, {"cafe": 1}, delivered=False)
    paid(engine, admin, now)
    return shop | {"admin": admin, "ana": ana, "first": first, "cash": cash, "now": now}


def check_stamped(invoice: Invoice) -> Any:
    assert invoice.status == InvoiceStatus.TIMBRADA, invoice.last_error
    xml = invoice.stamped_xml or b""
    CFDI.from_string(xml).xml_bytes(validate=True)  # the SAT's schema
    assert seal_verifies(xml)
    cfdi = CFDI.from_string(xml)
    assert cfdi["Complemento"]["TimbreFiscalDigital"]["UUID"] == invoice.uuid
    return cfdi


def operations(cfdi: Any) -> list[tuple[str, Decimal, Decimal]]:
    """Each Concepto as (NoIdentificacion, rate, price with IVA)."""
    found = []
    for concepto in cfdi["Conceptos"]:
        assert (concepto["ClaveProdServ"], concepto["ClaveUnidad"], concepto["Cantidad"]) == (
            "01010101",
            "ACT",
            1,
        )
        assert concepto["Descripcion"] == "Venta" and concepto["ObjetoImp"] == "02"
        assert concepto["ValorUnitario"] == concepto["Importe"] == iva(concepto)["Base"]
        found.append(
            (
                concepto["NoIdentificacion"],
                iva(concepto)["TasaOCuota"],
                concepto["Importe"] + iva(concepto)["Importe"],
            )
        )
    return found


def test_last_months_public_sales_become_one_stamped_global_invoice_per_producer(
    app: FastAPI, engine: Engine, session: Session, pac_settings: Settings, month: dict[str, Any]
) -> None:
    for processor in worker.processors(engine, app.state.search, pac_settings):  # one turn of the worker
        processor()
    run_worker(engine, pac_settings)

    coffee, weavers = month["cafe"]["org"], month["rebozos"]["org"]
    by_org = {i.organization_id: i for i in globals_of(session)}
    assert set(by_org) == {coffee.id, weavers.id}
    first, cash = part(session, month["first"], coffee), part(session, month["cash"], coffee)
    ours = by_org[coffee.id]
    assert ours.period == LAST_MONTH and ours.fulfillment_id is None and ours.order_id is None
    assert ours.total_cents == 5 * 32000 + COFFEE_DELIVERY + 32000
    cfdi = check_stamped(ours)
    year, number = LAST_MONTH.split("-")
    assert cfdi["InformacionGlobal"] == {"Periodicidad": "04", "Meses": number, "Año": int(year)}
    assert (cfdi["TipoDeComprobante"], cfdi["MetodoPago"], cfdi["Exportacion"]) == ("I", "PUE", "01")
    assert cfdi["FormaPago"] == "03"  # SPEI paid 1,650.00 of it, cash 320.00: the larger amount's
    receptor = cfdi["Receptor"]
    assert (receptor["Rfc"], receptor["Nombre"], receptor["RegimenFiscalReceptor"], receptor["UsoCFDI"]) == (
        "XAXX010101000",
        "PUBLICO EN GENERAL",
        "616",
        "S01",
    )
    assert receptor["DomicilioFiscalReceptor"] == cfdi["LugarExpedicion"] == coffee.fiscal_postal_code
    assert cfdi["Total"] * 100 == ours.total_cents  # to the centavo
    assert (ours.serie, ours.folio) == ("G", 1)
    assert operations(cfdi) == [  # the delivered part: coffee at 0 %, its delivery at 16 %; then the cash one
        (f"{month['first'].id}-{first.id}", 0, Decimal("1600.00")),
        (f"{month['first'].id}-{first.id}", Decimal("0.16"), Decimal("50.00")),
        (f"{month['cash'].id}-{cash.id}", 0, Decimal("320.00")),
    ]

    theirs = check_stamped(by_org[weavers.id])
    assert theirs["Total"] * 100 == by_org[weavers.id].total_cents == 2 * 45900 + 8999
    assert [(rate, price) for _, rate, price in operations(theirs)] == [(Decimal("0.16"), Decimal("1007.99"))]

    # This month's sale waits for next month's invoice.
    [waiting] = session.exec(select(PublicSale).where(col(PublicSale.invoice_id).is_(None))).all()
    assert waiting.fulfillment_id == part(session, month["now"], coffee).id

    # Another turn of the worker, days later: nothing new.
    with transaction(engine) as tx:
        assert global_invoice.gather(tx, LAST_MONTH) == []
    assert len(globals_of(session)) == 2


def test_the_current_month_is_never_gathered(engine: Engine, session: Session, month: dict[str, Any]) -> None:
    with pytest.raises(ValidationFailed) as refused, transaction(engine) as tx:
        global_invoice.gather(tx, issuing.month_of(utcnow()))
    assert set(refused.value.errors) == {"mes"}
    with pytest.raises(ValidationFailed), transaction(engine) as tx:
        global_invoice.gather(tx, "2026-13")
    # A month is gathered from ten minutes after it ends (Mexico City), once its last sales are in.
    just_over = datetime(2030, 2, 1, 0, 5, tzinfo=MEXICO_CITY)
    assert global_invoice.previous_month(just_over) == "2029-12"
    with pytest.raises(ValidationFailed), transaction(engine) as tx:
        global_invoice.gather(tx, "2030-01", now=just_over)
    with transaction(engine) as tx:
        assert global_invoice.gather(tx, "2030-01", now=just_over + timedelta(minutes=10)) == []
    assert global_invoice.previous_month(just_over + timedelta(minutes=10)) == "2030-01"
    assert globals_of(session) == []
    with transaction(engine) as tx:
        assert global_invoice.previous_month(utcnow()) < issuing.month_of(utcnow())
        written = global_invoice.gather(tx, LAST_MONTH)
    assert {i.period for i in written} == {LAST_MONTH}
    assert len(session.exec(select(PublicSale).where(col(PublicSale.invoice_id).is_(None))).all()) == 1


def test_a_sale_arriving_late_joins_its_months_invoice_until_that_is_sealed(
    engine: Engine, session: Session, pac_settings: Settings, month: dict[str, Any]
) -> None:
    coffee = month["cafe"]["org"]

    def late_sale() -> Fulfillment:
        order = sold_to(session, pac_settings, month, month["ana"], {"cafe": 1}, delivered=False)
        paid(engine, month["admin"], order)
        fulfillment = part(session, order, coffee)
        with transaction(engine) as tx:
            tx.execute(
                update(PublicSale)
                .where(col(PublicSale.fulfillment_id) == fulfillment.id)
                .values(period=LAST_MONTH)
            )
        return fulfillment

    with transaction(engine) as tx:
        first = {i.organization_id: i.id for i in global_invoice.gather(tx, LAST_MONTH)}
    joined = late_sale()
    with transaction(engine) as tx:  # the same invoice, not a second one: it joins it
        assert [i.id for i in global_invoice.gather(tx, LAST_MONTH)] == [first[coffee.id]]
    ours = next(i for i in globals_of(session) if i.organization_id == coffee.id)
    assert ours.id == first[coffee.id] and ours.total_cents == 5 * 32000 + COFFEE_DELIVERY + 2 * 32000
    run_worker(engine, pac_settings)
    ours = next(i for i in globals_of(session) if i.id == first[coffee.id])
    assert [number for number, _, _ in operations(check_stamped(ours))][-1].endswith(f"-{joined.id}")

    left = late_sale()  # the invoice is stamped: its CFDI is not changed
    with transaction(engine) as tx:
        assert global_invoice.gather(tx, LAST_MONTH) == []
    sale = session.exec(select(PublicSale).where(PublicSale.fulfillment_id == left.id)).one()
    assert sale.invoice_id is None and len(globals_of(session)) == 2


def test_two_gatherers_at_once_write_each_producers_invoice_once(
    engine: Engine, session: Session, month: dict[str, Any]
) -> None:
    def gather() -> str:
        with transaction(engine) as tx:
            return str(len(global_invoice.gather(tx, LAST_MONTH)))

    assert at_once(gather) == ["0", "2"]  # one wrote both; the other waited and found them gathered
    assert sorted(i.organization_id for i in globals_of(session)) == sorted(
        [month["cafe"]["org"].id, month["rebozos"]["org"].id]
    )
    assert gather() == "0"
    gathered = session.exec(select(PublicSale).where(col(PublicSale.invoice_id).is_not(None))).all()
    assert len(gathered) == 3


def test_a_sale_a_buyer_is_taking_for_its_own_invoice_is_waited_for_not_skipped(
    engine: Engine, session: Session, month: dict[str, Any]
) -> None:
    """While a buyer's request for its own invoice holds its sale, gathering waits; the sale, gone to the
    buyer's invoice, is then not in the global one (and would be if the buyer's request were undone)."""
    coffee = month["cafe"]["org"]
    first = part(session, month["first"], coffee)
    outcome: list[list[Invoice]] = []
    with Session(engine) as buyer:  # as the buyer's service does: lock its sales, then take them away
        [sale] = buyer.exec(
            select(PublicSale).where(PublicSale.fulfillment_id == first.id).with_for_update()
        ).all()
        buyer.delete(sale)
        buyer.flush()

        def gather() -> None:
            with transaction(engine) as tx:
                outcome.append(global_invoice.gather(tx, LAST_MONTH))

        gatherer = threading.Thread(target=gather)
        gatherer.start()
        time.sleep(1)
        assert gatherer.is_alive()  # waiting for the buyer, not going around it
        buyer.commit()
    gatherer.join(30)
    [written] = outcome
    ours = next(i for i in written if i.organization_id == coffee.id)
    assert ours.total_cents == 32000  # only the cash sale is left
    assert ours.forma_pago == "01"


def test_a_part_refunded_before_gathering_is_left_out_or_counts_for_what_was_kept(
    engine: Engine, session: Session, pac_settings: Settings, month: dict[str, Any]
) -> None:
    coffee, weavers = month["cafe"]["org"], month["rebozos"]["org"]
    with transaction(engine) as tx:  # the weavers had no rebozos after all: the whole part goes back
        move(
            tx,
            month["rebozos"]["owner"],
            part(session, month["first"], weavers).id or 0,
            "rejected",
            "Sin hilo",
        )
    first = part(session, month["first"], coffee)
    with transaction(engine) as tx:  # two bags arrived broken: 640.00 of the coffee part goes back
        corrections.part_refunded(tx, tx.get_one(Fulfillment, first.id), 64000)
    assert session.exec(select(PublicSale).where(PublicSale.organization_id == weavers.id)).all() == []

    with transaction(engine) as tx:
        written = global_invoice.gather(tx, LAST_MONTH)
    assert [i.organization_id for i in written] == [coffee.id]
    run_worker(engine, pac_settings)
    [ours] = globals_of(session)
    assert ours.total_cents == 5 * 32000 + COFFEE_DELIVERY - 64000 + 32000
    cfdi = check_stamped(ours)
    assert cfdi["Total"] * 100 == ours.total_cents
    kept = [(rate, price) for number, rate, price in operations(cfdi) if number.endswith(f"-{first.id}")]
    # 1,010.00 kept of 1,650.00, spread over its rates: 1600/1650 and 50/1650 of it.
    assert kept == [(0, Decimal("979.39")), (Decimal("0.16"), Decimal("30.61"))]
    assert sum(price for _, price in kept) == Decimal("1010.00")


def test_a_producer_without_fiscal_data_gets_its_global_invoice_refused_with_the_reason(
    engine: Engine, session: Session, pac_settings: Settings, month: dict[str, Any]
) -> None:
    with transaction(engine) as tx:
        coffee = tx.get_one(Organization, month["cafe"]["org"].id)
        coffee.legal_name = None
        tx.add(coffee)
    with transaction(engine) as tx:
        global_invoice.gather(tx, LAST_MONTH)
    run_worker(engine, pac_settings)
    by_org = {i.organization_id: i for i in globals_of(session)}
    refused = by_org[month["cafe"]["org"].id]
    assert refused.status == InvoiceStatus.RECHAZADA and refused.uuid is None and refused.signed_xml is None
    assert refused.last_error and "datos fiscales" in refused.last_error
    assert by_org[month["rebozos"]["org"].id].status == InvoiceStatus.TIMBRADA


def producer_moves(app: FastAPI, owner_email: str, slug: str, fulfillment_id: int, *steps: str) -> None:
    """The producer's own steps on its orders page, as in the browser."""
    client = signed_in(app, owner_email)
    queue = f"/panel/o/{slug}/pedidos"
    for step in steps:
        response = client.post(
            f"{queue}/{fulfillment_id}", data={"status": step, "csrf_token": csrf_of(client, queue)}
        )
        assert response.status_code == 303, response.text
    session_status = client.get(queue)
    assert session_status.status_code == 200


def test_cash_at_pickup_is_invoiced_when_the_part_is_handed_over(
    app: FastAPI,
    engine: Engine,
    session: Session,
    pac_settings: Settings,
    shop: dict[str, Any],
) -> None:
    coffee = shop["cafe"]["org"]
    school = sold_to(session, pac_settings, shop, shop["school"], {"cafe": 3}, "cash_on_pickup", False)
    person = sold_to(session, pac_settings, shop, shop["consumer"], {"cafe": 2}, "cash_on_pickup", False)
    school_part, person_part = part(session, school, coffee), part(session, person, coffee)
    for fulfillment in (school_part, person_part):
        producer_moves(
            app,
            "cafe@example.mx",
            coffee.slug,
            fulfillment.id or 0,
            "accepted",
            "preparing",
            "ready_for_pickup",
        )
    assert invoices(session) == []  # nothing is paid until it is picked up
    assert session.exec(select(PublicSale)).all() == []

    producer_moves(app, "cafe@example.mx", coffee.slug, school_part.id or 0, "delivered")
    producer_moves(app, "cafe@example.mx", coffee.slug, person_part.id or 0, "delivered")
    run_worker(engine, pac_settings)

    [ingreso] = invoices(session)  # the institution's, by itself
    assert (ingreso.kind, ingreso.fulfillment_id, ingreso.metodo_pago, ingreso.forma_pago) == (
        InvoiceKind.INGRESO,
        school_part.id,
        "PUE",
        "01",
    )
    cfdi = check_stamped(ingreso)
    assert (cfdi["MetodoPago"], cfdi["FormaPago"], cfdi["Total"]) == ("PUE", "01", Decimal("960.00"))
    [sale] = session.exec(select(PublicSale)).all()  # the person's, for the month's global invoice
    assert (sale.fulfillment_id, sale.total_cents, sale.invoice_id) == (person_part.id, 64000, None)

    in_last_month(engine)
    with transaction(engine) as tx:
        global_invoice.gather(tx, LAST_MONTH)
    run_worker(engine, pac_settings)
    [ours] = globals_of(session)
    cfdi = check_stamped(ours)
    assert (cfdi["FormaPago"], cfdi["Total"]) == ("01", Decimal("640.00"))
    assert [number for number, _, _ in operations(cfdi)] == [f"{person.id}-{person_part.id}"]


def test_the_producer_sees_its_global_invoices_and_what_the_next_one_holds_others_do_not(
    app: FastAPI,
    engine: Engine,
    session: Session,
    pac_settings: Settings,
    month: dict[str, Any],
    make_user: Any,
    make_org: Any,
) -> None:
    with transaction(engine) as tx:
        global_invoice.gather(tx, LAST_MONTH)
    run_worker(engine, pac_settings)
    coffee = month["cafe"]["org"]
    ours = next(i for i in globals_of(session) if i.organization_id == coffee.id)
    owner = signed_in(app, "cafe@example.mx")
    page = BeautifulSoup(owner.get(f"/panel/o/{coffee.slug}/facturas").text, "html.parser")
    row = page.find(id=f"factura-{ours.id}")
    assert row is not None
    text = " ".join(row.text.split())
    year = LAST_MONTH.split("-")[0]
    assert "Público en general" in text and "2 ventas" in text and "Timbrada" in text
    assert "Factura global de" in text and year in text
    coming = page.find(id="ventas-publico-en-general")
    assert coming is not None
    this_month = " ".join(coming.text.split())
    assert "Para la factura global de" in this_month and "1 venta," in this_month and "$320.00" in this_month
    assert owner.get(f"/facturas/{ours.id}/xml").status_code == 200

    stranger = make_user("otra@example.mx")
    make_org(stranger, name="Miel de la Montaña")
    for outsider in ("otra@example.mx", "rebozos@example.mx", "ana@example.mx"):
        client = signed_in(app, outsider)
        assert client.get(f"/facturas/{ours.id}/xml").status_code == 404
        assert client.get(f"/facturas/{ours.id}/pdf").status_code == 404
    assert signed_in(app, "otra@example.mx").get(f"/panel/o/{coffee.slug}/facturas").status_code in (403, 404)

    admin = BeautifulSoup(signed_in(app, "admin@example.mx").get("/admin/facturas").text, "html.parser")
    table = admin.find(id="global-invoices")
    assert table is not None and coffee.name in table.text
    listed = table.find(id=f"global-{ours.id}")
    assert listed is not None
    assert [" ".join(td.text.split()) for td in listed.find_all("td")][1:3] == [coffee.name, "2"]


def test_an_administrator_gathers_a_past_month_from_the_invoices_page(
    app: FastAPI, session: Session, month: dict[str, Any]
) -> None:
    client = signed_in(app, "admin@example.mx")
    form = {"csrf_token": csrf_of(client, "/admin/facturas")}
    response = client.post("/admin/facturas/global", data=form | {"mes": issuing.month_of(utcnow())})
    assert response.status_code == 303
    assert "terminó" in client.get("/admin/facturas").text and globals_of(session) == []

    response = client.post("/admin/facturas/global", data=form | {"mes": LAST_MONTH})
    assert response.status_code == 303
    assert "Escribimos 2 facturas globales" in client.get("/admin/facturas").text
    assert len(globals_of(session)) == 2
    assert signed_in(app, "ana@example.mx").post("/admin/facturas/global", data=form).status_code in (
        403,
        404,
    )


def test_the_command_writes_a_past_months_global_invoices_and_says_so(
    database_url: str, session: Session, month: dict[str, Any]
) -> None:
    result = CliRunner().invoke(
        cli, ["invoices", "global", "--mes", LAST_MONTH], env={"DATABASE_URL": database_url}
    )
    assert result.exit_code == 0, result.output
    assert "Cooperativa Flor de Café" in result.output and "forma de pago 03" in result.output
    assert len(globals_of(session)) == 2
    again = CliRunner().invoke(
        cli, ["invoices", "global", "--mes", LAST_MONTH], env={"DATABASE_URL": database_url}
    )
    assert again.exit_code == 0 and "nothing written" in again.output
    refused = CliRunner().invoke(
        cli, ["invoices", "global", "--mes", issuing.month_of(utcnow())], env={"DATABASE_URL": database_url}
    )
    assert refused.exit_code == 2 and "terminó" in refused.output


def test_the_committed_global_sample_is_a_stamped_cfdi_global() -> None:
    xml = GLOBAL_SAMPLE.read_bytes()
    assert validates(xml) and seal_verifies(xml)
    assert tfd_verifies(xml, PAC_CERTIFICATE.read_bytes())
    cfdi = CFDI.from_string(xml)
    receptor = cfdi["Receptor"]
    assert (receptor["Rfc"], receptor["DomicilioFiscalReceptor"]) == ("XAXX010101000", "29350")
    assert cfdi["InformacionGlobal"]["Periodicidad"] == "04"
    assert operations(cfdi) == [
        ("101-201", 0, Decimal("500.00")),
        ("101-201", Decimal("0.16"), Decimal("50.00")),
        ("102-202", Decimal("0.16"), Decimal("1160.00")),
    ]
    assert cfdi["Total"] == Decimal("1710.00")
