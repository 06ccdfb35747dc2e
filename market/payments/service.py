"""Starting a provider payment, refunds, transfers to connected accounts and manual payouts. Calls to the
provider that follow a change (a refund, a transfer) leave through the outbox, after commit."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from market.accounts.models import User
from market.admin import audit
from market.db import utcnow
from market.disputes import holds
from market.errors import Conflict, NotFound, ValidationFailed
from market.i18n import N_
from market.ledger import service as ledger
from market.ledger.models import LedgerEntry
from market.mexico import normalize_clabe
from market.orders.models import Fulfillment, FulfillmentStatus, Order, OrderStatus, payment_reference
from market.organizations.models import Organization
from market.outbox import enqueue
from market.payments.gateway import Gateway
from market.payments.methods import STRIPE_METHODS
from market.payments.models import Payment, PaymentStatus, Payout, Refund, RefundStatus, TransferRequest

REFUND_TOPIC, TRANSFER_TOPIC, CANCEL_TOPIC = "stripe_refund", "stripe_transfer", "stripe_cancel"
TRACKING_KEY_MISSING = N_("Escribe la clave de rastreo de la transferencia (al menos 4 caracteres).")


def amount_due(session: Session, order: Order) -> int:
    """What the buyer must still pay: on invoice terms, what the institution owes; otherwise the parts not
    cancelled before paying."""
    if order.status == OrderStatus.INVOICED:
        return ledger.receivable_of(session, order.id or 0)
    parts = session.exec(
        select(Fulfillment).where(
            Fulfillment.order_id == order.id, Fulfillment.status == FulfillmentStatus.AWAITING_PAYMENT
        )
    ).all()
    return sum(f.subtotal_cents + f.delivery_cents for f in parts)


def payment_of(session: Session, order_id: int) -> Payment | None:
    return session.exec(select(Payment).where(Payment.order_id == order_id)).first()


def start(session: Session, gateway: Gateway | None, order: Order, buyer: User) -> Payment:
    """The provider's side of a card, OXXO or SPEI payment, created once per order (the idempotency key
    makes a retried request return the same PaymentIntent)."""
    assert order.id is not None
    if order.payment_method not in STRIPE_METHODS:
        raise NotFound()
    payment = payment_of(session, order.id)
    if payment is not None:
        return payment
    if order.status != OrderStatus.AWAITING_PAYMENT:
        raise Conflict(N_("Este pedido ya no espera pago."))
    if gateway is None:
        raise Conflict(N_("Los pagos con tarjeta, OXXO y SPEI no están activos en este momento."))
    amount = amount_due(session, order)
    intent = gateway.create_intent(
        order_id=order.id,
        amount_cents=amount,
        method=order.payment_method,
        email=buyer.email,
        name=buyer.name,
        idempotency_key=f"order-{order.id}-intent",
    )
    payment = Payment(
        order_id=order.id,
        provider="stripe",
        method=order.payment_method,
        status=PaymentStatus.PENDING,
        amount_cents=amount,
        intent_id=intent.id,
        client_secret=intent.client_secret,
    )
    session.add(payment)
    session.flush()
    return payment


def request_refund(
    session: Session, order: Order, fulfillment: Fulfillment | None, amount_cents: int
) -> Refund:
    """Money goes back to the buyer: through Stripe when it came that way, otherwise an administrator
    sends a SPEI transfer (the refund waits on the payouts page until then)."""
    assert order.id is not None
    payment = payment_of(session, order.id)
    by_stripe = payment is not None and payment.charge_id is not None
    refund = Refund(
        order_id=order.id,
        fulfillment_id=fulfillment.id if fulfillment else None,
        amount_cents=amount_cents,
        provider="stripe" if by_stripe else "offline",
    )
    session.add(refund)
    session.flush()
    if by_stripe:
        enqueue(session, REFUND_TOPIC, {"refund_id": refund.id})
    return refund


def _share(session: Session, fulfillment: Fulfillment) -> int:
    """The producer's share of a part as the ledger has it: less whatever a dispute refunded."""
    return ledger.share_of(session, fulfillment.order_id, fulfillment.organization_id)


def pending_transfers(session: Session, organization: Organization) -> int:
    """What Stripe is about to transfer to a connected account: completed parts paid by charge sent for a
    transfer (`TransferRequest`, made only while its payouts were enabled) whose transfer has not been made
    yet. Not for a manual payout, or it would be paid twice."""
    parts = session.exec(
        select(Fulfillment)
        .join(TransferRequest, col(TransferRequest.fulfillment_id) == Fulfillment.id)
        .join(Payment, col(Payment.order_id) == Fulfillment.order_id)
        .where(
            Fulfillment.organization_id == organization.id,
            Fulfillment.status == FulfillmentStatus.COMPLETED,
            col(Payment.charge_id).is_not(None),
            col(Fulfillment.id).not_in(
                select(Payout.fulfillment_id).where(col(Payout.fulfillment_id).is_not(None))
            ),
            ~holds.under_dispute(),
        )
    ).all()
    return sum(_share(session, f) for f in parts)


