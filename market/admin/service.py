"""What the administrators' home counts, and the suspended content and name search of the moderation page.
The decisions themselves live with their domains (catalog.suspend, organizations.suspend...)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from market.accounts.models import User
from market.admin.audit import require_admin
from market.catalog.models import Listing
from market.disputes.models import Dispute, DisputeStatus
from market.documents.models import DocumentStatus, SupplierDocument
from market.linking.models import BuyerOrganization
from market.mail.models import Email, EmailStatus
from market.orders import queries
from market.organizations.models import ChangeStatus, Organization, OrganizationChange, VerificationStatus
from market.payments import service as payments

FOUND_MAX = 20  # per kind, on the moderation page's search


@dataclass(frozen=True)
class Overview:
    producers_pending: int
    institutions_pending: int
    open_disputes: int
    payments_to_confirm: int
    refunds_to_send: int
    suspended_listings: int
    suspended_organizations: int
    payout_changes: int  # verified organizations' new name, RFC or CLABE to review
    parked_emails: int  # messages the mail server refused, waiting for an administrator
    documents_pending: int  # supplier documents waiting for review


def _count(session: Session, model: Any, *conditions: Any) -> int:
    return int(session.exec(select(func.count()).select_from(model).where(*conditions)).one())


def overview(session: Session, admin: User) -> Overview:
    require_admin(admin)
    return Overview(
        producers_pending=_count(
            session, Organization, Organization.verification_status == VerificationStatus.PENDING
        ),
        institutions_pending=_count(
            session, BuyerOrganization, BuyerOrganization.verification_status == VerificationStatus.PENDING
        ),
        open_disputes=_count(session, Dispute, Dispute.status == DisputeStatus.OPEN),
        payments_to_confirm=len(queries.awaiting_payment(session, admin)),
        refunds_to_send=len(payments.pending_refunds(session, admin)),
        suspended_listings=_count(session, Listing, col(Listing.suspended).is_(True)),
        suspended_organizations=_count(session, Organization, col(Organization.suspended).is_(True)),
        payout_changes=_count(session, OrganizationChange, OrganizationChange.status == ChangeStatus.PENDING),
        parked_emails=_count(session, Email, Email.status == EmailStatus.PARKED),
        documents_pending=_count(
            session, SupplierDocument, SupplierDocument.status == DocumentStatus.PENDING
        ),
    )


def suspended_listings(session: Session, admin: User) -> list[tuple[Listing, Organization]]:
    require_admin(admin)
    rows = session.exec(
        select(Listing, Organization)
        .join(Organization, col(Organization.id) == Listing.organization_id)
        .where(col(Listing.suspended).is_(True))
        .order_by(col(Listing.updated_at).desc())
    ).all()
    return [(listing, organization) for listing, organization in rows]


def suspended_organizations(session: Session, admin: User) -> list[Organization]:
    require_admin(admin)
    return list(
        session.exec(
            select(Organization)
            .where(col(Organization.suspended).is_(True))
            .order_by(col(Organization.updated_at).desc())
        ).all()
    )


def like_pattern(text: str) -> str:
    """`text` anywhere, matched as typed: its % and _ are not wildcards (escaped with a backslash)."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def find(
    session: Session, admin: User, text: str
) -> tuple[list[tuple[Listing, Organization]], list[Organization]]:
    """Listings (by title) and organizations (by name) containing `text`, whatever their status, so that
    an administrator can suspend what someone reported."""
    require_admin(admin)
    text = text.strip()
    if not text:
        return [], []
    pattern = like_pattern(text)
    listings = session.exec(
        select(Listing, Organization)
        .join(Organization, col(Organization.id) == Listing.organization_id)
        .where(col(Listing.title).ilike(pattern, escape="\\"))
        .order_by(col(Listing.title))
        .limit(FOUND_MAX)
    ).all()
    organizations = session.exec(
        select(Organization)
        .where(col(Organization.name).ilike(pattern, escape="\\"))
        .order_by(col(Organization.name))
        .limit(FOUND_MAX)
    ).all()
    return [(listing, organization) for listing, organization in listings], list(organizations)
