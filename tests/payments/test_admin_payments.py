"""The administrators' money pages: the bank statement (CSV) pays the orders whose reference and exact
amount it shows, once, and a bad file changes nothing; producers are paid by SPEI up to what is available;
offline refunds are recorded when sent back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from bs4 import Tag
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from market.accounts.models import User
from market.catalog.models import Listing
from market.config import Settings
from market.db import transaction
from market.ledger import service as ledger
from market.ledger.models import LedgerEntry
from market.orders.checkout import checkout
from market.orders.fulfillment import confirm_offline_payment, expire, move
from market.orders.models import Fulfillment, Order
from market.orders.schemas import Checkout
from market.organizations.models import Organization
from market.payments import service as payments
from market.payments.models import Payout, Refund
from market.payments.statement import MAX_ROWS
from tests.helpers import CLABE, count, csrf_of, fresh, log_in
from tests.pages import (
    Html,
    flash,
    flashes,
    hrefs,
    one,
    soup,
    table_row,
    table_rows,
    text_of,
    texts,
    value_of,
)
from tests.spreadsheets import NOT_TABLES, xlsx_bytes

STATEMENT = "/admin/pagos/estado-de-cuenta"
PAYOUTS = "/admin/pagos-a-productores"


@dataclass
class Shop:
    admin: User
    buyer: User
    owner: User
    org: Organization
    coffee: Listing


@pytest.fixture
def shop(make_user: Any, make_org: Any, make_listing: Any) -> Shop:
    owner = make_user("cafe@example.mx", name="Rosa Pérez")
    org = make_org(owner, clabe=CLABE)
    return Shop(
        admin=make_user("admin@example.mx", name="Equipo Tianguis", is_admin=True),
        buyer=make_user("eva@example.mx", name="Eva Martínez"),
        owner=owner,
        org=org,
        coffee=make_listing(org, title="Café tostado", price_cents=10000, stock=100),
    )


def buy(
    engine: Engine, settings: Settings, shop: Shop, quantity: int, method: str = "spei_transfer"
) -> Order:
    with transaction(engine) as tx:
        return checkout(
            tx,
            settings,
            shop.buyer,
            Checkout(items=[{"listing_id": shop.coffee.id, "quantity": quantity}], payment_method=method),
        )


def payment_postings(session: Session, order_id: int | None) -> list[LedgerEntry]:
    session.expire_all()
    return list(
        session.exec(
            select(LedgerEntry).where(LedgerEntry.order_id == order_id, LedgerEntry.kind == "payment")
        ).all()
    )


def ref(order: Order) -> str:
    return f"TS{order.id:08d}"


def as_admin(client: TestClient) -> TestClient:
    log_in(client, "admin@example.mx")
    return client


def upload(client: TestClient, content: bytes, name: str = "estado.csv") -> Any:
    return client.post(
        STATEMENT,
        data={"csrf_token": csrf_of(client, "/admin/pagos")},
        files={"archivo": (name, content, "text/csv")},
    )


# --- bank statement -----------------------------------------------------------------------------------


def summary(page: Html) -> str:
    """The report of a statement read: how many deposits, and how many of each outcome."""
    return text_of(one(page, "#estado-de-cuenta .flash[role=status]"))


def report(page: Html) -> list[list[str]]:
    """The report's rows: line, date, concept, deposit, order, expected amount, outcome (and why)."""
    return table_rows(page, "table.statement-report")


def refusal(page: Html) -> str:
    """Why a statement was not read, with its problems by row."""
    return text_of(one(page, "#estado-de-cuenta .flash.error"))


def test_a_deposit_with_the_reference_and_exact_amount_pays_the_order_and_posts_the_ledger_once(
    client: TestClient, engine: Engine, session: Session, settings: Settings, shop: Shop
) -> None:
    order = buy(engine, settings, shop, 3)  # $300.00
    csv_text = (
        "Fecha,Concepto,Cargo,Abono,Saldo,Clave de rastreo\n"
        "2025-03-03,COMISION MANEJO DE CUENTA,58.00,,10000.00,\n"
        f"2025-03-03,SPEI RECIBIDO BBVA {ref(order).lower()} EVA MARTINEZ,,"
        '"$300.00",10300.00,BNET01002503030001\n'
    )
    response = upload(as_admin(client), csv_text.encode())

    assert response.status_code == 200, response.text
    assert "Pagado: 1" in summary(response)
    assert texts(response, "main > .empty") == ["No hay pagos por confirmar."]  # the page lists what waits
    assert fresh(session, Order, order.id).status == "paid"
    part = session.exec(select(Fulfillment).where(Fulfillment.order_id == order.id)).one()
    assert part.status == "pending_acceptance"  # the producer may now accept
    postings = payment_postings(session, order.id)
    assert {p.reference for p in postings} == {"BNET01002503030001"}
    assert len({p.transaction_id for p in postings}) == 1
    assert sum(p.amount_cents for p in postings if p.account == ledger.CASH) == 30000
    assert ledger.balance(session, shop.org.id or 0) == 27600
    assert ledger.imbalance(session) == 0


