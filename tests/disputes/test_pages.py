"""The dispute pages: the buyer opens one from the order page (a refused form keeps what was typed) and
follows it there, the producer reads it on its order page, administrators list and resolve them."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from market.admin.models import AuditEntry
from market.config import Settings
from market.db import transaction
from market.disputes import service as disputes
from market.disputes.models import Dispute
from market.orders.models import Fulfillment
from market.payments.models import Refund
from tests.disputes.conftest import Shop, paid_part
from tests.helpers import csrf_of, fresh, log_in
from tests.pages import (
    buttons,
    field_error,
    flash,
    href_of,
    hrefs,
    one,
    soup,
    table_rows,
    text_of,
    texts,
    value_of,
)

REASON = "La bolsa de café llegó rota y faltaba medio kilo."


def as_user(client: TestClient, email: str) -> TestClient:
    other = TestClient(client.app, follow_redirects=False)
    log_in(other, email)
    return other


def test_the_buyer_opens_a_dispute_from_the_order_page_and_follows_it(
    client: TestClient, engine: Engine, session: Session, settings: Settings, shop: Shop
) -> None:
    part = paid_part(engine, settings, shop)
    order_page, dispute_page = (
        f"/pedidos/{part.order_id}",
        f"/pedidos/{part.order_id}/partes/{part.id}/disputa",
    )
    buyer = as_user(client, "eva@example.mx")
    assert (
        href_of(buyer.get(order_page), "¿Hay un problema con esta parte? Abrir una disputa") == dispute_page
    )
    page = buyer.get(dispute_page)
    assert page.status_code == 200
    part_box = text_of(one(page, "section[aria-labelledby^=parte-]"))
    assert "Café tostado" in part_box and "Total de esta parte: $300.00" in part_box

    short = buyer.post(dispute_page, data={"reason": "rota", "csrf_token": csrf_of(buyer, dispute_page)})
    assert short.status_code == 422
    assert "al menos 10 caracteres" in (field_error(short, "reason") or "")
    assert value_of(short, "reason") == "rota"
    assert session.exec(select(Dispute)).all() == []

    opened = buyer.post(dispute_page, data={"reason": REASON, "csrf_token": csrf_of(buyer, dispute_page)})
    assert opened.status_code == 303 and opened.headers["location"] == dispute_page
    page = soup(buyer.get(dispute_page))
    assert flash(page, "success").startswith("Abrimos tu disputa")
    assert texts(page, ".dispute h2") == ["Disputa abierta"] and texts(page, ".dispute-reason") == [REASON]
    assert "Abrir la disputa" not in buttons(page)  # one per part: no second form
    shown = soup(buyer.get(order_page))
    assert texts(shown, "p.dispute .badge") == ["Disputa abierta"]
    assert dispute_page in hrefs(shown, "p.dispute a")
    assert "Abrir una disputa" not in text_of(shown)

    # The producer reads it, with the buyer's reason, on its order page; someone else sees nothing.
    producer_view = one(as_user(client, "cafe@example.mx").get(order_page), "p.dispute")
    assert text_of(producer_view) == f"Disputa abierta — {REASON}"
    assert as_user(client, "luis@example.mx").get(dispute_page).status_code == 404
    assert (
        TestClient(client.app, follow_redirects=False)
        .get(dispute_page)
        .headers["location"]
        .startswith("/entrar")
    )


def test_a_completed_part_offers_no_dispute_and_says_why(
    client: TestClient, engine: Engine, settings: Settings, shop: Shop
) -> None:
    part = paid_part(engine, settings, shop, until="completed")
    buyer = as_user(client, "eva@example.mx")
    assert "Abrir una disputa" not in text_of(buyer.get(f"/pedidos/{part.order_id}"))
    page = soup(buyer.get(f"/pedidos/{part.order_id}/partes/{part.id}/disputa"))
    [why] = texts(page, "main .empty")
    assert "ya se entregó a la organización" in why and "Abrir la disputa" not in buttons(page)


def test_an_administrator_lists_and_resolves_disputes_from_their_pages(
    client: TestClient, engine: Engine, session: Session, settings: Settings, shop: Shop
) -> None:
    first, second = paid_part(engine, settings, shop), paid_part(engine, settings, shop, quantity=2)
    with transaction(engine) as tx:
        older = disputes.open(tx, shop.buyer, first.id or 0, REASON)
        newer = disputes.open(tx, shop.buyer, second.id or 0, "No llegó el segundo paquete.")
    with transaction(engine) as tx:
        disputes.resolve(tx, shop.admin, newer.id or 0, "release", None, "Sí llegó: hay firma de recibido.")
    case_page = f"/admin/disputas/{older.id}"

    assert as_user(client, "eva@example.mx").get("/admin/disputas").status_code == 403
    assert as_user(client, "cafe@example.mx").get(case_page).status_code == 403
    admin = as_user(client, "admin@example.mx")
    listing = table_rows(admin.get("/admin/disputas"))
    assert [row[0] for row in listing] == [f"Disputa {older.id}", f"Disputa {newer.id}"]  # open ones first
    assert listing[1][6] == "Disputa resuelta: pago liberado a la organización"

    page = soup(admin.get(case_page))
    assert texts(page, ".dispute-reason") == [REASON]
    assert "Café tostado" in text_of(one(page, "section[aria-labelledby^=parte-]"))
    assert text_of(one(page, "h1 + p")).startswith("Quién compró: Eva Martínez")
    assert value_of(page, "amount") == "300.00"  # a refund of the whole part, unless changed

    no_note = admin.post(
        case_page + "/resolver",
        data={"outcome": "refund", "amount": "100.00", "note": "", "csrf_token": csrf_of(admin, case_page)},
    )
    assert no_note.status_code == 422
    assert (field_error(no_note, "note") or "").startswith("Explica la resolución")
    assert value_of(no_note, "amount") == "100.00"
    assert fresh(session, Dispute, older.id).status == "open"

    done = admin.post(
        case_page + "/resolver",
        data={
            "outcome": "refund",
            "amount": "100.00",
            "note": "Faltó medio kilo: devolvemos un tercio.",
            "csrf_token": csrf_of(admin, case_page),
        },
    )
    assert done.status_code == 303 and done.headers["location"] == case_page
    page = soup(admin.get(case_page))
    assert flash(page, "success") == "Disputa resuelta: se devuelven $100.00 a quien compró."
    assert texts(page, ".dispute h2") == ["Disputa resuelta con reembolso"]
    assert "Resolver la disputa" not in buttons(page)
    assert session.exec(select(Refund)).one().amount_cents == 10000
    assert fresh(session, Fulfillment, first.id).status == "delivered"  # a partial refund: it goes on
    actions = [e.action for e in session.exec(select(AuditEntry)).all() if e.action.startswith("dispute.")]
    assert sorted(actions) == ["dispute.refund", "dispute.release"]

    again = admin.post(
        case_page + "/resolver",
        data={"outcome": "release", "note": "Otra vez", "csrf_token": csrf_of(admin, case_page)},
    )
    assert again.status_code == 303
    assert flash(admin.get(case_page), "error") == "Esta disputa ya se resolvió."
    assert session.exec(select(Refund)).one().amount_cents == 10000
