"""A buyer's own fiscal data: checked with the SAT's rules (each wrong field refused with its message, nothing
written); given at checkout, each paid part gets its ingreso to it, stamped through the loopback PAC; given
later, within the month the order was paid in and before any global invoice holds it, its public sales become
ingresos; refused afterwards, for an institution's order, a second time, and to anyone but the buyer. Two
submits at once (or the global invoice gathering the month meanwhile) never issue twice."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from satcfdi import catalogs
from satcfdi.cfdi import CFDI
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from market.config import Settings
from market.db import transaction
from market.invoicing import corrections, issuing, receiver_data, receivers
from market.invoicing.models import Invoice, InvoiceKind, OrderReceiver, PublicSale
from market.invoicing.receiver_data import FiscalData
from market.invoicing.seal import seal_verifies
from market.orders.checkout import checkout
from market.orders.fulfillment import confirm_offline_payment, mark_paid, move
from market.orders.models import Fulfillment, Order
from market.orders.schemas import Checkout
from market.outbox import OutboxEvent
from tests.helpers import api_token, at_once, count
from tests.invoicing.shop import buy, invoices, parts, run_worker

PERSON = {  # a persona física (the SAT's test RFC), paying for goods as general expenses
    "rfc": "GODE561231GR8",
    "razon_social": "Emiliano Gómez Díaz",
    "regimen_fiscal": "612",
    "codigo_postal": "68000",
    "uso_cfdi": "G03",
}
COMPANY = {  # a persona moral
    "rfc": "EKU9003173C9",
    "razon_social": "Escuela Kemper Urgate",
    "regimen_fiscal": "601",
    "codigo_postal": "06600",
    "uso_cfdi": "G01",
}


def fiscal_data_of(path: str) -> str:
    return f"/api/v1/orders/{path}/fiscal-data"


def pay_by_transfer(engine: Engine, order: Order, make_user: Any) -> None:
    admin = make_user("admin@example.mx", is_admin=True)
    with transaction(engine) as tx:
        confirm_offline_payment(tx, admin, order.id or 0, "SPEI 7001")


def pay_by_card(engine: Engine, order: Order, make_user: Any) -> None:
    """As the card payment's succeeded event marks it paid (market.payments.stripe_events)."""
    with transaction(engine) as tx:
        mark_paid(tx, tx.get_one(Order, order.id), None, "pi_test_7001")


def sales(session: Session) -> list[PublicSale]:
    session.expire_all()
    return list(session.exec(select(PublicSale).order_by(col(PublicSale.id))).all())


def assert_stamped_to(session: Session, order: Order, data: dict[str, str], forma: str) -> None:
    """One stamped PUE ingreso per part of the order, schema-valid, sealed, its Receptor the buyer's data."""
    stamped = invoices(session)
    assert {i.fulfillment_id for i in stamped} == {f.id for f in parts(session, order).values()}
    for invoice in stamped:
        assert (invoice.kind, invoice.status, invoice.metodo_pago) == ("ingreso", "timbrada", "PUE"), (
            invoice.last_error
        )
        xml = invoice.stamped_xml or b""
        CFDI.from_string(xml).xml_bytes(validate=True)  # the SAT's schema
        assert seal_verifies(xml)
        cfdi = CFDI.from_string(xml)
        receptor = cfdi["Receptor"]
        assert (
            receptor["Rfc"],
            receptor["Nombre"],
            receptor["RegimenFiscalReceptor"],
            receptor["DomicilioFiscalReceptor"],
            receptor["UsoCFDI"],
        ) == (
            data["rfc"],
            data["razon_social"].upper(),
            data["regimen_fiscal"],
            data["codigo_postal"],
            data["uso_cfdi"],
        )
        assert (cfdi["MetodoPago"], cfdi["FormaPago"]) == ("PUE", forma)


# --- the SAT's rules ------------------------------------------------------------------------------------