def available_balance(session: Session, organization_id: int) -> int:
    """What the platform owes the organization for completed parts, less those an open dispute holds: the
    ledger's available balance, with the holds asked here (the ledger knows nothing of disputes)."""
    return ledger.available_balance(session, organization_id, holds.under_dispute())


def payable_now(session: Session, organization: Organization) -> int:
    """What an administrator may send by SPEI now."""
    return available_balance(session, organization.id or 0) - pending_transfers(session, organization)


def _hold(session: Session, organization_id: int) -> Organization | None:
    """The organization's row, locked until commit: two payouts at once are serialized (PostgreSQL), so
    neither can spend what the other already did."""
    return session.exec(
        select(Organization).where(Organization.id == organization_id).with_for_update()
    ).first()


def withdraw(session: Session, order: Order) -> None:
    """An order ended unpaid: its PaymentIntent, if any, is cancelled so that no charge can follow."""
    payment = payment_of(session, order.id or 0)
    if payment is not None and payment.intent_id and payment.status != PaymentStatus.SUCCEEDED:
        enqueue(session, CANCEL_TOPIC, {"intent_id": payment.intent_id})


def request_transfer(
    session: Session, order: Order, fulfillment: Fulfillment, organization: Organization
) -> None:
    """A completed fulfillment paid through Stripe is transferred to the producer's connected account if its
    payouts are enabled (not while a dispute holds its money: resolving it requests the transfer). Otherwise
    its share stays for a SPEI payout, for good: enabling payouts later sends only parts completed after."""
    payment = payment_of(session, order.id or 0)
    disputed = holds.is_disputed(session, fulfillment.id or 0)
    if organization.receives_transfers and payment is not None and payment.charge_id and not disputed:
        if session.exec(
            select(TransferRequest).where(TransferRequest.fulfillment_id == fulfillment.id)
        ).first():
            return
        session.add(TransferRequest(fulfillment_id=fulfillment.id or 0, organization_id=organization.id or 0))
        enqueue(session, TRANSFER_TOPIC, {"fulfillment_id": fulfillment.id})


def send_refund(session: Session, gateway: Gateway, payload: dict[str, Any]) -> None:
    """Outbox handler: ask Stripe for the refund (the idempotency key makes a retry harmless)."""
    refund = session.get(Refund, payload["refund_id"])
    assert refund is not None
    payment = payment_of(session, refund.order_id)
    assert payment is not None and payment.intent_id is not None
    if refund.provider_ref is not None:
        return
    result = gateway.refund(
        intent_id=payment.intent_id,
        amount_cents=refund.amount_cents,
        fulfillment_id=refund.fulfillment_id or 0,
        idempotency_key=f"refund-{refund.id}",
    )
    refund.provider_ref = result["id"]
    refund.status = RefundStatus.SUCCEEDED if result.get("status") == "succeeded" else RefundStatus.PENDING


def send_transfer(session: Session, gateway: Gateway, payload: dict[str, Any]) -> None:
    """Outbox handler: a Transfer of the producer's share from the order's charge, recorded as a payout."""
    fulfillment = session.get(Fulfillment, payload["fulfillment_id"])
    assert fulfillment is not None
    if session.exec(select(Payout).where(Payout.fulfillment_id == fulfillment.id)).first():
        return
    organization = _hold(session, fulfillment.organization_id)
    request = session.exec(
        select(TransferRequest).where(TransferRequest.fulfillment_id == fulfillment.id)
    ).first()
    if request is None:  # never sent for a transfer (or taken back): paid by SPEI
        return
    assert organization is not None
    if not organization.receives_transfers:  # its payouts were disabled meanwhile: back to SPEI
        session.delete(request)
        return
    payment = payment_of(session, fulfillment.order_id)
    assert organization.stripe_account_id and payment and payment.charge_id
    share = _share(session, fulfillment)
    if share <= 0:  # refunded whole: nothing to transfer
        return
    if share > available_balance(session, organization.id or 0):  # retried later; parked if it stays
        raise Conflict(N_("El pago no puede ser mayor que el saldo disponible de la organización."))
    transfer = gateway.transfer(
        account_id=organization.stripe_account_id,
        amount_cents=share,
        charge_id=payment.charge_id,
        order_id=fulfillment.order_id,
        idempotency_key=f"transfer-fulfillment-{fulfillment.id}",
    )
    session.add(
        Payout(
            organization_id=organization.id or 0,
            amount_cents=share,
            method="stripe_transfer",
            reference=transfer["id"],
            fulfillment_id=fulfillment.id,
        )
    )
    ledger.record_payout(session, organization.id or 0, share, transfer["id"], fulfillment.order_id)