def test_uploading_the_same_statement_again_pays_nothing_twice(
    client: TestClient, engine: Engine, session: Session, settings: Settings, shop: Shop
) -> None:
    order = buy(engine, settings, shop, 2)
    content = f"fecha,concepto,abono\n2025-03-04,Pago {ref(order)},200.00\n".encode()
    as_admin(client)
    assert "Pagado: 1" in summary(upload(client, content))

    again = upload(client, content)
    assert again.status_code == 200
    assert "Ya estaba pagado: 1" in summary(again) and "Pagado: 1" not in summary(again)
    assert report(again)[0][6] == "Ya estaba pagado Este depósito ya se había aplicado."
    postings = payment_postings(session, order.id)
    assert len({p.transaction_id for p in postings}) == 1
    assert {p.reference for p in postings} == {"Estado de cuenta 2025-03-04"}  # no tracking key column
    assert ledger.balance(session, shop.org.id or 0) == 18400


def test_a_second_deposit_for_a_paid_order_is_flagged_as_money_to_return(
    client: TestClient, engine: Engine, session: Session, settings: Settings, shop: Shop
) -> None:
    order = buy(engine, settings, shop, 1)
    content = (
        "Fecha,Concepto,Abono,Clave de rastreo\n"
        f"2025-03-04,Pago {ref(order)},100.00,BNET0001\n"
        f"2025-03-05,Pago otra vez {ref(order)},100.00,BNET0002\n"  # the buyer sent it twice
    ).encode()
    page = upload(as_admin(client), content)
    assert "Pagado: 1" in summary(page) and "Ya estaba pagado: 1" in summary(page)
    second = report(page)[1][6]
    assert second.endswith("El pedido se pagó con otro movimiento: si el dinero llegó dos veces, devuélvelo.")
    assert {p.reference for p in payment_postings(session, order.id)} == {"BNET0001"}


def test_a_wrong_amount_or_an_unknown_reference_changes_nothing(
    client: TestClient, engine: Engine, session: Session, settings: Settings, shop: Shop
) -> None:
    order = buy(engine, settings, shop, 3)  # $300.00 due
    content = (
        "Fecha,Concepto,Abono\n"
        f"2025-03-03,SPEI {ref(order)},299.00\n"
        "2025-03-03,SPEI TS99999999,300.00\n"
        "2025-03-03,DEPOSITO EN EFECTIVO,300.00\n"
    ).encode()
    response = upload(as_admin(client), content)

    assert response.status_code == 200
    page = soup(response)
    assert "Importe distinto: no se aplicó: 1" in summary(page)
    assert "Sin referencia conocida: 2" in summary(page)
    wrong_amount, unknown, no_reference = report(page)
    assert (wrong_amount[3], wrong_amount[5]) == ("$299.00", "$300.00")  # received and expected, side by side
    assert unknown[6].endswith("No existe un pedido con esa referencia.")
    assert no_reference[6].endswith("El concepto no menciona ninguna referencia de pedido.")
    assert fresh(session, Order, order.id).status == "awaiting_payment"
    assert payment_postings(session, order.id) == []
    assert ledger.balance(session, shop.org.id or 0) == 0
    assert table_row(client.get("/admin/pagos"), ref(order))[1] == ref(order)  # still waiting to be matched


def test_withdrawals_and_zero_amounts_are_not_deposits(
    client: TestClient, engine: Engine, session: Session, settings: Settings, shop: Shop
) -> None:
    order = buy(engine, settings, shop, 3)
    content = (
        "Fecha,Concepto,Monto\n"  # one signed column: money out is negative
        f"2025-03-06,DEVOLUCION SPEI {ref(order)},-300.00\n"
        f"2025-03-06,CARGO {ref(order)},($300.00)\n"
        f"2025-03-06,AJUSTE {ref(order)},0.00\n"
    ).encode()
    page = upload(as_admin(client), content)
    assert summary(page).startswith("Estado de cuenta revisado: 0 depósitos.") and report(page) == []
    assert fresh(session, Order, order.id).status == "awaiting_payment"
    assert payment_postings(session, order.id) == []


