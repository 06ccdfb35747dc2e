"""Who belongs to an organization: the people its messages go to."""

from __future__ import annotations

from sqlmodel import Session, col, select

from market.accounts.models import User
from market.organizations.models import Membership


def members_of(session: Session, organization_id: int | None) -> list[User]:
    """Everyone who works for the organization (owners and members), in the order they joined."""
    return _people(session, organization_id, owners_only=False)


def owners_of(session: Session, organization_id: int | None) -> list[User]:
    return _people(session, organization_id, owners_only=True)


def _people(session: Session, organization_id: int | None, *, owners_only: bool) -> list[User]:
    query = (
        select(User)
        .join(Membership, col(Membership.user_id) == User.id)
        .where(Membership.organization_id == organization_id)
        .order_by(col(Membership.id))
    )
    if owners_only:
        query = query.where(Membership.role == "owner")
    return list(session.exec(query).all())
