"""Dispersion files: an administrator generates one file of everything payable now by SPEI (each line a
pending payout, posted in the ledger), downloads it as often as needed, and uploads the bank's result, which
marks each payout sent or failed once; a failed payout's money is payable again and its owners hear of it."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from market.config import Settings
from market.db import transaction
from market.disputes.models import Dispute
from market.errors import Conflict
from market.ledger import service as ledger
from market.ledger.models import LedgerEntry
from market.payments import dispersion as dispersions
from market.payments import service as payments
from market.payments.models import Dispersion, Payout, PayoutStatus
from tests.helpers import CLABE, count, csrf_of, database_state, emails_to, fresh, log_in
from tests.pages import attr, flash, flashes, one, soup, table_rows, text_of
from tests.payments.dispersion_shop import CLABE_2, Shop, completed_sale, make_shop, set_org

LIST = "/admin/dispersiones"


@pytest.fixture
def shop(make_user: Any, make_org: Any, make_listing: Any) -> Shop:
    return make_shop(make_user, make_org, make_listing)


def as_admin(client: TestClient) -> TestClient:
    log_in(client, "admin@example.mx")
    return client


def generate(client: TestClient) -> Any:
    return client.post(LIST, data={"csrf_token": csrf_of(client, LIST)})


def only_dispersion(session: Session) -> Dispersion:
    session.expire_all()
    return session.exec(select(Dispersion)).one()


def payouts(session: Session) -> list[Payout]:
    session.expire_all()
    return list(session.exec(select(Payout).order_by(Payout.id)).all())  # type: ignore[arg-type]


def result_csv(*rows: tuple[str, str, str, str, str, str]) -> bytes:
    lines = ["Referencia,Cuenta destino,Importe,Estatus,Clave de rastreo,Motivo"]
    lines += [",".join(row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def upload(client: TestClient, dispersion_id: int | None, content: bytes) -> Any:
    path = f"{LIST}/{dispersion_id}"
    return client.post(
        f"{path}/resultado",
        data={"csrf_token": csrf_of(client, path)},
        files={"archivo": ("resultado.csv", content, "text/csv")},
    )


def report(page: Any) -> str:
    return text_of(one(page, "#result-report"))


def refusal(page: Any) -> str:
    return text_of(one(page, "#resultado .flash.error"))


def two_sales(engine: Engine, settings: Settings, shop: Shop) -> None:
    completed_sale(engine, settings, shop, shop.coffee, 3)  # $300.00 less 8 %: $276.00 owed
    completed_sale(engine, settings, shop, shop.honey, 2)  # $500.00 less 8 %: $460.00 owed


# --- generating ---------------------------------------------------------------------------------------


def test_the_page_shows_what_a_file_would_hold_and_who_is_left_out_and_why(
    client: TestClient,
    engine: Engine,
    settings: Settings,
    shop: Shop,
    make_user: Any,
    make_org: Any,
    make_listing: Any,
) -> None:
    two_sales(engine, settings, shop)
    set_org(engine, shop.org_2.id, clabe=None)
    weaver = make_user("tejedoras@example.mx")
    connected = make_org(weaver, name="Tejedoras Conectadas", rfc="TCO050312AB4", clabe=CLABE)
    set_org(engine, connected.id, stripe_account_id="acct_1Tejedoras", stripe_payouts_enabled=True)
    rebozo = make_listing(connected, title="Rebozo", price_cents=10000, stock=10)
    completed_sale(engine, settings, shop, rebozo, 1, owner=weaver)
    distiller = make_user("mezcal@example.mx")
    held = make_org(distiller, name="Mezcaleros en Disputa", rfc="MED050312AB4", clabe=CLABE)
    mezcal = make_listing(held, title="Mezcal espadín", price_cents=10000, stock=10)
    part = completed_sale(engine, settings, shop, mezcal, 1, owner=distiller)
    with transaction(engine) as tx:
        tx.add(Dispute(fulfillment_id=part.id or 0, opened_by=shop.buyer.id or 0, reason="No llegó completo"))
    make_org(make_user("nada@example.mx"), name="Sin Ventas", rfc="SVE050312AB4", clabe=CLABE)  # owed nothing

    page = soup(as_admin(client).get(LIST))

    assert table_rows(page, "table.dispersion-plan") == [
        [shop.org.name, CLABE, "$276.00"],
        ["Tejedoras Conectadas", CLABE, "$92.00"],  # connected to Stripe, but paid offline: no transfer comes
        ["Total: 2 transferencias", "$368.00"],
    ]
    assert sorted(table_rows(page, "table.dispersion-skipped")) == [
        [
            "Mezcaleros en Disputa",
            "$92.00",
            "Nada disponible todavía (pedidos sin completar, en disputa o ya en una dispersión)",
        ],
        [shop.org_2.name, "$460.00", "Sin CLABE registrada"],
    ]


def test_generating_makes_one_pending_payout_per_organization_posted_in_the_ledger(
    client: TestClient, engine: Engine, session: Session, settings: Settings, shop: Shop
) -> None:
    two_sales(engine, settings, shop)
    response = generate(as_admin(client))

    assert response.status_code == 303
    dispersion = only_dispersion(session)
    assert response.headers["location"] == f"{LIST}/{dispersion.id}"
    assert (dispersion.status, dispersion.line_count, dispersion.total_cents) == ("awaiting_result", 2, 73600)
    coffee, honey = payouts(session)
    assert [(p.organization_id, p.amount_cents, p.status, p.clabe, p.method) for p in (coffee, honey)] == [
        (shop.org.id, 27600, "pending", CLABE, "spei"),
        (shop.org_2.id, 46000, "pending", CLABE_2, "spei"),
    ]
    assert coffee.reference == f"{coffee.id:07d}" and honey.reference == f"{honey.id:07d}"
    assert ledger.balance(session, shop.org.id or 0) == 0  # posted: the money is no longer owed
    assert payments.available_balance(session, shop.org_2.id or 0) == 0
    assert ledger.imbalance(session) == 0

    page = soup(client.get(response.headers["location"]))
    assert (
        flash(page, "success")
        == "Dispersión generada: 2 transferencias por $736.00. Descarga el archivo y súbelo al banco."
    )
    assert [row[:5] for row in table_rows(page, "table.dispersion-lines")] == [
        [coffee.reference, shop.org.name, CLABE, "$276.00", "Enviado al banco, en espera del resultado"],
        [honey.reference, shop.org_2.name, CLABE_2, "$460.00", "Enviado al banco, en espera del resultado"],
    ]


def test_the_file_downloads_in_the_bank_layout_and_the_same_bytes_every_time(
    client: TestClient, engine: Engine, session: Session, settings: Settings, shop: Shop
) -> None:
    two_sales(engine, settings, shop)
    generate(as_admin(client))
    dispersion = only_dispersion(session)
    coffee, honey = payouts(session)

    first = client.get(f"{LIST}/{dispersion.id}/archivo")
    assert first.status_code == 200
    assert first.headers["content-type"] == "text/plain; charset=us-ascii"
    assert first.headers["content-disposition"] == f'attachment; filename="{dispersion.filename}"'
    lines = first.content.split(b"\r\n")
    assert lines[2:] == [b""] and all(len(line) == 165 for line in lines[:2])
    assert lines[0] == (
        CLABE.encode()
        + b"000000007777777777"  # the demo CLABE's account digits
        + b"MXP"
        + b"0000000000276.00"
        + b"COOPERATIVA FLOR DE CAFE".ljust(30)
        + b"40002"
        + f"TIANGUIS SOLIDARIO DISP {dispersion.id}".encode().ljust(30)
        + coffee.reference.encode()
        + b"H"
        + b"0"
        + b" " * 18
        + b"000000000000000.00"  # no comprobante fiscal
    )
    assert (
        lines[1][55:85] == b"UNION DE EJIDOS SENOR DE LA PE" and lines[1][120:127] == honey.reference.encode()
    )
    assert client.get(f"{LIST}/{dispersion.id}/archivo").content == first.content  # again: same bytes


def test_a_second_file_right_after_holds_nothing_already_in_the_first(
    client: TestClient, engine: Engine, session: Session, settings: Settings, shop: Shop
) -> None:
    two_sales(engine, settings, shop)
    generate(as_admin(client))
    before = database_state(engine)

    again = generate(client)

    assert again.status_code == 303 and again.headers["location"] == LIST
    assert flashes(soup(client.get(LIST)), "error") == [
        "No hay nada que dispersar: ninguna organización con CLABE tiene saldo disponible fuera de otra "
        "dispersión."
    ]
    assert database_state(engine) == before
    completed_sale(engine, settings, shop, shop.coffee, 1)  # new money: a new file holds only that
    generate(client)
    session.expire_all()
    assert [p.amount_cents for p in payouts(session)] == [27600, 46000, 9200]
    assert count(session, Dispersion) == 2


def test_money_still_in_progress_or_disputed_is_not_dispersed(
    client: TestClient, engine: Engine, session: Session, settings: Settings, shop: Shop
) -> None:
    part = completed_sale(engine, settings, shop, shop.coffee, 3)
    completed_sale(engine, settings, shop, shop.honey, 1, complete=False)  # ready for pickup only
    with transaction(engine) as tx:
        tx.add(Dispute(fulfillment_id=part.id or 0, opened_by=shop.buyer.id or 0, reason="Llegó roto"))

    response = generate(as_admin(client))

    assert response.headers["location"] == LIST
    assert count(session, Payout) == 0 and count(session, Dispersion) == 0


def test_two_administrators_generating_at_once_never_include_the_same_money(
    engine: Engine, session: Session, settings: Settings, shop: Shop
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite has one writer at a time")
    import threading

    two_sales(engine, settings, shop)
    outcomes: list[str] = []
    with Session(engine) as first:
        dispersions.create(first, shop.admin, settings.platform_clabe)  # holds the organizations' rows

        def second() -> None:
            with Session(engine) as other:
                try:
                    dispersions.create(other, shop.admin, settings.platform_clabe)
                    other.commit()
                    outcomes.append("created")
                except Conflict:
                    outcomes.append("nothing to pay")

        thread = threading.Thread(target=second)
        thread.start()
        thread.join(1)
        assert thread.is_alive()  # waiting for the first's locks
        first.commit()
    thread.join(20)
    assert outcomes == ["nothing to pay"]
    assert count(session, Dispersion) == 1 and count(session, Payout) == 2
    assert ledger.imbalance(session) == 0
    assert ledger.balance(session, shop.org.id or 0) == 0


# --- the bank's result --------------------------------------------------------------------------------


def generated(
    client: TestClient, engine: Engine, settings: Settings, session: Session, shop: Shop
) -> tuple[Dispersion, Payout, Payout]:
    two_sales(engine, settings, shop)
    generate(as_admin(client))
    coffee, honey = payouts(session)
    return only_dispersion(session), coffee, honey


def test_a_result_marks_each_payout_sent_or_failed_and_failed_money_is_payable_again(
    client: TestClient, engine: Engine, session: Session, settings: Settings, shop: Shop
) -> None:
    dispersion, coffee, honey = generated(client, engine, settings, session, shop)
    content = result_csv(
        (coffee.reference, CLABE, "276.00", "LIQUIDADA", "BNET01002512060000001", ""),
        (honey.reference, CLABE_2, "$460.00", "RECHAZADA", "", "CUENTA INEXISTENTE"),
    )

    page = upload(client, dispersion.id, content)

    assert page.status_code == 200, page.text
    assert (
        report(page) == "1 enviados · 1 rechazados · 0 ya registrados "
        "Unión de Ejidos Señor de la Peña · $460.00: CUENTA INEXISTENTE"
    )
    sent, failed = payouts(session)
    assert (sent.status, sent.tracking_key, sent.failure_reason) == ("sent", "BNET01002512060000001", None)
    assert (failed.status, failed.tracking_key, failed.failure_reason) == (
        "failed",
        None,
        "CUENTA INEXISTENTE",
    )
    assert fresh(session, Dispersion, dispersion.id).status == "settled"
    assert ledger.balance(session, shop.org.id or 0) == 0
    assert ledger.balance(session, shop.org_2.id or 0) == 46000  # owed again
    assert payments.available_balance(session, shop.org_2.id or 0) == 46000
    assert ledger.imbalance(session) == 0
    returned = session.exec(select(LedgerEntry).where(LedgerEntry.kind == "payout_returned")).all()
    assert sorted((e.account, e.amount_cents) for e in returned) == [
        (ledger.CASH, 46000),
        (ledger.PAYABLE, -46000),
    ]
    [mail] = [m for m in emails_to(session, "miel@example.mx") if m["kind"] == "payout_failed"]
    assert (
        mail["subject"] == "Unión de Ejidos Señor de la Peña: el banco rechazó una transferencia de $460.00"
    )
    assert "CLABE terminada en 7897" in mail["body"] and "CUENTA INEXISTENTE" in mail["body"]
    assert [m for m in emails_to(session, "cafe@example.mx") if m["kind"] == "payout_failed"] == []
    # the money is in the next file
    set_org(engine, shop.org_2.id, clabe=CLABE)  # corrected
    generate(client)
    assert [(p.organization_id, p.amount_cents, p.clabe) for p in payouts(session)[2:]] == [
        (shop.org_2.id, 46000, CLABE)
    ]


def test_uploading_the_same_result_twice_changes_nothing_and_says_so(
    client: TestClient, engine: Engine, session: Session, settings: Settings, shop: Shop
) -> None:
    dispersion, coffee, honey = generated(client, engine, settings, session, shop)
    content = result_csv(
        (coffee.reference, CLABE, "276.00", "Liquidada", "BNET1", ""),
        (honey.reference, CLABE_2, "460.00", "Rechazada", "", "CUENTA CANCELADA"),
    )
    upload(client, dispersion.id, content)
    before = database_state(engine)

    again = upload(client, dispersion.id, content)

    assert again.status_code == 200
    assert report(again).startswith(
        "Este resultado ya se había registrado: no cambió nada. 0 enviados · 0 rechazados · 2 ya registrados"
    )
    assert database_state(engine) == before
    assert [m["kind"] for m in emails_to(session, "miel@example.mx")].count("payout_failed") == 1


def test_a_partial_result_leaves_the_rest_pending_until_a_later_file(
    client: TestClient, engine: Engine, session: Session, settings: Settings, shop: Shop
) -> None:
    dispersion, coffee, honey = generated(client, engine, settings, session, shop)
    page = upload(
        client, dispersion.id, result_csv((coffee.reference, CLABE, "276.00", "LIQUIDADA", "BNET1", ""))
    )
    assert report(page) == "1 enviados · 0 rechazados · 0 ya registrados · 1 siguen en espera"
    assert fresh(session, Dispersion, dispersion.id).status == "awaiting_result"

    later = upload(
        client,
        dispersion.id,
        result_csv(
            (coffee.reference, CLABE, "276.00", "LIQUIDADA", "BNET1", ""),
            (honey.reference, CLABE_2, "460.00", "LIQUIDADA", "BNET2", ""),
        ),
    )
    assert report(later) == "1 enviados · 0 rechazados · 1 ya registrados"
    assert fresh(session, Dispersion, dispersion.id).status == "settled"


@pytest.mark.parametrize(
    ("rows", "problem"),
    [
        (
            [("9999999", CLABE, "276.00", "LIQUIDADA", "", "")],
            "La referencia 9999999 no está en esta dispersión.",
        ),
        (
            [("{coffee}", CLABE, "275.00", "LIQUIDADA", "", "")],
            "no coincide: el archivo dice $275.00, la dispersión $276.00.",
        ),
        (
            [("{coffee}", CLABE_2, "276.00", "LIQUIDADA", "", "")],
            "La CLABE de la referencia {coffee} no coincide",
        ),
        (
            [
                ("{coffee}", CLABE, "276.00", "LIQUIDADA", "", ""),
                ("{honey}", CLABE_2, "460.00", "QUIZA", "", ""),
            ],
            "No se entiende el estatus «QUIZA»",
        ),
        (
            [
                ("{coffee}", CLABE, "276.00", "Liquidada", "", ""),
                ("{honey}", CLABE_2, "460.00", "Rechazada", "", "CUENTA INEXISTENTE"),
            ],
            "La referencia {coffee} dice liquidada pero no trae clave de rastreo",
        ),
    ],
    ids=["unknown-reference", "amount", "clabe", "one-bad-line-of-two", "sent-without-tracking-key"],
)
def test_a_result_that_does_not_match_is_refused_whole_and_nothing_is_written(
    client: TestClient,
    engine: Engine,
    session: Session,
    settings: Settings,
    shop: Shop,
    rows: list[tuple[str, ...]],
    problem: str,
) -> None:
    dispersion, coffee, honey = generated(client, engine, settings, session, shop)
    refs = {"coffee": coffee.reference, "honey": honey.reference}
    filled = [tuple(cell.format(**refs) for cell in row) for row in rows]
    before = database_state(engine)

    page = upload(client, dispersion.id, result_csv(*filled))  # type: ignore[arg-type]

    assert page.status_code == 422
    assert refusal(page).startswith("No se aplicó el archivo de resultados: no se registró ningún pago.")
    assert problem.format(**refs) in refusal(page)
    assert database_state(engine) == before


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "El archivo está vacío."),
        (bytes(range(256)) * 8, "El archivo no es un CSV ni un libro de Excel"),
        (b"%PDF-1.7\n%%EOF\n", "El archivo es una imagen o un PDF"),
        ("Fecha,Concepto,Abono\n2025-01-01,Café,1.00\n".encode("cp1252"), "No encontramos las columnas"),
        (b"a" * (1024 * 1024 + 10), "El archivo pesa más de 1 MB"),
    ],
    ids=["empty", "binary", "pdf", "a-statement-in-windows-1252", "huge"],
)
def test_a_file_that_is_no_result_is_refused_with_a_clear_message(
    client: TestClient,
    engine: Engine,
    session: Session,
    settings: Settings,
    shop: Shop,
    content: bytes,
    problem: str,
) -> None:
    dispersion, _coffee, _honey = generated(client, engine, settings, session, shop)
    before = database_state(engine)
    page = upload(client, dispersion.id, content)
    assert page.status_code == 422
    assert problem in refusal(page)
    assert database_state(engine) == before


def test_the_result_of_another_dispersion_is_refused(
    client: TestClient, engine: Engine, session: Session, settings: Settings, shop: Shop
) -> None:
    dispersion, coffee, _honey = generated(client, engine, settings, session, shop)
    completed_sale(engine, settings, shop, shop.coffee, 1)
    generate(client)
    second = session.exec(select(Dispersion).order_by(Dispersion.id.desc())).first()  # type: ignore[union-attr]
    assert second is not None and second.id != dispersion.id
    before = database_state(engine)

    page = upload(client, second.id, result_csv((coffee.reference, CLABE, "276.00", "LIQUIDADA", "", "")))

    assert page.status_code == 422
    assert f"La referencia {coffee.reference} es de la dispersión {dispersion.id}, no de esta" in refusal(
        page
    )
    assert database_state(engine) == before


@pytest.mark.parametrize(
    ("status", "tracking_key", "message"),
    [
        ("RECHAZADA", "", "ya se registró como «Enviado»"),
        ("LIQUIDADA", "BNET2", "ya se registró con la clave de rastreo BNET1; el archivo dice otra."),
    ],
    ids=["another-status", "another-tracking-key"],
)
def test_a_result_contradicting_what_was_recorded_is_refused(
    client: TestClient,
    engine: Engine,
    session: Session,
    settings: Settings,
    shop: Shop,
    status: str,
    tracking_key: str,
    message: str,
) -> None:
    dispersion, coffee, _honey = generated(client, engine, settings, session, shop)
    upload(client, dispersion.id, result_csv((coffee.reference, CLABE, "276.00", "LIQUIDADA", "BNET1", "")))
    before = database_state(engine)

    reason = "X" if status == "RECHAZADA" else ""
    page = upload(
        client, dispersion.id, result_csv((coffee.reference, CLABE, "276.00", status, tracking_key, reason))
    )

    assert page.status_code == 422
    assert f"La referencia {coffee.reference} {message}" in refusal(page)
    assert database_state(engine) == before
    assert fresh(session, Payout, coffee.id).tracking_key == "BNET1"


def test_a_payout_recorded_sent_without_its_tracking_key_gets_it_from_a_later_result(
    client: TestClient, engine: Engine, session: Session, settings: Settings, shop: Shop
) -> None:
    """Recorded before a sent line needed its key: the next result that brings it fills it in, once."""
    dispersion, coffee, _honey = generated(client, engine, settings, session, shop)
    with transaction(engine) as tx:
        payout = tx.get(Payout, coffee.id)
        assert payout is not None
        payout.status = PayoutStatus.SENT
    content = result_csv((coffee.reference, CLABE, "276.00", "LIQUIDADA", "BNET01002512060000001", ""))

    page = upload(client, dispersion.id, content)

    assert page.status_code == 200, page.text
    assert report(page) == (
        "0 enviados · 0 rechazados · 0 ya registrados · 1 con su clave de rastreo agregada · "
        "1 siguen en espera"
    )
    assert fresh(session, Payout, coffee.id).tracking_key == "BNET01002512060000001"
    assert ledger.imbalance(session) == 0
    before = database_state(engine)
    again = upload(client, dispersion.id, content)
    assert report(again).startswith("Este resultado ya se había registrado: no cambió nada.")
    assert database_state(engine) == before


# --- who may, and the producer's side -----------------------------------------------------------------


def test_only_administrators_reach_dispersions(
    client: TestClient, engine: Engine, session: Session, settings: Settings, shop: Shop
) -> None:
    dispersion, coffee, _honey = generated(client, engine, settings, session, shop)
    client.cookies.clear()
    log_in(client, "cafe@example.mx")
    token = csrf_of(client, "/panel")
    assert client.get(LIST).status_code == 403
    assert client.get(f"{LIST}/{dispersion.id}").status_code == 403
    assert client.get(f"{LIST}/{dispersion.id}/archivo").status_code == 403
    assert client.get(f"{LIST}/999").status_code == 403  # no probing which exist
    assert client.post(LIST, data={"csrf_token": token}).status_code == 403
    before = database_state(engine)
    response = client.post(
        f"{LIST}/{dispersion.id}/resultado",
        data={"csrf_token": token},
        files={
            "archivo": (
                "r.csv",
                result_csv((coffee.reference, CLABE, "276.00", "LIQUIDADA", "", "")),
                "text/csv",
            )
        },
    )
    assert response.status_code == 403
    assert database_state(engine) == before


def test_an_unknown_dispersion_is_not_found(client: TestClient, shop: Shop) -> None:
    as_admin(client)
    assert client.get(f"{LIST}/999").status_code == 404
    assert client.get(f"{LIST}/999/archivo").status_code == 404


def test_the_producer_sees_its_payouts_pending_sent_and_failed(
    client: TestClient, engine: Engine, session: Session, settings: Settings, shop: Shop
) -> None:
    dispersion, coffee, _honey = generated(client, engine, settings, session, shop)
    balance = "/panel/o/{slug}/saldo"
    producer = TestClient(client.app, follow_redirects=False)
    log_in(producer, "cafe@example.mx")
    page = producer.get(balance.format(slug=shop.org.slug))
    assert [text_of(th) for th in soup(page).select("table.payouts thead th")][-2:] == [
        "Referencia",
        "Clave de rastreo",
    ]
    [row] = table_rows(page, "table.payouts")
    assert row[1:] == [
        "$276.00",
        f"SPEI a la CLABE {CLABE}",
        "Enviado al banco, en espera del resultado",
        coffee.reference,
        "—",  # no clave de rastreo until the bank sends it
    ]

    upload(
        client,
        dispersion.id,
        result_csv((coffee.reference, CLABE, "276.00", "RECHAZADA", "", "CUENTA BLOQUEADA")),
    )

    page = producer.get(balance.format(slug=shop.org.slug))
    [row] = table_rows(page, "table.payouts")
    assert (
        row[3]
        == "Rechazado por el banco Motivo: CUENTA BLOQUEADA Revisa tu CLABE: el dinero volvió a tu saldo."
    )
    movements = [r[1] for r in table_rows(page, "main table:not(.payouts)")]
    assert "Transferencia rechazada por el banco: vuelve a tu saldo" in movements
    assert text_of(one(page, "dl.facts")).startswith("Te debemos $276.00")


def test_the_producer_sees_both_our_reference_and_the_banks_tracking_key(
    client: TestClient, engine: Engine, session: Session, settings: Settings, shop: Shop
) -> None:
    dispersion, coffee, honey = generated(client, engine, settings, session, shop)
    upload(
        client,
        dispersion.id,
        result_csv(
            (coffee.reference, CLABE, "276.00", "LIQUIDADA", "BNET01002512060000001", ""),
            (honey.reference, CLABE_2, "460.00", "RECHAZADA", "", "CUENTA CANCELADA"),
        ),
    )
    for email, org, payout, key in (
        ("cafe@example.mx", shop.org, coffee, "BNET01002512060000001"),
        ("miel@example.mx", shop.org_2, honey, "—"),
    ):
        producer = TestClient(client.app, follow_redirects=False)
        log_in(producer, email)
        [row] = table_rows(producer.get(f"/panel/o/{org.slug}/saldo"), "table.payouts")
        assert row[-2:] == [payout.reference, key]


def test_the_admin_payouts_page_links_to_dispersions_and_shows_each_payouts_state(
    client: TestClient, engine: Engine, session: Session, settings: Settings, shop: Shop
) -> None:
    dispersion, coffee, _honey = generated(client, engine, settings, session, shop)
    page = soup(client.get("/admin/pagos-a-productores"))
    assert one(page, f'a[href="{LIST}"]')
    rows = {row[4]: row[5] for row in table_rows(page, "#ultimos-pagos table")}
    assert rows[coffee.reference] == f"Enviado al banco, en espera del resultado · Dispersión {dispersion.id}"


def test_the_admin_payouts_page_says_money_is_in_a_dispersion_waiting_for_the_bank(
    client: TestClient, engine: Engine, session: Session, settings: Settings, shop: Shop
) -> None:
    dispersion, _coffee, _honey = generated(client, engine, settings, session, shop)
    completed_sale(engine, settings, shop, shop.coffee, 1, complete=False)  # $92.00 held: still in progress
    page = soup(client.get("/admin/pagos-a-productores"))
    [row] = [r for r in page.select("#por-pagar tbody tr") if shop.org.name in text_of(r)]
    cell = text_of(row.select("td")[-1])
    assert cell == (
        f"$276.00 en la dispersión {dispersion.id}, en espera del resultado del banco. "
        f"Ver la dispersión {dispersion.id} El resto se libera al completarse cada pedido."
    )
    assert "Nada disponible todavía" not in cell
    assert one(row, f'a[href="{LIST}/{dispersion.id}"]')


def test_an_upload_without_a_file_is_refused_without_a_server_error(
    client: TestClient, engine: Engine, session: Session, settings: Settings, shop: Shop
) -> None:
    dispersion, _coffee, _honey = generated(client, engine, settings, session, shop)
    path = f"{LIST}/{dispersion.id}"
    before = database_state(engine)
    response = client.post(f"{path}/resultado", data={"csrf_token": csrf_of(client, path)})
    assert response.status_code == 422
    # the batch page, the error beside the upload field
    assert text_of(one(response, "h1")) == f"Dispersión {dispersion.id}"
    field = one(response, "#resultado form .field.has-error")
    assert (
        text_of(one(field, "#resultado-error")) == "Elige el archivo de resultados que descargaste del banco."
    )
    assert attr(one(field, "#resultado-archivo"), "aria-invalid") == "true"
    assert "Este campo es obligatorio" not in response.text
    # a browser that sends the form with no file chosen sends an empty part without a name
    empty = client.post(
        f"{path}/resultado",
        data={"csrf_token": csrf_of(client, path)},
        files={"archivo": ("", b"", "application/octet-stream")},
    )
    assert empty.status_code == 422
    assert (
        text_of(one(empty, "#resultado-error")) == "Elige el archivo de resultados que descargaste del banco."
    )
    assert client.get(f"{LIST}/abc").status_code in (404, 422)
    assert database_state(engine) == before


def test_the_same_result_uploaded_twice_at_once_is_applied_once(
    client: TestClient, engine: Engine, session: Session, settings: Settings, shop: Shop
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite has one writer at a time")
    import threading

    dispersion, _coffee, honey = generated(client, engine, settings, session, shop)
    content = result_csv((honey.reference, CLABE_2, "460.00", "RECHAZADA", "", "CUENTA INEXISTENTE"))
    outcomes: list[tuple[int, int]] = []
    with Session(engine) as first:
        report = dispersions.apply_result(first, shop.admin, dispersion.id or 0, content)  # holds the row

        def second() -> None:
            with Session(engine) as other:
                again = dispersions.apply_result(other, shop.admin, dispersion.id or 0, content)
                other.commit()
                outcomes.append((len(again.failed), len(again.already)))

        thread = threading.Thread(target=second)
        thread.start()
        thread.join(1)
        assert thread.is_alive()  # waiting for the first upload's lock
        first.commit()
    thread.join(20)
    assert len(report.failed) == 1 and outcomes == [(0, 1)]
    assert ledger.balance(session, shop.org_2.id or 0) == 46000  # posted back once
    assert ledger.imbalance(session) == 0


def test_the_report_and_its_refusals_speak_english_to_an_administrator_who_chose_it(
    client: TestClient, engine: Engine, session: Session, settings: Settings, shop: Shop
) -> None:
    dispersion, coffee, _honey = generated(client, engine, settings, session, shop)
    client.get("/idioma/en")

    refused = upload(client, dispersion.id, result_csv(("9999999", CLABE, "276.00", "LIQUIDADA", "", "")))
    assert "Reference 9999999 is not in this dispersion." in refusal(refused)
    assert refusal(refused).startswith("The result file was not applied: no payout was recorded.")
    sent = result_csv((coffee.reference, CLABE, "276.00", "LIQUIDADA", "B1", ""))
    expected = "1 sent · 0 rejected · 0 already recorded · 1 still waiting"
    assert report(upload(client, dispersion.id, sent)) == expected