def test_a_deposit_for_an_expired_order_is_reported_not_applied(
    client: TestClient, engine: Engine, session: Session, settings: Settings, shop: Shop
) -> None:
    order = buy(engine, settings, shop, 1)
    with transaction(engine) as tx:
        unpaid = tx.get(Order, order.id)
        assert unpaid is not None
        expire(tx, unpaid, "La reserva venció sin pago.")
    page = upload(as_admin(client), f"fecha,concepto,abono\n2025-03-05,{ref(order)},100.00\n".encode())
    assert "El pedido no espera esta transferencia: 1" in summary(page)
    assert fresh(session, Order, order.id).status == "expired"
    assert payment_postings(session, order.id) == []


def test_an_institution_paying_its_invoice_settles_what_it_owes(
    client: TestClient,
    engine: Engine,
    session: Session,
    settings: Settings,
    shop: Shop,
    make_org: Any,
) -> None:
    make_org(shop.buyer, name="Escuela Primaria Benito Juárez", legal_form="otra")  # verified: invoice terms
    order = buy(engine, settings, shop, 5, method="invoice")
    assert order.status == "invoiced"
    content = f'Fecha,Referencia,Monto,Rastreo\n2025-04-01,FACTURA {ref(order)},"500.00",HSBC771\n'
    page = upload(as_admin(client), content.encode())

    assert "Pagado: 1" in summary(page)
    assert fresh(session, Order, order.id).status == "paid"
    assert ledger.receivable_of(session, order.id or 0) == 0
    assert ledger.imbalance(session) == 0


def test_an_excel_statement_in_windows_1252_with_semicolons_is_read(
    client: TestClient, engine: Engine, session: Session, settings: Settings, shop: Shop
) -> None:
    order = buy(engine, settings, shop, 12)  # $1,200.00
    content = (
        "Estado de cuenta;Cuenta 0123456789\n"
        "\n"
        "Fecha;Descripción;Retiro;Depósito;Clave de rastreo\n"
        f"05/03/2025;Pago pedido {ref(order)} Ñandú Peña;;$1,200.00;MBAN0100250305\n"
        "05/03/2025;Cheque cobrado;$80.00;;\n"
    ).encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")  # really what Excel on Windows saves, not UTF-8
    response = upload(as_admin(client), content)

    assert response.status_code == 200, response.text
    assert "Pagado: 1" in summary(response) and "Ñandú Peña" in report(response)[0][2]
    assert fresh(session, Order, order.id).status == "paid"
    assert {p.reference for p in payment_postings(session, order.id)} == {"MBAN0100250305"}


def test_an_excel_workbook_statement_is_read_as_the_bank_sends_it(
    client: TestClient, engine: Engine, session: Session, settings: Settings, shop: Shop
) -> None:
    order = buy(engine, settings, shop, 12)  # $1,200.00
    content = xlsx_bytes(
        [
            ["Estado de cuenta", "Cuenta 0123456789"],
            [],
            ["Fecha", "Descripción", "Retiro", "Depósito", "Clave de rastreo"],
            [date(2025, 3, 5), f"Pago pedido {ref(order)} Ñandú Peña", None, 1200, "MBAN0100250305"],
            [date(2025, 3, 5), "Cheque cobrado", 80.5, None, None],
        ],
        title="Movimientos",
    )
    response = upload(as_admin(client), content, "movimientos.xlsx")

    assert response.status_code == 200, response.text
    assert "Pagado: 1" in summary(response)
    [line] = report(response)
    assert line[1] == "2025-03-05" and "Ñandú Peña" in line[2]
    assert fresh(session, Order, order.id).status == "paid"
    assert {p.reference for p in payment_postings(session, order.id)} == {"MBAN0100250305"}


def test_a_statement_saved_by_excel_for_mac_with_bare_cr_line_ends_is_read(
    client: TestClient, engine: Engine, session: Session, settings: Settings, shop: Shop
) -> None:
    order = buy(engine, settings, shop, 3)
    content = f"FECHA;Descripción;Depósito\r05/03/2025;SPEI {ref(order)} Ñandú;300.00\r".encode("mac_roman")
    response = upload(as_admin(client), content)

    assert response.status_code == 200, response.text
    assert "Pagado: 1" in summary(response) and "Ñandú" in report(response)[0][2]
    assert fresh(session, Order, order.id).status == "paid"


