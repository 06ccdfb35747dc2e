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
    assert "¿Hay un problema con esta parte? Abrir una disputa" in buyer.get(order_page).text
    page = buyer.get(dispute_page)
    assert page.status_code == 200 and "Café tostado" in page.text and "$300.00" in page.text

    short = buyer.post(dispute_page, data={"reason": "rota", "csrf_token": csrf_of(buyer, dispute_page)})
    assert short.status_code == 422
    assert "al menos 10 caracteres" in short.text and ">rota</textarea>" in short.text
    assert session.exec(select(Dispute)).all() == []

    opened = buyer.post(dispute_page, data={"reason": REASON, "csrf_token": csrf_of(buyer, dispute_page)})
    assert opened.status_code == 303 and opened.headers["location"] == dispute_page
    page = buyer.get(dispute_page).text
    assert "Abrimos tu disputa" in page and "Disputa abierta" in page and REASON in page
    assert "Abrir la disputa" not in page  # one per part: no second form
    shown = buyer.get(order_page).text
    assert "Disputa abierta" in shown and "Abrir una disputa" not in shown

    # The producer reads it, with the buyer's reason, on its order page; someone else sees nothing.
    producer_view = as_user(client, "cafe@example.mx").get(order_page).text
    assert "Disputa abierta" in producer_view and REASON in producer_view
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
    assert "Abrir una disputa" not in buyer.get(f"/pedidos/{part.order_id}").text
    page = buyer.get(f"/pedidos/{part.order_id}/partes/{part.id}/disputa").text
    assert "ya se entregó a la organización" in page and "Abrir la disputa" not in page


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
    listing = admin.get("/admin/disputas").text
    assert listing.index(f"Disputa {older.id}") < listing.index(f"Disputa {newer.id}")  # open ones first
    assert "Disputa resuelta: pago liberado" in listing

    page = admin.get(case_page).text
    assert REASON in page and "Café tostado" in page and "Eva Martínez" in page
    assert 'value="300.00"' in page  # a refund of the whole part, unless changed

    no_note = admin.post(
        case_page + "/resolver",
        data={"outcome": "refund", "amount": "100.00", "note": "", "csrf_token": csrf_of(admin, case_page)},
    )
    assert no_note.status_code == 422
    assert "Explica la resolución" in no_note.text and 'value="100.00"' in no_note.text
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
    page = admin.get(case_page).text
    assert "se devuelven $100.00 a quien compró" in page and "Disputa resuelta con reembolso" in page
    assert "Resolver la disputa" not in page
    assert session.exec(select(Refund)).one().amount_cents == 10000
    assert fresh(session, Fulfillment, first.id).status == "delivered"  # a partial refund: it goes on
    actions = [e.action for e in session.exec(select(AuditEntry)).all() if e.action.startswith("dispute.")]
    assert sorted(actions) == ["dispute.refund", "dispute.release"]

    again = admin.post(
        case_page + "/resolver",
        data={"outcome": "release", "note": "Otra vez", "csrf_token": csrf_of(admin, case_page)},
    )
    assert again.status_code == 303
    assert "Esta disputa ya se resolvió." in admin.get(case_page).text
    assert session.exec(select(Refund)).one().amount_cents == 10000
