"""Disputes: only the buyer opens one, on a part the producer accepted and has not completed, once; while
it is open the part's money is held; an administrator refunds all of it (the part ends), some of it (the
rest is paid once the part completes) or none (the money is released), and the audit log says so."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from market.admin.models import AuditEntry
from market.catalog.models import Listing
from market.config import Settings
from market.db import transaction, utcnow
from market.disputes import service as disputes
from market.disputes.models import Dispute
from market.errors import Conflict, Forbidden, NotFound, ValidationFailed
from market.ledger import service as ledger
from market.ledger.models import LedgerEntry
from market.orders import jobs
from market.orders.checkout import checkout
from market.orders.fulfillment import move
from market.orders.models import Fulfillment, FulfillmentEvent, Order
from market.orders.schemas import Checkout
from market.organizations.models import Organization
from market.payments import service as payments
from market.payments.models import Refund
from tests.disputes.conftest import Shop, advance, paid_part
from tests.helpers import emails_to, fresh

REASON = "Llegaron 2 kg en lugar de 3 y una bolsa venía rota."


def open_dispute(engine: Engine, shop: Shop, part: Fulfillment, reason: str = REASON) -> Dispute:
    with transaction(engine) as tx:
        return disputes.open(tx, shop.buyer, part.id or 0, reason)


def resolve(
    engine: Engine,
    shop: Shop,
    dispute: Dispute,
    outcome: str,
    amount: int | None = None,
    note: str = "Revisado",
) -> Dispute:
    with transaction(engine) as tx:
        return disputes.resolve(tx, shop.admin, dispute.id or 0, outcome, amount, note)


def complete_due(engine: Engine, settings: Settings) -> int:
    later = utcnow() + timedelta(days=settings.auto_deliver_days + settings.complete_after_days, minutes=1)
    with transaction(engine) as tx:
        return jobs.complete_due(tx, settings, later)


@pytest.fixture
def earlier_sale(engine: Engine, settings: Settings, shop: Shop) -> int:
    """A kilo sold and completed before: $92.00 the producer may be paid, whatever the dispute does."""
    paid_part(engine, settings, shop, quantity=1, until="completed")
    return 9200


# --- opening ------------------------------------------------------------------------------------------


def test_only_whoever_acts_for_the_buyer_opens_a_dispute(
    engine: Engine, session: Session, settings: Settings, shop: Shop
) -> None:
    part = paid_part(engine, settings, shop)
    for someone in (shop.owner, shop.admin):  # they know the part exists
        with pytest.raises(Forbidden), transaction(engine) as tx:
            disputes.open(tx, someone, part.id or 0, REASON)
    with pytest.raises(NotFound), transaction(engine) as tx:  # to anyone else it does not exist
        disputes.open(tx, shop.stranger, part.id or 0, REASON)
    assert session.exec(select(Dispute)).all() == []

    dispute = open_dispute(engine, shop, part)
    assert (dispute.status, dispute.reason, dispute.opened_by) == ("open", REASON, shop.buyer.id)
    # The producer's owner and the administrators hear of it, with what the buyer wrote.
    pages = {
        "cafe@example.mx": f"/pedidos/{part.order_id}",
        "admin@example.mx": f"/admin/disputas/{dispute.id}",
    }
    for address, page in pages.items():
        [news] = [e for e in emails_to(session, address) if e["kind"] == "dispute_news"]
        assert news["subject"] == f"Pedido {part.order_id}: disputa abierta sobre la parte de {shop.org.name}"
        assert REASON in news["body"] and REASON in news["html"] and news["link"] == page


@pytest.mark.parametrize("step", ["accepted", "preparing", "ready_for_pickup", "delivered"])
def test_a_dispute_opens_on_a_part_the_producer_accepted(
    engine: Engine, settings: Settings, shop: Shop, step: str
) -> None:
    assert open_dispute(engine, shop, paid_part(engine, settings, shop, until=step)).status == "open"


def test_not_on_a_part_not_yet_accepted_nor_on_a_completed_one(
    engine: Engine, session: Session, settings: Settings, shop: Shop
) -> None:
    waiting = paid_part(engine, settings, shop, until="pending_acceptance")
    with pytest.raises(Conflict) as refused:
        open_dispute(engine, shop, waiting)
    assert "puedes cancelarla" in refused.value.detail

    completed = paid_part(engine, settings, shop, until="completed")
    with pytest.raises(Conflict) as refused:
        open_dispute(engine, shop, completed)
    assert "ya se entregó a la organización" in refused.value.detail
    assert session.exec(select(Dispute)).all() == []


def test_the_buyer_says_what_happened(engine: Engine, settings: Settings, shop: Shop) -> None:
    part = paid_part(engine, settings, shop)
    for reason in ("", "   roto   ", "x" * 2001):
        with pytest.raises(ValidationFailed) as refused:
            open_dispute(engine, shop, part, reason)
        assert set(refused.value.errors) == {"reason"}
    assert open_dispute(engine, shop, part, "  " + REASON + "  ").reason == REASON


def test_one_dispute_per_part(engine: Engine, session: Session, settings: Settings, shop: Shop) -> None:
    part = paid_part(engine, settings, shop)
    dispute = open_dispute(engine, shop, part)
    with pytest.raises(Conflict) as refused:
        open_dispute(engine, shop, part, "Otra vez: faltó un kilo de café.")
    assert refused.value.message == disputes.ALREADY_OPENED
    resolve(engine, shop, dispute, "release")
    with pytest.raises(Conflict):  # resolved, it still is the part's one dispute
        open_dispute(engine, shop, part, "Otra vez: faltó un kilo de café.")
    assert len(session.exec(select(Dispute)).all()) == 1


# --- the money held -----------------------------------------------------------------------------------


def test_an_open_dispute_holds_the_money(
    engine: Engine, session: Session, settings: Settings, shop: Shop, earlier_sale: int
) -> None:
    part = paid_part(engine, settings, shop)
    handed_over = paid_part(engine, settings, shop, quantity=1, until="ready_for_pickup")
    open_dispute(engine, shop, part)
    open_dispute(engine, shop, handed_over, "Fui a recogerlo y no estaba listo.")
    org_id = shop.org.id or 0
    assert ledger.balance(session, org_id) == earlier_sale + 27600 + 9200
    assert payments.available_balance(session, org_id) == earlier_sale

    # Days pass: neither is completed nor taken as delivered while the dispute is open.
    assert complete_due(engine, settings) == 0
    assert fresh(session, Fulfillment, part.id).status == "delivered"
    assert fresh(session, Fulfillment, handed_over.id).status == "ready_for_pickup"
    # Nor does the buyer's own confirmation release it.
    with pytest.raises(Conflict) as refused, transaction(engine) as tx:
        move(tx, shop.buyer, part.id or 0, "completed")
    assert "disputa abierta" in refused.value.detail
    # And no manual payout can spend it.
    with pytest.raises(Conflict), transaction(engine) as tx:
        payments.pay_out(tx, shop.admin, org_id, earlier_sale + 1, "SPEI 0002")
    with transaction(engine) as tx:
        payments.pay_out(tx, shop.admin, org_id, earlier_sale, "SPEI 0003")
    assert payments.available_balance(session, org_id) == 0
    assert fresh(session, Fulfillment, part.id).status == "delivered"


# --- resolutions --------------------------------------------------------------------------------------


def refund_postings(session: Session, order_id: int) -> dict[str, int]:
    session.expire_all()
    rows = session.exec(
        select(LedgerEntry).where(LedgerEntry.order_id == order_id, LedgerEntry.kind == "refund")
    ).all()
    return {row.account: row.amount_cents for row in rows}


def audit_entries(session: Session) -> list[AuditEntry]:
    session.expire_all()
    return list(
        session.exec(
            select(AuditEntry)
            .where(col(AuditEntry.action).startswith("dispute."))
            .order_by(col(AuditEntry.id))
        ).all()
    )


def test_a_whole_refund_ends_the_part_and_takes_the_producer_back_to_before_the_sale(
    engine: Engine, session: Session, settings: Settings, shop: Shop, earlier_sale: int
) -> None:
    org_id = shop.org.id or 0
    before_the_sale = ledger.balance(session, org_id)
    part = paid_part(engine, settings, shop)
    dispute = resolve(
        engine, shop, open_dispute(engine, shop, part), "refund", None, "Faltó café: devolvemos todo."
    )

    assert (dispute.status, dispute.refund_cents, dispute.resolved_by) == ("refunded", 30000, shop.admin.id)
    assert ledger.imbalance(session) == 0
    assert ledger.balance(session, org_id) == before_the_sale == earlier_sale
    assert payments.available_balance(session, org_id) == earlier_sale
    assert refund_postings(session, part.order_id) == {
        "producer_payable": 27600,
        "platform_fees": 2400,
        "cash": -30000,
    }
    refund = session.exec(select(Refund).where(Refund.fulfillment_id == part.id)).one()
    assert (refund.amount_cents, refund.provider, refund.status) == (30000, "offline", "pending")

    ended = fresh(session, Fulfillment, part.id)
    assert ended.status == "cancelled"
    last = session.exec(
        select(FulfillmentEvent)
        .where(FulfillmentEvent.fulfillment_id == part.id)
        .order_by(col(FulfillmentEvent.id).desc())
    ).first()
    assert last is not None
    assert (last.from_status, last.to_status, last.actor_id, last.note) == (
        "delivered",
        "cancelled",
        shop.admin.id,
        "Faltó café: devolvemos todo.",
    )
    # The coffee was handed over: its kilos do not go back on sale.
    assert fresh(session, Listing, shop.coffee.id).stock == 100 - 1 - 3

    [entry] = audit_entries(session)
    assert (entry.action, entry.target_type, entry.target_id, entry.actor_id) == (
        "dispute.refund",
        "dispute",
        dispute.id,
        shop.admin.id,
    )
    assert entry.details["amount_cents"] == 30000 and entry.details["whole"] is True
    assert entry.reason == "Faltó café: devolvemos todo."
    told = {
        "eva@example.mx": "Resolvimos tu disputa: te devolvemos $300.00.",
        "cafe@example.mx": "Resolvimos la disputa: se devuelven $300.00 a quien compró",
    }
    for address, outcome in told.items():
        news = [e for e in emails_to(session, address) if e["kind"] == "dispute_news"][-1]  # after "opened"
        assert (
            news["subject"]
            == f"Pedido {part.order_id}: se resolvió la disputa sobre la parte de {shop.org.name}"
        )
        assert outcome in news["body"] and "Faltó café: devolvemos todo." in news["body"]


def test_a_partial_refund_is_split_in_proportion_and_the_rest_is_paid_once_the_part_completes(
    engine: Engine, session: Session, settings: Settings, shop: Shop, earlier_sale: int
) -> None:
    org_id = shop.org.id or 0
    part = paid_part(engine, settings, shop)
    dispute = resolve(engine, shop, open_dispute(engine, shop, part), "refund", 10000, "Faltó un kilo.")

    assert (dispute.status, dispute.refund_cents) == ("refunded", 10000)
    # $100.00 of $300.00: a third of the producer's $276.00 and of the $24.00 fee.
    assert refund_postings(session, part.order_id) == {
        "producer_payable": 9200,
        "platform_fees": 800,
        "cash": -10000,
    }
    assert session.exec(select(Refund)).one().amount_cents == 10000
    assert ledger.imbalance(session) == 0
    assert ledger.balance(session, org_id) == earlier_sale + 18400
    assert payments.available_balance(session, org_id) == earlier_sale  # still delivered: held

    assert fresh(session, Fulfillment, part.id).status == "delivered"
    assert complete_due(engine, settings) == 1  # no longer held: it completes as any other
    assert fresh(session, Fulfillment, part.id).status == "completed"
    assert ledger.share_of(session, part.order_id, org_id) == 18400
    assert payments.available_balance(session, org_id) == earlier_sale + 18400
    assert payments.payable_now(session, fresh(session, Organization, org_id)) == earlier_sale + 18400
    [entry] = audit_entries(session)
    assert (entry.action, entry.details["amount_cents"], entry.details["whole"]) == (
        "dispute.refund",
        10000,
        False,
    )


def test_release_lets_the_money_go_to_the_producer(
    engine: Engine, session: Session, settings: Settings, shop: Shop, earlier_sale: int
) -> None:
    org_id = shop.org.id or 0
    part = paid_part(engine, settings, shop)
    dispute = resolve(engine, shop, open_dispute(engine, shop, part), "release", None, "Llegó completo.")

    assert (dispute.status, dispute.refund_cents, dispute.resolution) == ("released", None, "Llegó completo.")
    assert fresh(session, Fulfillment, part.id).status == "completed"  # the buyer's window was used
    assert payments.available_balance(session, org_id) == earlier_sale + 27600
    assert session.exec(select(Refund)).all() == []
    [entry] = audit_entries(session)
    assert (entry.action, entry.details["amount_cents"], entry.reason) == (
        "dispute.release",
        27600,
        "Llegó completo.",
    )


def test_a_release_before_the_handover_only_lifts_the_hold(
    engine: Engine, session: Session, settings: Settings, shop: Shop
) -> None:
    part = paid_part(engine, settings, shop, until="preparing")
    resolve(engine, shop, open_dispute(engine, shop, part, "No me han dicho cuándo estará listo."), "release")
    assert fresh(session, Fulfillment, part.id).status == "preparing"
    advance(engine, shop, part.id or 0, "delivered")
    assert complete_due(engine, settings) == 1
    assert payments.available_balance(session, shop.org.id or 0) == 27600


def test_only_an_administrator_resolves_an_open_dispute_with_a_note(
    engine: Engine, session: Session, settings: Settings, shop: Shop
) -> None:
    dispute = open_dispute(engine, shop, paid_part(engine, settings, shop))
    for someone in (shop.buyer, shop.owner):
        with pytest.raises(Forbidden), transaction(engine) as tx:
            disputes.resolve(tx, someone, dispute.id or 0, "refund", None, "Yo decido")
    for outcome, amount, note, field in [
        ("refund", None, "  ", "note"),
        ("refund", 0, "Nada", "amount_cents"),
        ("refund", 30001, "De más", "amount_cents"),
        ("forgive", None, "¿?", "outcome"),
    ]:
        with pytest.raises(ValidationFailed) as refused, transaction(engine) as tx:
            disputes.resolve(tx, shop.admin, dispute.id or 0, outcome, amount, note)
        assert set(refused.value.errors) == {field}
    assert fresh(session, Dispute, dispute.id).status == "open"
    assert audit_entries(session) == []

    resolve(engine, shop, dispute, "release")
    with pytest.raises(Conflict) as conflict:
        resolve(engine, shop, dispute, "refund")
    assert conflict.value.message == disputes.ALREADY_RESOLVED
    assert len(audit_entries(session)) == 1 and session.exec(select(Refund)).all() == []


def test_on_invoice_terms_a_refund_comes_off_what_the_institution_owes(
    engine: Engine, session: Session, settings: Settings, shop: Shop, make_user: Any, make_org: Any
) -> None:
    school = make_user("compras@escuela.mx", name="Escuela Benito Juárez")
    make_org(school, name="Cooperativa Escolar Benito Juárez", legal_form="coop_consumo")
    with transaction(engine) as tx:
        order = checkout(
            tx,
            settings,
            school,
            Checkout(items=[{"listing_id": shop.coffee.id, "quantity": 3}], payment_method="invoice"),
        )
        part = tx.exec(select(Fulfillment).where(Fulfillment.order_id == order.id)).one()
    advance(engine, shop, part.id or 0, "ready_for_pickup")
    with transaction(engine) as tx:
        move(tx, school, part.id or 0, "delivered")
        dispute = disputes.open(tx, school, part.id or 0, "Dos bolsas llegaron abiertas y húmedas.")
    resolve(engine, shop, dispute, "refund", 6000, "Se descuentan dos bolsas.")

    assert ledger.receivable_of(session, order.id or 0) == 30000 - 6000
    assert session.exec(select(Refund)).all() == []  # nothing was paid, so nothing goes back
    assert ledger.balance(session, shop.org.id or 0) == 27600 - 5520
    assert ledger.imbalance(session) == 0
    assert fresh(session, Order, order.id).status == "invoiced"