@pytest.mark.parametrize("kind", list(NOT_TABLES))
def test_a_file_that_is_no_statement_is_refused_with_a_clear_message(
    client: TestClient, engine: Engine, session: Session, settings: Settings, shop: Shop, kind: str
) -> None:
    order = buy(engine, settings, shop, 3)
    name, content, message = NOT_TABLES[kind]
    response = upload(as_admin(client), content, name)

    assert response.status_code == 422
    assert refusal(response).startswith("No pudimos leer el estado de cuenta; no se aplicó ningún pago.")
    assert message in refusal(response)
    assert fresh(session, Order, order.id).status == "awaiting_payment"


MATCHING_ROW = "2025-03-03,SPEI {reference},300.00\n"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("Fecha,Concepto,Cargo\n" + MATCHING_ROW, "Faltan columnas: abono."),
        (
            "Fecha,Concepto,Abono\n" + MATCHING_ROW + "2025-03-03,SPEI TS00000999,trescientos\n",
            "No se entiende el importe «trescientos»",
        ),
        (
            "Fecha,Concepto,Abono\n" + MATCHING_ROW + "2025-03-03,SPEI TS00000999,1,300.00\n",
            "La fila tiene más columnas que el encabezado",
        ),
        (
            "Fecha,Concepto,Abono\n" + MATCHING_ROW + "2025-03-03,x,1.00\n" * MAX_ROWS,
            f"Cada archivo admite hasta {MAX_ROWS} movimientos.",
        ),
        ("Fecha,Concepto,Abono\n" + MATCHING_ROW + "x" * (2 * 1024 * 1024), "El archivo pesa más de 2 MB"),
    ],
    ids=["missing-column", "unreadable-amount", "unquoted-comma", "too-many-rows", "too-large"],
)
def test_a_malformed_statement_is_refused_and_nothing_is_paid(
    client: TestClient,
    engine: Engine,
    session: Session,
    settings: Settings,
    shop: Shop,
    content: str,
    message: str,
) -> None:
    order = buy(engine, settings, shop, 3)
    response = upload(as_admin(client), content.format(reference=ref(order)).encode())

    assert response.status_code == 422
    assert refusal(response).startswith("No pudimos leer el estado de cuenta; no se aplicó ningún pago.")
    assert message in refusal(response)
    assert fresh(session, Order, order.id).status == "awaiting_payment"  # the good row was not applied
    assert payment_postings(session, order.id) == []


def test_only_administrators_may_upload_a_statement(
    client: TestClient, engine: Engine, session: Session, settings: Settings, shop: Shop
) -> None:
    order = buy(engine, settings, shop, 3)
    log_in(client, shop.owner.email)
    response = client.post(
        STATEMENT,
        data={"csrf_token": csrf_of(client, "/panel")},
        files={"archivo": ("e.csv", f"fecha,concepto,abono\n2025-03-03,{ref(order)},300.00\n".encode())},
    )
    assert response.status_code == 403
    assert fresh(session, Order, order.id).status == "awaiting_payment"
    assert payment_postings(session, order.id) == []


# --- payouts and refunds -----------------------------------------------------------------------------


def completed_sale(engine: Engine, settings: Settings, shop: Shop, quantity: int) -> Order:
    """An order paid by transfer whose fulfillment the buyer has received and completed."""
    order = buy(engine, settings, shop, quantity)
    with transaction(engine) as tx:
        confirm_offline_payment(tx, shop.admin, order.id or 0, "BNET0001")
    with transaction(engine) as tx:
        part = tx.exec(select(Fulfillment).where(Fulfillment.order_id == order.id)).one()
        for step, actor in [
            ("accepted", shop.owner),
            ("preparing", shop.owner),
            ("ready_for_pickup", shop.owner),
            ("delivered", shop.buyer),
            ("completed", shop.buyer),
        ]:
            move(tx, actor, part.id or 0, step)
    return order


def rejected_after_payment(
    engine: Engine, settings: Settings, shop: Shop, quantity: int, reference: str
) -> Order:
    """An order paid by transfer (recorded under `reference`) whose part the producer then rejects: its
    money is owed back, by an offline refund."""
    order = buy(engine, settings, shop, quantity)
    with transaction(engine) as tx:
        confirm_offline_payment(tx, shop.admin, order.id or 0, reference)
    with transaction(engine) as tx:
        part = tx.exec(select(Fulfillment).where(Fulfillment.order_id == order.id)).one()
        move(tx, shop.owner, part.id or 0, "rejected")
    return order


