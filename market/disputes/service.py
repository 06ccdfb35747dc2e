"""A buyer's dispute on one producer's part of an order. Whoever acts for the buyer opens it while the
producer works on the part (accepted, not yet completed); from then on the part's money is held (see
`holds`) until an administrator refunds all or some of it to the buyer, or releases it to the producer."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from market.accounts.models import User
from market.admin import audit
from market.db import utcnow
from market.disputes import holds, notifications
from market.disputes.models import Dispute, DisputeStatus
from market.errors import ChangedMeanwhile, Conflict, Forbidden, NotFound, ValidationFailed
from market.i18n import N_
from market.invoicing import corrections
from market.ledger import service as ledger
from market.orders.fulfillment import (
    acts_for_buyer,
    get_fulfillment,
    hold_order,
    known_fulfillment,
    transition,
)
from market.orders.models import Fulfillment, FulfillmentEvent, FulfillmentStatus, Order, OrderStatus
from market.organizations.models import Organization
from market.payments import service as payments

# Accepted by the producer and not completed: once completed, the producer's money has been released.
DISPUTABLE = (
    FulfillmentStatus.ACCEPTED,
    FulfillmentStatus.PREPARING,
    FulfillmentStatus.SHIPPED,
    FulfillmentStatus.READY_FOR_PICKUP,
    FulfillmentStatus.DELIVERED,
)
DISPUTABLE_ORDERS = (OrderStatus.PAID, OrderStatus.INVOICED)  # cash on pickup is settled in person
OUTCOMES = ("refund", "release")
REASON_MIN, REASON_MAX = 10, 2000
NOTE_MAX = 500  # it goes on the part's timeline (FulfillmentEvent.note) and in the audit log

ALREADY_OPENED = N_("Ya hay una disputa sobre esta parte del pedido; solo se puede abrir una.")
ALREADY_RESOLVED = N_("Esta disputa ya se resolvió.")
NOT_YET_ACCEPTED = N_(
    "La organización todavía no acepta esta parte del pedido: si ya no la quieres, puedes cancelarla."
)
ENDED = N_("Esta parte del pedido ya terminó sin entregarse.")
COMPLETED = N_(
    "Esta parte del pedido ya se completó y su pago ya se entregó a la organización, así que ya no se "
    "puede abrir una disputa. Puedes escribirle a la organización desde el pedido."
)
PAID_IN_PERSON = N_("Los pedidos que se pagan al recoger no admiten disputas: el pago se hizo en persona.")


def refusal(order_status: str, fulfillment_status: str) -> str | None:
    """Why a dispute cannot be opened on this part now (Spanish source text), or None when it can."""
    if fulfillment_status == FulfillmentStatus.COMPLETED:
        return COMPLETED
    if fulfillment_status in (FulfillmentStatus.REJECTED, FulfillmentStatus.CANCELLED):
        return ENDED
    if fulfillment_status not in DISPUTABLE:
        return NOT_YET_ACCEPTED
    if order_status not in DISPUTABLE_ORDERS:
        return PAID_IN_PERSON
    return None


def of_fulfillment(session: Session, fulfillment_id: int) -> Dispute | None:
    return session.exec(select(Dispute).where(Dispute.fulfillment_id == fulfillment_id)).first()


def _checked_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN:
        raise ValidationFailed({"reason": N_("Cuéntanos qué pasó (al menos 10 caracteres).")})
    if len(reason) > REASON_MAX:
        raise ValidationFailed({"reason": N_("Tu explicación admite hasta 2000 caracteres.")})
    return reason


def open(session: Session, user: User, fulfillment_id: int, reason: str | None) -> Dispute:
    """The buyer reports a problem with a part: its money is held from now until an administrator decides."""
    assert user.id is not None
    fulfillment, order = known_fulfillment(session, user, fulfillment_id)
    if not acts_for_buyer(session, user, order):
        raise Forbidden(N_("Solo quien compró puede abrir una disputa sobre este pedido."))
    refused = refusal(order.status, fulfillment.status)
    if refused:
        raise Conflict(refused)
    reason = _checked_reason(reason)
    # The order and the part as read, until commit: a completion racing with this request waits or fails.
    hold_order(session, order)
    holds.hold_part(session, fulfillment)
    dispute = Dispute(fulfillment_id=fulfillment_id, opened_by=user.id, reason=reason)
    try:
        # The unique part is the one guard, for a second dispute and for two requests at once alike.
        with session.begin_nested():
            session.add(dispute)
    except IntegrityError:
        raise Conflict(ALREADY_OPENED) from None
    organization = session.get(Organization, fulfillment.organization_id)
    assert organization is not None
    notifications.opened(session, dispute, order, organization)
    return dispute


def resolve(
    session: Session, admin: User, dispute_id: int, outcome: str, amount_cents: int | None, note: str | None
) -> Dispute:
    """An administrator decides: `refund` returns the whole part (which ends it as cancelled) or some of it
    (the part goes on to completion with the rest); `release` lets the producer's money go."""
    audit.require_admin(admin)
    dispute = session.get(Dispute, dispute_id)
    if dispute is None:
        raise NotFound()
    if dispute.status != DisputeStatus.OPEN:
        raise Conflict(ALREADY_RESOLVED)
    fulfillment, order = get_fulfillment(session, dispute.fulfillment_id)
    full = fulfillment.subtotal_cents + fulfillment.delivery_cents
    amount = full if amount_cents is None else amount_cents
    note = (note or "").strip()
    errors = {}
    if outcome not in OUTCOMES:
        errors["outcome"] = N_("Elige si se reembolsa a quien compró o se libera el pago a la organización.")
    elif outcome == "refund" and not 0 < amount <= full:
        errors["amount_cents"] = N_(
            "El reembolso debe ser mayor que cero y no mayor que lo que se pagó por esta parte."
        )
    if not note:
        errors["note"] = N_("Explica la resolución: la leerán quien compró y la organización.")
    elif len(note) > NOTE_MAX:
        errors["note"] = N_("La explicación admite hasta 500 caracteres.")
    if errors:
        raise ValidationFailed(errors)

    hold_order(session, order)  # paid or still invoiced decides where the refund comes from
    refunded = amount if outcome == "refund" else None
    closed = DisputeStatus.REFUNDED if refunded else DisputeStatus.RELEASED
    _close(session, dispute, admin, closed, refunded, note)
    organization = session.get(Organization, fulfillment.organization_id)
    assert organization is not None
    details: dict[str, Any] = {"order_id": order.id, "fulfillment_id": fulfillment.id}
    if refunded:
        _refund(session, admin, order, fulfillment, refunded, note)
        details |= {"amount_cents": refunded, "whole": refunded == full}
    else:
        _release(session, admin, order, fulfillment, organization, note)
        details["amount_cents"] = ledger.share_of(session, order.id or 0, organization.id or 0)
    label = f"Pedido {order.id} · {organization.name}"
    audit.record(session, admin, f"dispute.{outcome}", "dispute", dispute.id or 0, label, note, **details)
    notifications.resolved(session, dispute, order, fulfillment, organization)
    return dispute