REFUSALS = [
    ({"rfc": "GODE561231GR"}, "rfc", "El RFC no es válido"),
    ({"rfc": "XAXX010101000"}, "rfc", "XAXX010101000 es el RFC genérico de público en general"),
    ({"rfc": "XEXX010101000"}, "rfc", "XEXX010101000 es el RFC genérico de público en general"),
    (
        {"razon_social": "Cooperativa Flor de Café S.C. de R.L. de C.V."},
        "razon_social",
        "sin el régimen societario",
    ),
    ({"codigo_postal": "00100"}, "codigo_postal", "«00100» no está en el catálogo del SAT"),
    ({"codigo_postal": "6800"}, "codigo_postal", "no está en el catálogo del SAT"),
    ({"regimen_fiscal": "609"}, "regimen_fiscal", "Elige un régimen fiscal del catálogo del SAT."),
    (  # a persona física's RFC with a persona moral's régimen
        {"regimen_fiscal": "601"},
        "regimen_fiscal",
        "El régimen 601 es de personas morales y el RFC de 13 caracteres es de una persona física.",
    ),
    (  # and the other way round
        COMPANY | {"regimen_fiscal": "605"},
        "regimen_fiscal",
        "El régimen 605 es de personas físicas y el RFC de 12 caracteres es de una persona moral.",
    ),
    ({"uso_cfdi": "CN01"}, "uso_cfdi", "Elige un uso del CFDI del catálogo del SAT."),
    (  # medical expenses: a persona física's deduction only
        COMPANY | {"uso_cfdi": "D01"},
        "uso_cfdi",
        "El uso D01 es solo para personas físicas (RFC de 13 caracteres).",
    ),
    (  # a salaried person (605) deducts, but buys nothing for a business
        {"regimen_fiscal": "605", "uso_cfdi": "G01"},
        "uso_cfdi",
        "El SAT no permite el uso G01 con el régimen 605",
    ),
    (  # without fiscal obligations only "sin efectos fiscales"
        {"regimen_fiscal": "616", "uso_cfdi": "G03"},
        "uso_cfdi",
        "El SAT no permite el uso G03 con el régimen 616",
    ),
]


@pytest.mark.parametrize(("change", "field", "message"), REFUSALS)
def test_each_field_breaking_the_sats_rules_is_refused_with_its_message_and_nothing_written(
    client: TestClient,
    session: Session,
    settings: Settings,
    shop: dict[str, Any],
    change: dict[str, str],
    field: str,
    message: str,
) -> None:
    order = buy(session, settings, shop, shop["consumer"])
    response = client.post(
        fiscal_data_of(str(order.id)),
        json=PERSON | change,
        headers=api_token(client, "luis@example.mx"),
    )
    assert response.status_code == 422, response.text
    assert message in response.json()["fields"][field]
    assert count(session, OrderReceiver) == 0


@pytest.mark.parametrize(
    "allowed",
    [
        {"regimen_fiscal": "605", "uso_cfdi": "D01"},
        {"regimen_fiscal": "616", "uso_cfdi": "S01"},
        {"regimen_fiscal": "626", "uso_cfdi": "I04"},
        COMPANY | {"uso_cfdi": "S01"},
        COMPANY,
    ],
)
def test_what_the_sat_allows_passes_and_the_name_is_kept_as_the_constancia_writes_it(
    allowed: dict[str, str],
) -> None:
    data = FiscalData.model_validate(PERSON | allowed | {"rfc": (PERSON | allowed)["rfc"].lower()})
    receiver_data.check(data)
    assert data.rfc == (PERSON | allowed)["rfc"]
    assert data.razon_social == (PERSON | allowed)["razon_social"].upper()


def test_every_code_of_the_rules_is_in_the_sats_catalogues_as_satcfdi_ships_them() -> None:
    usos, regimes = catalogs.select_all("C756_c_UsoCFDI"), catalogs.select_all("C756_c_RegimenFiscal")
    assert set(receiver_data.USOS) <= set(usos)
    assert set(receiver_data.RECEIVER_REGIMES) <= set(regimes)
    assert all(allowed <= set(regimes) for _persons, allowed in receiver_data.USOS.values())


# --- at checkout --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("pay", "forma"), [(pay_by_transfer, "03"), (pay_by_card, "04")])
def test_fiscal_data_given_at_checkout_receives_each_parts_ingreso_once_paid(
    engine: Engine,
    session: Session,
    pac_settings: Settings,
    shop: dict[str, Any],
    make_user: Any,
    pay: Any,
    forma: str,
) -> None:
    method = "spei_transfer" if forma == "03" else "card"
    offered = (
        pac_settings.model_copy(update={"payments_backend": "stripe"}) if method == "card" else pac_settings
    )
    order = buy(session, offered, shop, shop["consumer"], payment_method=method, fiscal=FiscalData(**PERSON))
    [given] = session.exec(select(OrderReceiver)).all()
    assert (given.order_id, given.rfc, given.razon_social) == (order.id, PERSON["rfc"], "EMILIANO GÓMEZ DÍAZ")
    assert invoices(session) == []  # nothing is owed before the money arrives

    pay(engine, order, make_user)
    run_worker(engine, pac_settings)

    assert sales(session) == []
    assert_stamped_to(session, order, PERSON, forma)


