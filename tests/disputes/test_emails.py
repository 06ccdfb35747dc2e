"""What a dispute's resolution tells the buyer and the producer, as it leaves over SMTP: each in their own
language, with the amount, the administrator's explanation and a link to their page."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session

from market.config import Settings
from market.db import transaction
from market.disputes import service as disputes
from market.mail.delivery import deliver_due
from tests.disputes.conftest import Shop, paid_part
from tests.fixtures.smtp import SmtpServer

NOTE = "Faltó un kilo: devolvemos $100.00."


def test_a_resolution_reaches_the_buyer_in_english_and_the_producer_in_spanish(
    engine: Engine,
    session: Session,
    settings: Settings,
    shop: Shop,
    smtp_server: SmtpServer,
    smtp_settings: Settings,
) -> None:
    shop.buyer.locale = "en"
    session.add(shop.buyer)
    session.commit()
    part = paid_part(engine, settings, shop)
    with transaction(engine) as tx:
        dispute = disputes.open(tx, shop.buyer, part.id or 0, "Llegaron 2 kg en lugar de 3.")
    with transaction(engine) as tx:
        disputes.resolve(tx, shop.admin, dispute.id or 0, "refund", 10000, NOTE)

    deliver_due(engine, smtp_settings)

    site, order = smtp_settings.base_url, part.order_id
    [buyer] = [m for m in smtp_server.to("eva@example.mx") if "dispute" in m.message["Subject"]]
    assert buyer.recipients == ["eva@example.mx"]
    assert buyer.message["Subject"] == f"Order {order}: the dispute about {shop.org.name}'s part was resolved"
    assert buyer.text.startswith("Hi Eva Martínez,") and 'lang="en"' in buyer.html
    for part_of_it in (buyer.text, buyer.html):
        assert "We resolved your dispute: we are refunding you MX$100.00." in part_of_it
        assert NOTE in part_of_it
        assert f"{site}/pedidos/{order}/partes/{part.id}/disputa" in part_of_it

    [opened, resolved] = [m for m in smtp_server.to("cafe@example.mx") if "disputa" in m.message["Subject"]]
    assert "disputa abierta" in opened.message["Subject"]
    assert (
        resolved.message["Subject"]
        == f"Pedido {order}: se resolvió la disputa sobre la parte de {shop.org.name}"
    )
    assert resolved.text.startswith("Hola, Rosa Pérez:") and 'lang="es-MX"' in resolved.html
    for part_of_it in (resolved.text, resolved.html):
        assert "Resolvimos la disputa: se devuelven $100.00 a quien compró" in part_of_it
        assert NOTE in part_of_it and f"{site}/pedidos/{order}" in part_of_it