def _close(
    session: Session,
    dispute: Dispute,
    admin: User,
    status: DisputeStatus,
    refund_cents: int | None,
    note: str,
) -> None:
    """Open -> resolved in one conditional UPDATE: of two administrators deciding at once, one wins."""
    closed = session.execute(
        update(Dispute)
        .where(col(Dispute.id) == dispute.id, col(Dispute.status) == DisputeStatus.OPEN)
        .values(
            status=status,
            refund_cents=refund_cents,
            resolution=note,
            resolved_by=admin.id,
            resolved_at=utcnow(),
        )
    )
    if closed.rowcount == 0:  # type: ignore[attr-defined]
        raise Conflict(ALREADY_RESOLVED)
    session.refresh(dispute)


def _refund(
    session: Session, admin: User, order: Order, fulfillment: Fulfillment, amount: int, note: str
) -> None:
    """The buyer gets `amount` back (an institution on invoice terms simply owes less); the producer's
    share and the fee shrink in proportion. A whole refund ends the part."""
    assert order.status in DISPUTABLE_ORDERS
    if order.status == OrderStatus.PAID:
        ledger.record_refund(session, fulfillment, ledger.CASH, amount)
        payments.request_refund(session, order, fulfillment, amount)
    else:  # invoiced, not paid yet
        ledger.record_refund(session, fulfillment, ledger.RECEIVABLE, amount)
    corrections.part_refunded(session, fulfillment, amount)
    if amount == fulfillment.subtotal_cents + fulfillment.delivery_cents:
        _cancel(session, admin, fulfillment, note)


def _cancel(session: Session, admin: User, fulfillment: Fulfillment, note: str) -> None:
    """A whole refund ends the part as cancelled, whatever step it had reached (the buyers' and producers'
    state machine has no such exit after acceptance). Its refund was just recorded, so `release` is
    not called, and its units are not restocked: set aside, prepared or handed over for this order, the
    producer knows whether they can be sold again (and can put them back on the listing)."""
    current = fulfillment.status  # read first: the UPDATE below refreshes the object too
    moved = session.execute(
        update(Fulfillment)
        .where(col(Fulfillment.id) == fulfillment.id, col(Fulfillment.status) == current)
        .values(status=FulfillmentStatus.CANCELLED, updated_at=utcnow())
    )
    if moved.rowcount == 0:  # type: ignore[attr-defined]
        raise ChangedMeanwhile()
    session.add(
        FulfillmentEvent(
            fulfillment_id=fulfillment.id or 0,
            from_status=current,
            to_status=FulfillmentStatus.CANCELLED,
            actor_id=admin.id,
            note=note,
        )
    )
    fulfillment.status = FulfillmentStatus.CANCELLED
    fulfillment.updated_at = utcnow()


def _release(
    session: Session,
    admin: User,
    order: Order,
    fulfillment: Fulfillment,
    organization: Organization,
    note: str,
) -> None:
    """Nothing is refunded. A delivered part completes now (the buyer's window to complain was used); one
    still on its way goes on as usual. A completed part's money goes to the producer."""
    if fulfillment.status == FulfillmentStatus.DELIVERED:
        transition(session, fulfillment, FulfillmentStatus.COMPLETED, admin, note)
    if fulfillment.status == FulfillmentStatus.COMPLETED:
        payments.request_transfer(session, order, fulfillment, organization)