def handlers(gateway: Gateway | None) -> dict[str, Any]:
    if gateway is None:
        return {}
    return {
        REFUND_TOPIC: lambda session, payload: send_refund(session, gateway, payload),
        TRANSFER_TOPIC: lambda session, payload: send_transfer(session, gateway, payload),
        CANCEL_TOPIC: lambda _session, payload: gateway.cancel_intent(payload["intent_id"]),
    }


# --- administrators --------------------------------------------------------------------------------


def pay_out(session: Session, admin: User, organization_id: int, amount_cents: int, reference: str) -> Payout:
    """An administrator sent a SPEI transfer to the organization's CLABE: at most what is available."""
    audit.require_admin(admin)
    organization = _hold(session, organization_id)
    if organization is None:
        raise NotFound()
    reference = reference.strip()
    errors = {}
    if not organization.clabe:
        errors["clabe"] = N_("La organización no tiene CLABE registrada.")
    if len(reference) < 4:
        errors["reference"] = TRACKING_KEY_MISSING
    if amount_cents <= 0:
        errors["amount"] = N_("Escribe un monto mayor que cero.")
    if errors:
        raise ValidationFailed(errors)
    if amount_cents > payable_now(session, organization):
        raise Conflict(N_("El pago no puede ser mayor que el saldo disponible de la organización."))
    assert organization.clabe is not None
    ledger.record_manual_payout(
        session,
        organization_id,
        amount_cents,
        normalize_clabe(organization.clabe),
        reference,
        holds.under_dispute(),
    )
    payout = Payout(
        organization_id=organization_id,
        amount_cents=amount_cents,
        method="spei",
        reference=reference,
        clabe=organization.clabe,
        created_by=admin.id,
    )
    session.add(payout)
    session.flush()
    audit.record(
        session,
        admin,
        "payout.send",
        "organization",
        organization_id,
        organization.name,
        amount_cents=amount_cents,
        reference=reference,
        payout_id=payout.id,
    )
    return payout


def payable_organizations(session: Session, admin: User) -> list[tuple[Organization, int, int]]:
    """Organizations the platform owes money, with (balance, available now), largest available first."""
    audit.require_admin(admin)
    rows = []
    for organization_id in owed_organization_ids(session):
        organization = session.get(Organization, organization_id)
        if organization is None:
            continue
        balance = ledger.balance(session, organization_id or 0)
        if balance:
            rows.append((organization, balance, payable_now(session, organization)))
    return sorted(rows, key=lambda row: -row[2])


def owed_organization_ids(session: Session) -> list[int]:
    """Every organization the ledger has ever owed money (one query; its balance may be 0 by now)."""
    ids = session.exec(
        select(LedgerEntry.organization_id).where(LedgerEntry.account == ledger.PAYABLE).distinct()
    ).all()
    return sorted(organization_id for organization_id in ids if organization_id is not None)


def recent_payouts(session: Session, admin: User, limit: int = 50) -> list[tuple[Payout, Organization]]:
    audit.require_admin(admin)
    rows = session.exec(
        select(Payout, Organization)
        .join(Organization, col(Organization.id) == Payout.organization_id)
        .order_by(col(Payout.id).desc())
        .limit(limit)
    ).all()
    return [(payout, organization) for payout, organization in rows]


def pending_refunds(session: Session, admin: User) -> list[Refund]:
    """Offline refunds an administrator still has to send back by SPEI."""
    audit.require_admin(admin)
    return list(
        session.exec(
            select(Refund)
            .where(Refund.provider == "offline", Refund.status == RefundStatus.PENDING)
            .order_by(col(Refund.id))
        ).all()
    )


def mark_refund_sent(session: Session, admin: User, refund_id: int, reference: str) -> Refund:
    audit.require_admin(admin)
    refund = session.get(Refund, refund_id)
    if refund is None or refund.provider != "offline":
        raise NotFound()
    if refund.status != RefundStatus.PENDING:
        raise Conflict(N_("Ese reembolso ya se registró."))
    reference = reference.strip()
    if len(reference) < 4:
        raise ValidationFailed({"reference": TRACKING_KEY_MISSING})
    refund.status, refund.provider_ref = RefundStatus.SUCCEEDED, reference
    audit.record(
        session,
        admin,
        "refund.mark_sent",
        "order",
        refund.order_id,
        payment_reference(refund.order_id),  # as the payouts page shows it
        amount_cents=refund.amount_cents,
        reference=reference,
        refund_id=refund.id,
    )
    return refund


def touch(payment: Payment) -> None:
    payment.updated_at = utcnow()