def payout_postings(session: Session) -> list[LedgerEntry]:
    session.expire_all()
    return list(session.exec(select(LedgerEntry).where(LedgerEntry.kind == "payout")).all())


def pay(client: TestClient, organization_id: int | None, amount: str, reference: str) -> Tag:
    """Record a payout from its form; the page it goes back to."""
    response = client.post(
        f"{PAYOUTS}/{organization_id}",
        data={"amount": amount, "reference": reference, "csrf_token": csrf_of(client, PAYOUTS)},
    )
    assert response.status_code == 303, response.text
    return soup(client.get(PAYOUTS))


def test_an_administrator_records_a_spei_payout_up_to_what_is_available(
    client: TestClient, engine: Engine, session: Session, settings: Settings, shop: Shop
) -> None:
    completed_sale(engine, settings, shop, 3)  # $300.00 less 8 %: $276.00 owed and available
    page = soup(as_admin(client).get(PAYOUTS))
    owed = table_row(page, shop.org.name, "#por-pagar table")
    assert owed[:4] == [shop.org.name, "$276.00", "$276.00", f"CLABE {CLABE}"]
    assert value_of(page, "amount") == "276.00"  # the form offers what is available

    page = pay(client, shop.org.id, "$100.50", "  MBAN01002503070042  ")

    assert flash(page, "success") == "Pago registrado: $100.50 a Cooperativa Flor de Café."
    payout = session.exec(select(Payout)).one()
    assert (payout.organization_id, payout.amount_cents, payout.method) == (shop.org.id, 10050, "spei")
    assert (payout.reference, payout.clabe, payout.created_by) == ("MBAN01002503070042", CLABE, shop.admin.id)
    postings = payout_postings(session)
    assert sorted((p.account, p.amount_cents, p.organization_id) for p in postings) == [
        (ledger.CASH, -10050, None),
        (ledger.PAYABLE, 10050, shop.org.id),
    ]
    assert ledger.balance(session, shop.org.id or 0) == 17550
    assert payments.available_balance(session, shop.org.id or 0) == 17550
    assert ledger.imbalance(session) == 0
    assert table_rows(page, "#ultimos-pagos table")[0][2:] == [
        "$100.50",
        f"SPEI a la CLABE {CLABE}",
        "MBAN01002503070042",
        "Enviado",
    ]
    assert value_of(page, "amount") == "175.50"  # the rest, still due


@pytest.mark.parametrize(
    ("amount", "reference", "message"),
    [
        ("276.01", "MBAN01", "El pago no puede ser mayor que el saldo disponible de la organización."),
        ("doscientos", "MBAN0100250307", "Escribe el monto en pesos, por ejemplo 1,250.50."),
        ("", "MBAN0100250307", "Escribe el monto del pago."),
        ("0", "MBAN0100250307", "Escribe un monto mayor que cero."),
        ("100.00", " ab ", "Escribe la clave de rastreo de la transferencia (al menos 4 caracteres)."),
        ("100.00", "M" * 81, "La clave de rastreo es demasiado larga (máximo 80 caracteres)."),
    ],
    ids=["over-available", "unreadable", "empty", "zero", "no-tracking-key", "tracking-key-too-long"],
)
def test_a_refused_payout_says_why_and_writes_nothing(
    client: TestClient,
    engine: Engine,
    session: Session,
    settings: Settings,
    shop: Shop,
    amount: str,
    reference: str,
    message: str,
) -> None:
    completed_sale(engine, settings, shop, 3)
    page = pay(as_admin(client), shop.org.id, amount, reference)

    assert flashes(page, "error") == [message]
    assert count(session, Payout) == 0
    assert payout_postings(session) == []
    assert payments.available_balance(session, shop.org.id or 0) == 27600


def test_an_organization_without_clabe_cannot_be_paid_by_spei(
    client: TestClient, engine: Engine, session: Session, settings: Settings, shop: Shop
) -> None:
    completed_sale(engine, settings, shop, 3)
    with transaction(engine) as tx:
        organization = tx.get(Organization, shop.org.id)
        assert organization is not None
        organization.clabe = None
    as_admin(client)
    assert table_row(client.get(PAYOUTS), shop.org.name, "#por-pagar table")[3] == "Sin CLABE registrada"
    page = pay(client, shop.org.id, "276.00", "MBAN0100250307")

    assert flash(page, "error") == "La organización no tiene CLABE registrada."
    assert count(session, Payout) == 0
    assert payout_postings(session) == []


