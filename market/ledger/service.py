"""Postings for payments, refunds and payouts. Balances are sums, never stored numbers that can drift."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, func, or_
from sqlmodel import Session, col, select

from market.errors import Conflict
from market.i18n import N_
from market.ledger.models import LedgerEntry
from market.mexico import normalize_clabe
from market.orders.models import Fulfillment, FulfillmentStatus, Order, OrderStatus

CASH, FEES, PAYABLE = "cash", "platform_fees", "producer_payable"
RECEIVABLE = "receivable"  # what institutions buying on invoice terms owe
REFUNDS_DUE = "refunds_due"  # money received that belongs to no delivered part: it goes back
DISPUTED, DISPUTE_LOSSES = "disputed", "dispute_losses"  # card funds held or lost by a chargeback
PAYOUT = "payout"  # the kind of a payout's postings: not part of any sale's share
PAYOUT_RETURNED = "payout_returned"  # a payout the bank rejected: its money is owed again (no order)
KIND_LABELS = {
    "payment": "Venta pagada",
    "invoice": "Venta a crédito (factura)",
    "cash_sale": "Venta cobrada en efectivo: comisión",
    "refund": "Reembolso",
    "payout": "Transferencia a tu cuenta",
    "payout_returned": "Transferencia rechazada por el banco: vuelve a tu saldo",
}


@dataclass(frozen=True)
class Posting:
    account: str
    amount_cents: int
    organization_id: int | None = None


class Unbalanced(Exception):
    """A programming error: postings that do not sum to zero are never written."""


def post(
    session: Session,
    kind: str,
    postings: list[Posting],
    order_id: int | None = None,
    reference: str | None = None,
) -> str:
    if sum(p.amount_cents for p in postings) != 0:
        raise Unbalanced(postings)
    # Imported here: the impact rollup reads the ledger's accounts (and this module) itself.
    from market.impact import rollup

    transaction_id = str(uuid.uuid4())
    with rollup.tracking(session, kind, order_id):  # the impact figures follow, in this transaction
        for p in postings:
            if p.amount_cents:
                session.add(
                    LedgerEntry(
                        transaction_id=transaction_id,
                        kind=kind,
                        account=p.account,
                        organization_id=p.organization_id,
                        order_id=order_id,
                        amount_cents=p.amount_cents,
                        reference=reference,
                    )
                )
    return transaction_id


def _shares(fulfillment: Fulfillment) -> tuple[int, int]:
    """(what the producer is owed, what the platform keeps) for one fulfillment."""
    gross = fulfillment.subtotal_cents + fulfillment.delivery_cents
    return gross - fulfillment.platform_fee_cents, fulfillment.platform_fee_cents


def _sale(debit: str, amount: int, fulfillments: list[Fulfillment]) -> list[Posting]:
    postings = [Posting(debit, amount)]
    for f in fulfillments:
        owed, fee = _shares(f)
        postings += [Posting(PAYABLE, -owed, f.organization_id), Posting(FEES, -fee, f.organization_id)]
    return postings


def record_payment(
    session: Session,
    order: Order,
    fulfillments: list[Fulfillment],
    reference: str,
    received_cents: int | None = None,
) -> int:
    """The buyer paid for these fulfillments. A provider may have charged more (a part was cancelled after
    the charge was set up, or the reservation had expired): the excess is owed back to the buyer, and
    returned here so that the caller refunds it."""
    due = sum(sum(_shares(f)) for f in fulfillments)
    received = due if received_cents is None else received_cents
    if received < due:
        raise Unbalanced(f"order {order.id}: received {received} < due {due}")
    postings = _sale(CASH, received, fulfillments)
    if received > due:
        postings.append(Posting(REFUNDS_DUE, due - received))
    post(session, "payment", postings, order.id, reference)
    return received - due


def record_excess_refunded(session: Session, order_id: int, amount_cents: int) -> None:
    post(session, "refund", [Posting(REFUNDS_DUE, amount_cents), Posting(CASH, -amount_cents)], order_id)


def record_invoice(session: Session, order: Order, fulfillments: list[Fulfillment]) -> None:
    """Invoice terms: the producers are owed their share now; the institution owes the total."""
    post(session, "invoice", _sale(RECEIVABLE, order.total_cents, fulfillments), order.id)


def receivable_of(session: Session, order_id: int) -> int:
    """What an institution still owes for an invoiced order (rejected parts no longer count)."""
    total = session.exec(
        select(func.coalesce(func.sum(LedgerEntry.amount_cents), 0)).where(
            LedgerEntry.account == RECEIVABLE, LedgerEntry.order_id == order_id
        )
    ).one()
    return int(total)


def record_invoice_paid(session: Session, order: Order, reference: str) -> None:
    due = receivable_of(session, order.id or 0)
    post(session, "payment", [Posting(CASH, due), Posting(RECEIVABLE, -due)], order.id, reference)


def record_cash_sale(session: Session, fulfillment: Fulfillment) -> None:
    """Cash on pickup: the producer holds the buyer's money, so it owes the platform its fee."""
    _owed, fee = _shares(fulfillment)
    post(
        session,
        "cash_sale",
        [
            Posting(PAYABLE, fee, fulfillment.organization_id),
            Posting(FEES, -fee, fulfillment.organization_id),
        ],
        fulfillment.order_id,
    )