def test_without_fiscal_data_each_paid_part_waits_for_its_producers_global_invoice(
    engine: Engine,
    session: Session,
    pac_settings: Settings,
    shop: dict[str, Any],
    make_user: Any,
) -> None:
    order = buy(session, pac_settings, shop, shop["consumer"])
    pay_by_transfer(engine, order, make_user)
    run_worker(engine, pac_settings)
    assert invoices(session) == []
    by_part = parts(session, order)
    assert {(s.fulfillment_id, s.invoice_id, s.period) for s in sales(session)} == {
        (f.id, None, issuing.month_of(f.updated_at)) for f in by_part.values()
    }


def test_an_institutions_order_takes_no_other_fiscal_data(
    client: TestClient,
    session: Session,
    settings: Settings,
    shop: dict[str, Any],
) -> None:
    headers = api_token(client, "compras@escuela.mx")
    cart = {shop["cafe"]["listing"].id: 5}
    for listing_id, quantity in cart.items():
        client.put(f"/api/v1/cart/items/{listing_id}", json={"quantity": quantity}, headers=headers)
    response = client.post(
        "/api/v1/cart/checkout", json={"payment_method": "invoice", "fiscal": PERSON}, headers=headers
    )
    assert response.status_code == 422, response.text
    assert "se factura con los datos fiscales de la institución" in response.json()["fields"]["fiscal"]
    assert count(session, Order) == 0

    order = buy(session, settings, shop, shop["school"], payment_method="invoice")
    response = client.post(fiscal_data_of(str(order.id)), json=COMPANY, headers=headers)
    assert response.status_code == 409, response.text
    assert "se factura con los datos fiscales de la institución" in response.json()["detail"]
    assert count(session, OrderReceiver) == 0


def test_a_wrong_field_at_checkout_is_named_under_fiscal_and_no_order_is_placed(
    client: TestClient,
    session: Session,
    shop: dict[str, Any],
) -> None:
    headers = api_token(client, "luis@example.mx")
    client.put(f"/api/v1/cart/items/{shop['cafe']['listing'].id}", json={"quantity": 5}, headers=headers)
    for fiscal, field in (
        (PERSON | {"regimen_fiscal": "601"}, "fiscal.regimen_fiscal"),
        (PERSON | {"rfc": "XAXX010101000"}, "fiscal.rfc"),
    ):
        response = client.post(
            "/api/v1/cart/checkout",
            json={"payment_method": "spei_transfer", "fiscal": fiscal},
            headers=headers,
        )
        assert response.status_code == 422, response.text
        assert list(response.json()["fields"]) == [field]
    assert count(session, Order) == count(session, OrderReceiver) == 0
    response = client.post(
        "/api/v1/cart/checkout", json={"payment_method": "spei_transfer", "fiscal": PERSON}, headers=headers
    )
    assert response.status_code == 201, response.text
    state = client.get(fiscal_data_of(response.json()["id"]), headers=headers).json()
    assert state["receiver"]["rfc"] == PERSON["rfc"] and not state["may_give"]


# --- later, from the order ----------------------------------------------------------------------------


def test_asked_for_within_the_month_the_public_sales_become_ingresos_to_the_buyer(
    engine: Engine,
    client: TestClient,
    session: Session,
    pac_settings: Settings,
    shop: dict[str, Any],
    make_user: Any,
) -> None:
    order = buy(session, pac_settings, shop, shop["consumer"])
    pay_by_transfer(engine, order, make_user)
    assert len(sales(session)) == 2
    headers = api_token(client, "luis@example.mx")
    assert client.get(fiscal_data_of(str(order.id)), headers=headers).json() == {
        "applies": True,
        "receiver": None,
        "may_give": True,
        "refusal": None,
    }

    response = client.post(fiscal_data_of(str(order.id)), json=COMPANY, headers=headers)
    assert response.status_code == 201, response.text
    assert response.json()["razon_social"] == "ESCUELA KEMPER URGATE"
    assert sales(session) == []
    run_worker(engine, pac_settings)
    assert_stamped_to(session, order, COMPANY, "03")

    again = client.post(fiscal_data_of(str(order.id)), json=PERSON, headers=headers)
    assert again.status_code == 409
    assert "no se pueden cambiar" in again.json()["detail"]
    assert [r.rfc for r in session.exec(select(OrderReceiver))] == [COMPANY["rfc"]]
    assert len(invoices(session)) == 2


