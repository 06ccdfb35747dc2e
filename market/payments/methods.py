"""Which ways to pay exist, and which one a buyer may use: Stripe's when it is configured, the offline
ones always, and invoice terms only for members of a verified organization."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, col, select

from market.accounts.models import User
from market.config import Settings
from market.organizations.models import Membership, Organization, VerificationStatus

STRIPE_METHODS = ("card", "oxxo", "spei")
OFFLINE_METHODS = ("spei_transfer", "cash_on_pickup", "invoice")
METHOD_LABELS = {
    "card": "Tarjeta de crédito o débito",
    "oxxo": "Efectivo en OXXO",
    "spei": "Transferencia SPEI (CLABE única para tu pedido)",
    "spei_transfer": "Transferencia SPEI a la cuenta de Tianguis Solidario",
    "cash_on_pickup": "Efectivo al recoger",
    "invoice": "Factura a 30 días (organizaciones verificadas)",
}
# How long an unpaid order holds its stock: a card is paid at once; an OXXO voucher lives 3 days;
# a transfer takes a banking day or two. Cash on pickup holds it while each producer decides whether to
# accept (nobody pays until the pickup); invoice terms hold it, since a verified institution is bound.
RESERVATION = {
    "card": timedelta(minutes=30),
    "oxxo": timedelta(days=3, hours=1),
    "spei": timedelta(hours=72),
    "spei_transfer": timedelta(hours=72),
    "cash_on_pickup": timedelta(hours=48),
}
OXXO_VOUCHER_DAYS = 3
INVOICE_TERMS = timedelta(days=30)


def may_use_invoice(session: Session, buyer: User) -> bool:
    """Invoice terms are for institutions the platform has verified (a cooperative buying counts)."""
    from market.linking.models import BuyerMembership, BuyerOrganization

    institution = session.exec(
        select(BuyerMembership.id)
        .join(BuyerOrganization, col(BuyerOrganization.id) == BuyerMembership.buyer_organization_id)
        .where(
            BuyerMembership.user_id == buyer.id,
            BuyerOrganization.verification_status == VerificationStatus.VERIFIED,
        )
    ).first()
    return institution is not None or (
        session.exec(
            select(Membership.id)
            .join(Organization, col(Organization.id) == Membership.organization_id)
            .where(
                Membership.user_id == buyer.id,
                Organization.verification_status == VerificationStatus.VERIFIED,
                col(Organization.suspended).is_(False),
            )
        ).first()
        is not None
    )


def _open_to_all(settings: Settings) -> list[str]:
    online = STRIPE_METHODS if settings.payments_backend == "stripe" else ["spei_transfer"]
    return [*online, "cash_on_pickup"]


def available(session: Session, settings: Settings, buyer: User | None) -> list[str]:
    invoice = ["invoice"] if buyer is not None and may_use_invoice(session, buyer) else []
    return _open_to_all(settings) + invoice


def allows(session: Session, settings: Settings, buyer: User, method: str) -> bool:
    """Whether this buyer may pay this way: what `available` offers, with invoice terms looked up only
    when they are asked for (checkout's check)."""
    return method in _open_to_all(settings) or (method == "invoice" and may_use_invoice(session, buyer))
