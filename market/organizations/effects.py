"""What follows a change to an organization, wherever it is made: search follows it, its owners hear of it."""

from __future__ import annotations

from sqlmodel import Session, col, select

from market.accounts.models import User
from market.db import utcnow
from market.organizations.models import Membership, Organization
from market.outbox import search_changed, send_email


def touched(session: Session, organization: Organization) -> None:
    """Everything shown about the organization's listings may have changed: follow it in search."""
    organization.updated_at = utcnow()
    search_changed(session, organization_id=organization.id)


def notify_owners(
    session: Session, organization: Organization, subject: str, body: str, link: str | None = None
) -> None:
    owners = session.exec(
        select(User.email)
        .join(Membership, col(Membership.user_id) == User.id)
        .where(Membership.organization_id == organization.id, Membership.role == "owner")
    ).all()
    for email in owners:
        send_email(session, email, subject, body, link)