def test_a_part_paid_later_gets_its_ingreso_when_paid(
    engine: Engine,
    session: Session,
    pac_settings: Settings,
    shop: dict[str, Any],
    make_user: Any,
) -> None:
    order = buy(session, pac_settings, shop, shop["consumer"])
    with transaction(engine) as tx:
        receivers.give(tx, shop["consumer"], tx.get_one(Order, order.id), FiscalData(**PERSON))
    assert invoices(session) == []
    pay_by_transfer(engine, order, make_user)
    run_worker(engine, pac_settings)
    assert_stamped_to(session, order, PERSON, "03")
    assert sales(session) == []


def test_a_part_paid_in_cash_at_pickup_gets_its_ingreso_in_cash_when_asked_for(
    engine: Engine,
    session: Session,
    pac_settings: Settings,
    shop: dict[str, Any],
) -> None:
    coffee = shop["cafe"]
    order = checkout(
        session,
        pac_settings,
        shop["consumer"],
        Checkout(
            items=[{"listing_id": coffee["listing"].id, "quantity": 5}], payment_method="cash_on_pickup"
        ),
    )
    session.commit()
    [part] = parts(session, order).values()
    with transaction(engine) as tx:
        for step in ("accepted", "preparing", "ready_for_pickup", "delivered"):
            move(tx, coffee["owner"], part.id or 0, step)
    assert [s.fulfillment_id for s in sales(session)] == [part.id]

    with transaction(engine) as tx:
        receivers.give(tx, shop["consumer"], tx.get_one(Order, order.id), FiscalData(**PERSON))
    run_worker(engine, pac_settings)
    assert_stamped_to(session, order, PERSON, issuing.CASH)


def test_a_part_partly_refunded_before_the_request_gets_a_credit_note_for_what_went_back(
    engine: Engine,
    session: Session,
    settings: Settings,
    shop: dict[str, Any],
    make_user: Any,
) -> None:
    order = buy(session, settings, shop, shop["consumer"])
    pay_by_transfer(engine, order, make_user)
    coffee = parts(session, order)[shop["cafe"]["org"].id]
    with transaction(engine) as tx:
        corrections.part_refunded(tx, tx.get_one(Fulfillment, coffee.id), 32000)  # one bag of five
    with transaction(engine) as tx:
        receivers.give(tx, shop["consumer"], tx.get_one(Order, order.id), FiscalData(**PERSON))
    written = {(i.fulfillment_id, i.kind): i for i in invoices(session)}
    ingreso = written[(coffee.id, InvoiceKind.INGRESO)]
    assert ingreso.total_cents == 5 * 32000  # what was sold
    note = written[(coffee.id, InvoiceKind.EGRESO)]
    assert (note.total_cents, note.related_invoice_id) == (32000, ingreso.id)  # what went back
    assert len(written) == 3  # and the weavers' ingreso


def _paid_last_month(engine: Engine, session: Session) -> None:
    with transaction(engine) as tx:
        for sale in tx.exec(select(PublicSale)):
            sale.period = "2020-01"
            tx.add(sale)


def _in_a_global_invoice(engine: Engine, session: Session) -> None:
    with transaction(engine) as tx:
        [sale, *_] = tx.exec(select(PublicSale).order_by(col(PublicSale.id))).all()
        global_invoice = Invoice(
            organization_id=sale.organization_id,
            kind=InvoiceKind.GLOBAL,
            metodo_pago="PUE",
            forma_pago="03",
            total_cents=sale.total_cents,
            period=sale.period,
        )
        tx.add(global_invoice)
        tx.flush()
        sale.invoice_id = global_invoice.id
        tx.add(sale)


@pytest.mark.parametrize(
    ("meanwhile", "message"),
    [
        (_paid_last_month, "El mes en que pagaste este pedido ya terminó"),
        (_in_a_global_invoice, "Tu compra ya está en la factura global del productor"),
    ],
)
def test_after_the_month_or_once_in_a_global_invoice_it_is_refused(
    engine: Engine,
    client: TestClient,
    session: Session,
    settings: Settings,
    shop: dict[str, Any],
    make_user: Any,
    meanwhile: Any,
    message: str,
) -> None:
    order = buy(session, settings, shop, shop["consumer"])
    pay_by_transfer(engine, order, make_user)
    meanwhile(engine, session)
    before = [(s.id, s.invoice_id, s.period) for s in sales(session)]
    headers = api_token(client, "luis@example.mx")
    state = client.get(fiscal_data_of(str(order.id)), headers=headers).json()
    assert not state["may_give"] and message in state["refusal"]
    english = client.get(fiscal_data_of(str(order.id)), headers=headers | {"Accept-Language": "en"}).json()
    assert english["refusal"].startswith(("The month in which you paid", "Your purchase is already"))

    response = client.post(fiscal_data_of(str(order.id)), json=PERSON, headers=headers)
    assert response.status_code == 409
    assert message in response.json()["detail"]
    assert count(session, OrderReceiver) == 0
    assert [(s.id, s.invoice_id, s.period) for s in sales(session)] == before
    assert [i.kind for i in invoices(session)] == (["global"] if meanwhile is _in_a_global_invoice else [])