def record_refund(
    session: Session, fulfillment: Fulfillment, source: str = CASH, amount_cents: int | None = None
) -> None:
    """A fulfillment that will not be delivered: its whole amount goes back to the buyer (or, on invoice
    terms, comes off what the institution owes). A partial refund (a dispute settled for part of the
    amount) comes off the producer's share and the fee in proportion; the platform takes the rounding."""
    owed, fee = _shares(fulfillment)
    gross = owed + fee
    amount = gross if amount_cents is None else amount_cents
    if not 0 < amount <= gross:
        raise Unbalanced(f"fulfillment {fulfillment.id}: refund {amount} of {gross}")
    owed_back = owed * amount // gross
    post(
        session,
        "refund",
        [
            Posting(PAYABLE, owed_back, fulfillment.organization_id),
            Posting(FEES, amount - owed_back, fulfillment.organization_id),
            Posting(source, -amount),
        ],
        fulfillment.order_id,
    )


def record_dispute(session: Session, order_id: int, amount_cents: int, outcome: str) -> None:
    """A card chargeback: Stripe takes the money while it lasts (`opened`), returns it (`won`), or keeps
    it (`lost`: the platform bears the loss; the producers keep what they were owed)."""
    postings = {
        "opened": [Posting(DISPUTED, amount_cents), Posting(CASH, -amount_cents)],
        "won": [Posting(CASH, amount_cents), Posting(DISPUTED, -amount_cents)],
        "lost": [Posting(DISPUTE_LOSSES, amount_cents), Posting(DISPUTED, -amount_cents)],
    }[outcome]
    post(session, "dispute", postings, order_id)


def balance(session: Session, organization_id: int) -> int:
    """What the platform owes this organization now."""
    total = session.exec(
        select(func.coalesce(func.sum(LedgerEntry.amount_cents), 0)).where(
            LedgerEntry.account == PAYABLE, LedgerEntry.organization_id == organization_id
        )
    ).one()
    return -int(total)


# Money of fulfillments still in progress is held: it is paid out only once the buyer has it, so a later
# rejection or cancellation can always be refunded from what the platform holds.
ENDED_UNDELIVERED = (FulfillmentStatus.REJECTED, FulfillmentStatus.CANCELLED)
IN_PROGRESS = (
    FulfillmentStatus.PENDING_ACCEPTANCE,
    FulfillmentStatus.ACCEPTED,
    FulfillmentStatus.PREPARING,
    FulfillmentStatus.SHIPPED,
    FulfillmentStatus.READY_FOR_PICKUP,
    FulfillmentStatus.DELIVERED,
)


