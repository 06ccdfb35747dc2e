"""The second approval of large awards: an institution may set an amount above which an award waits for
another owner. The award is then recorded as proposed (nothing placed, no producer told); a different owner
approves it, and it goes through exactly as an award below the amount, or rejects it with a reason, and the
demand may be awarded again. The proposer may withdraw their own proposal the same way."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import update
from sqlmodel import Session, col, select

from market.accounts.confirmation import require_confirmed
from market.accounts.models import User
from market.admin import audit
from market.config import Settings
from market.db import utcnow
from market.errors import Conflict, Forbidden, ValidationFailed
from market.i18n import N_
from market.linking import awards, buyer_members, buyers, notifications
from market.linking.models import ApprovalStatus, AwardApproval, Demand
from market.linking.schemas import AwardRequest
from market.orders.models import Order


@dataclass
class AwardOutcome:
    """What an award request did: the orders placed now, or the approval it waits for."""

    orders: list[Order]
    approval: AwardApproval | None = None

    @property
    def pending(self) -> bool:
        return self.approval is not None


def _locked(session: Session, demand: Demand) -> None:
    """Take the demand's row for this transaction, then read it again: whoever awards, approves or rejects
    it at the same moment waits until this transaction ends, then sees what it did. An UPDATE rather than a
    SELECT ... FOR UPDATE, which SQLite ignores: there the write takes the database's lock, and what is read
    after it is current."""
    session.execute(update(Demand).where(col(Demand.id) == demand.id).values(id=demand.id))
    session.refresh(demand)


def request_award(
    session: Session, settings: Settings, user: User, demand: Demand, request: AwardRequest
) -> AwardOutcome:
    """Award quotes: at once when the total (every delivery) is within the institution's approval amount,
    else recorded as pending for another owner, nothing placed and nobody outside the institution told."""
    _locked(session, demand)
    standing = awards.check(session, user, demand, request)
    buyer = buyers.get(session, demand.buyer_organization_id)
    total = awards.total_cents(demand, standing, request)
    if not buyer.needs_second_approval(total):
        return AwardOutcome(awards.execute(session, settings, demand, request, standing))
    approvers = [owner for owner in buyers.owners(session, buyer.id or 0) if owner.id != user.id]
    if not approvers:
        raise Conflict(
            N_(
                "Esta adjudicación supera el monto que pide una segunda aprobación y no hay otra persona que "
                "administre la institución para aprobarla: nombra a otra persona administradora primero."
            )
        )
    approval = AwardApproval(
        demand_id=demand.id or 0,
        proposed_by=user.id or 0,
        allocations=[a.model_dump() for a in request.allocations],
        total_cents=total,
    )
    session.add(approval)
    session.flush()
    notifications.award_approval_requested(session, demand, approvers, user, total)
    return AwardOutcome([], approval)


def _pending(session: Session, demand: Demand) -> AwardApproval:
    approval = awards.pending_approval(session, demand)
    if approval is None:
        raise Conflict(N_("No hay ninguna adjudicación de esta demanda esperando aprobación."))
    return approval


def _decide(
    session: Session, user: User, approval: AwardApproval, status: ApprovalStatus, reason: str | None
) -> None:
    """Claim the decision: of two owners deciding at once, only the first one's counts."""
    moved = session.execute(
        update(AwardApproval)
        .where(col(AwardApproval.id) == approval.id, col(AwardApproval.status) == ApprovalStatus.PENDING)
        .values(status=status, decided_by=user.id, decided_at=utcnow(), reason=reason)
    )
    if moved.rowcount == 0:  # type: ignore[attr-defined]
        raise Conflict(N_("Alguien más decidió sobre esta adjudicación en este momento: recarga la página."))
    session.refresh(approval)


def approve(session: Session, settings: Settings, user: User, demand: Demand) -> list[Order]:
    """Another owner approves the pending award: everything an award checks is checked again now (the
    quotes still standing from producers that still qualify, the deadline passed, the demand awardable),
    then it is made as any award (orders, call-offs, the producers told)."""
    require_confirmed(user)
    _locked(session, demand)
    buyer = buyers.get(session, demand.buyer_organization_id)
    buyers.require_owner(session, user, buyer)
    approval = _pending(session, demand)
    if approval.proposed_by == user.id:
        raise Forbidden(N_("No puedes aprobar una adjudicación que tú propusiste: la aprueba otra persona."))
    request = AwardRequest.model_validate({"allocations": approval.allocations})
    try:
        standing = awards.check(session, user, demand, request, approving=approval)
    except ValidationFailed:
        raise Conflict(
            N_(
                "Las cotizaciones cambiaron desde que se propuso esta adjudicación: "
                "recházala y adjudica de nuevo."
            )
        ) from None
    _decide(session, user, approval, ApprovalStatus.APPROVED, None)
    orders = awards.execute(session, settings, demand, request, standing)
    proposer = session.get(User, approval.proposed_by)
    assert proposer is not None
    notifications.award_approval_decided(session, demand, proposer, user, True, None)
    return orders


def reject(session: Session, user: User, demand: Demand, reason: str) -> AwardApproval:
    """Another owner rejects the pending award, saying why (or its proposer withdraws it); its quotes keep
    standing and the demand may be awarded again."""
    require_confirmed(user)
    _locked(session, demand)
    buyer = buyers.get(session, demand.buyer_organization_id)
    buyers.require_member(session, user, buyer)
    approval = _pending(session, demand)
    if approval.proposed_by != user.id:
        buyers.require_owner(session, user, buyer)
    reason = audit.required_reason(reason, N_("Explica por qué se rechaza, para quien la propuso."))
    _decide(session, user, approval, ApprovalStatus.REJECTED, reason)
    proposer = session.get(User, approval.proposed_by)
    assert proposer is not None
    if proposer.id != user.id:
        notifications.award_approval_decided(session, demand, proposer, user, False, reason)
    return approval


def history(session: Session, user: User, demand: Demand) -> list[AwardApproval]:
    """The award proposals of the demand that needed approval, newest first (the institution's members)."""
    buyers.require_member(session, user, buyers.get(session, demand.buyer_organization_id))
    return list(
        session.exec(
            select(AwardApproval)
            .where(AwardApproval.demand_id == demand.id)
            .order_by(col(AwardApproval.id).desc())
        ).all()
    )


def may_decide(session: Session, user: User, demand: Demand, approval: AwardApproval) -> bool:
    """Whether this person may approve the pending award (an owner who did not propose it)."""
    buyer = buyers.get(session, demand.buyer_organization_id)
    return approval.proposed_by != user.id and buyer_members.is_owner(session, user, buyer)