def test_an_organization_with_a_connected_stripe_account_is_noted_as_paid_by_stripe(
    client: TestClient, engine: Engine, session: Session, settings: Settings, shop: Shop
) -> None:
    completed_sale(engine, settings, shop, 3)
    with transaction(engine) as tx:
        organization = tx.get(Organization, shop.org.id)
        assert organization is not None
        organization.stripe_account_id, organization.clabe = "acct_1PcooperativaFlor", None
        organization.stripe_payouts_enabled = True  # Stripe said so (account.updated)
    account = table_row(as_admin(client).get(PAYOUTS), shop.org.name, "#por-pagar table")[3]
    stripe_note = "cuenta Stripe conectada: lo cobrado con Stripe se le transfiere al completarse cada pedido"
    assert account == stripe_note  # and no "Sin CLABE registrada"


def test_only_administrators_see_and_record_payouts(
    client: TestClient, engine: Engine, session: Session, settings: Settings, shop: Shop
) -> None:
    completed_sale(engine, settings, shop, 3)
    log_in(client, shop.owner.email)  # the producer itself, who would like to be paid
    assert client.get(PAYOUTS).status_code == 403
    token = csrf_of(client, "/panel")
    response = client.post(
        f"{PAYOUTS}/{shop.org.id}", data={"amount": "276.00", "reference": "MBAN01", "csrf_token": token}
    )
    assert response.status_code == 403
    assert count(session, Payout) == 0 and payout_postings(session) == []
    assert ledger.balance(session, shop.org.id or 0) == 27600


def test_an_offline_refund_is_listed_until_it_is_marked_sent(
    client: TestClient, engine: Engine, session: Session, settings: Settings, shop: Shop
) -> None:
    order = rejected_after_payment(engine, settings, shop, 2, "BNET0002")  # out of stock after all: $200.00
    refund = session.exec(select(Refund)).one()
    assert (refund.provider, refund.status, refund.amount_cents) == ("offline", "pending", 20000)

    [to_send] = table_rows(as_admin(client).get(PAYOUTS), "#reembolsos table")
    assert to_send[0] == f"{order.id} · {ref(order)}" and to_send[1] == "$200.00"
    assert to_send[2].endswith("· eva@example.mx")

    client.post(
        f"/admin/reembolsos/{refund.id}", data={"reference": "ab", "csrf_token": csrf_of(client, PAYOUTS)}
    )
    page = client.get(PAYOUTS)
    assert flash(page, "error") == "Escribe la clave de rastreo de la transferencia (al menos 4 caracteres)."
    assert fresh(session, Refund, refund.id).status == "pending"

    client.post(
        f"/admin/reembolsos/{refund.id}",
        data={"reference": "MBAN0100250310", "csrf_token": csrf_of(client, PAYOUTS)},
    )
    page = soup(client.get(PAYOUTS))
    assert flash(page, "success") == f"Reembolso registrado: $200.00 del pedido {order.id}."
    assert texts(page, "#reembolsos .empty") == ["No hay reembolsos por enviar."]
    sent = fresh(session, Refund, refund.id)
    assert (sent.status, sent.provider_ref) == ("succeeded", "MBAN0100250310")


def test_the_admin_pages_link_to_each_other(client: TestClient, shop: Shop) -> None:
    as_admin(client)
    assert PAYOUTS in hrefs(client.get("/admin/pagos"))
    assert "/admin/pagos" in hrefs(client.get(PAYOUTS))
    assert "/admin" in hrefs(client.get("/panel"), "header a")  # the header's admin link
    assert PAYOUTS in hrefs(client.get("/admin"))  # the admin home's


def test_offline_refunds_need_an_administrator(
    client: TestClient, engine: Engine, session: Session, settings: Settings, shop: Shop
) -> None:
    rejected_after_payment(engine, settings, shop, 1, "BNET0003")
    refund = session.exec(select(Refund)).one()
    log_in(client, shop.buyer.email)
    response = client.post(
        f"/admin/reembolsos/{refund.id}",
        data={"reference": "MBAN0100250310", "csrf_token": csrf_of(client, "/panel")},
    )
    assert response.status_code == 403
    unsent = fresh(session, Refund, refund.id)
    assert (unsent.status, unsent.provider_ref) == ("pending", None)