@pytest.mark.parametrize("who", ["otra@example.mx", "cafe@example.mx"])
def test_to_anyone_but_the_buyer_the_orders_fiscal_data_does_not_exist(
    client: TestClient,
    session: Session,
    settings: Settings,
    shop: dict[str, Any],
    make_user: Any,
    who: str,
) -> None:
    make_user("otra@example.mx")
    order = buy(session, settings, shop, shop["consumer"], fiscal=FiscalData(**PERSON))
    unknown = client.get(fiscal_data_of("999999"), headers=api_token(client, "luis@example.mx"))
    headers = api_token(client, who)  # another person; a producer of the order
    seen = client.get(fiscal_data_of(str(order.id)), headers=headers)
    given = client.post(fiscal_data_of(str(order.id)), json=COMPANY, headers=headers)
    assert seen.status_code == given.status_code == unknown.status_code == 404
    assert seen.json() == given.json() == unknown.json()
    assert [r.rfc for r in session.exec(select(OrderReceiver))] == [PERSON["rfc"]]


# --- at the same moment -------------------------------------------------------------------------------


def test_two_submits_at_once_write_one_receiver_and_one_ingreso_per_part(
    engine: Engine,
    session: Session,
    pac_settings: Settings,
    shop: dict[str, Any],
    make_user: Any,
) -> None:
    order = buy(session, pac_settings, shop, shop["consumer"])
    pay_by_transfer(engine, order, make_user)

    def submit() -> str:
        try:
            with transaction(engine) as tx:
                receivers.give(tx, shop["consumer"], tx.get_one(Order, order.id), FiscalData(**PERSON))
        except receivers.ReceiverRefused as refused:
            return refused.message
        return "given"

    assert at_once(submit) == sorted(["given", receivers.ALREADY_GIVEN])
    assert count(session, OrderReceiver) == 1
    assert sales(session) == []
    assert sorted(i.fulfillment_id or 0 for i in invoices(session)) == sorted(
        f.id or 0 for f in parts(session, order).values()
    )
    run_worker(engine, pac_settings)
    assert_stamped_to(session, order, PERSON, "03")


def test_while_the_global_invoice_gathers_the_month_the_request_waits_and_is_refused(
    engine: Engine,
    session: Session,
    settings: Settings,
    shop: dict[str, Any],
    make_user: Any,
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("row locks (FOR UPDATE) are PostgreSQL's; SQLite has one writer at a time")
    order = buy(session, settings, shop, shop["consumer"])
    pay_by_transfer(engine, order, make_user)
    outcome: list[str] = []

    def submit() -> None:
        try:
            with transaction(engine) as tx:
                receivers.give(tx, shop["consumer"], tx.get_one(Order, order.id), FiscalData(**PERSON))
            outcome.append("given")
        except receivers.ReceiverRefused as refused:
            outcome.append(refused.message)

    with transaction(engine) as job:  # the global invoice's job: locks the month's sales, gathers them
        gathered = job.exec(select(PublicSale).with_for_update()).all()
        global_invoice = Invoice(
            organization_id=gathered[0].organization_id,
            kind=InvoiceKind.GLOBAL,
            metodo_pago="PUE",
            forma_pago="03",
            total_cents=gathered[0].total_cents,
            period=gathered[0].period,
        )
        job.add(global_invoice)
        job.flush()
        gathered[0].invoice_id = global_invoice.id
        job.add(gathered[0])
        job.flush()
        buyer = threading.Thread(target=submit)
        buyer.start()
        time.sleep(0.5)
        assert outcome == []  # the buyer's request waits for the job
    buyer.join(30)
    assert outcome == [receivers.IN_GLOBAL]
    assert count(session, OrderReceiver) == 0
    assert len(sales(session)) == 2
    assert session.exec(select(OutboxEvent).where(OutboxEvent.topic == issuing.TOPIC)).all() == []