def share_of(session: Session, order_id: int, organization_id: int) -> int:
    """What the platform owes one producer for its part of one order (an order has one part per
    organization), payouts aside: its share of the sale less what was refunded (a part refunded in part
    keeps the rest), or minus the fee of a cash sale."""
    total = session.exec(
        select(func.coalesce(func.sum(LedgerEntry.amount_cents), 0)).where(
            LedgerEntry.account == PAYABLE,
            LedgerEntry.order_id == order_id,
            LedgerEntry.organization_id == organization_id,
            LedgerEntry.kind != PAYOUT,
        )
    ).one()
    return -int(total)


def available_balance(session: Session, organization_id: int, held: ColumnElement[bool]) -> int:
    """The part of the balance that may be paid out now: the share of completed fulfillments. What is held
    is read from the ledger, part by part, so that a part refunded in part holds only what is left. `held`
    is a condition over Fulfillment for the parts whose money waits whatever their step (an open dispute):
    the caller says which, as the ledger knows nothing of disputes (`market.payments.service` asks)."""
    held_postings = session.exec(
        select(func.coalesce(func.sum(LedgerEntry.amount_cents), 0))
        .select_from(LedgerEntry)
        .join(
            Fulfillment,
            and_(
                col(Fulfillment.order_id) == LedgerEntry.order_id,
                col(Fulfillment.organization_id) == LedgerEntry.organization_id,
            ),
        )
        .join(Order, col(Order.id) == Fulfillment.order_id)
        .where(
            LedgerEntry.account == PAYABLE,
            LedgerEntry.organization_id == organization_id,
            LedgerEntry.kind != PAYOUT,
            or_(
                and_(col(Order.status) == OrderStatus.PAID, col(Fulfillment.status).in_(IN_PROGRESS)),
                # On invoice terms nothing is paid out before the institution pays.
                and_(
                    col(Order.status) == OrderStatus.INVOICED,
                    col(Fulfillment.status).not_in(ENDED_UNDELIVERED),
                ),
                held,  # whatever its step, until an administrator decides
            ),
        )
    ).one()
    return balance(session, organization_id) + int(held_postings)  # credits: negative


def record_manual_payout(
    session: Session,
    organization_id: int,
    amount_cents: int,
    clabe: str,
    reference: str,
    held: ColumnElement[bool],
) -> str:
    """An administrator sent a SPEI transfer to the organization's CLABE (at most the available balance,
    `held` as for `available_balance`)."""
    normalize_clabe(clabe)
    if amount_cents <= 0 or amount_cents > available_balance(session, organization_id, held):
        raise Conflict(N_("El pago no puede ser mayor que el saldo disponible de la organización."))
    return record_payout(session, organization_id, amount_cents, reference)


def record_payout(
    session: Session, organization_id: int, amount_cents: int, reference: str, order_id: int | None = None
) -> str:
    """Money sent to an organization (a manual SPEI, or a Stripe transfer of one order's share): the
    platform owes it that much less."""
    return post(
        session,
        PAYOUT,
        [Posting(PAYABLE, amount_cents, organization_id), Posting(CASH, -amount_cents)],
        order_id,
        reference,
    )


def record_payout_returned(session: Session, organization_id: int, amount_cents: int, reference: str) -> str:
    """The bank rejected a payout posted by `record_payout`: the platform owes the organization that much
    again, and the cash is back."""
    return post(
        session,
        PAYOUT_RETURNED,
        [Posting(PAYABLE, -amount_cents, organization_id), Posting(CASH, amount_cents)],
        None,
        reference,
    )


def imbalance(session: Session) -> int:
    """The sum of every posting: zero unless something is wrong."""
    return int(session.exec(select(func.coalesce(func.sum(col(LedgerEntry.amount_cents)), 0))).one())


def entries_of(session: Session, organization_id: int, limit: int = 100) -> list[LedgerEntry]:
    return list(
        session.exec(
            select(LedgerEntry)
            .where(LedgerEntry.account == PAYABLE, LedgerEntry.organization_id == organization_id)
            .order_by(col(LedgerEntry.id).desc())
            .limit(limit)
        ).all()
    )
