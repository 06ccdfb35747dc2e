"""While a buyer's dispute is open, the part's money stays with the platform: the part is not completed
(by the buyer or automatically), not counted as available, not paid out and not transferred. Kept apart
from the dispute service so that orders and payments can ask without importing it. The ledger does not ask:
it is told what is held (`market.payments.service.available_balance` passes `under_dispute()`)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, update
from sqlmodel import Session, col, select

from market.disputes.models import Dispute, DisputeStatus
from market.errors import ChangedMeanwhile, Conflict
from market.i18n import N_
from market.orders.models import Fulfillment

UNDER_DISPUTE = N_(
    "Hay una disputa abierta sobre esta parte del pedido: su pago queda retenido hasta que el equipo de "
    "administración la resuelva."
)


def under_dispute() -> ColumnElement[bool]:
    """SQL condition for a query over Fulfillment: the part has an open dispute."""
    return exists().where(
        col(Dispute.fulfillment_id) == Fulfillment.id, col(Dispute.status) == DisputeStatus.OPEN
    )


def is_disputed(session: Session, fulfillment_id: int) -> bool:
    found = session.exec(
        select(Dispute.id).where(
            Dispute.fulfillment_id == fulfillment_id, Dispute.status == DisputeStatus.OPEN
        )
    ).first()
    return found is not None


def hold_part(session: Session, fulfillment: Fulfillment) -> None:
    """Keep the part as this request read it until commit (a no-op compare-and-set, which takes its row
    lock): of a dispute being opened and the part being completed at once, the second sees the first."""
    kept = session.execute(
        update(Fulfillment)
        .where(col(Fulfillment.id) == fulfillment.id, col(Fulfillment.status) == fulfillment.status)
        .values(status=fulfillment.status)
    )
    if kept.rowcount == 0:  # type: ignore[attr-defined]
        raise ChangedMeanwhile()


def refuse_if_disputed(session: Session, fulfillment: Fulfillment) -> None:
    """Before a step that releases the producer's money: refused while a dispute is open."""
    hold_part(session, fulfillment)
    if is_disputed(session, fulfillment.id or 0):
        raise Conflict(UNDER_DISPUTE)
