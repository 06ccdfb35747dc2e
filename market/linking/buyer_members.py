"""An institution's people: its owners add colleagues who already have an account (by e-mail), change their
role or take them out; anyone may leave. The rules are a producer organization's
(market/organizations/roster.py).

A purchasing office adds colleagues directly rather than by invitation: they work in the same office and
already have accounts, and an added person can post demands and award them, that is, commit the
institution's money; so only its owners (the people responsible for its purchases) add anyone, and the
person added is told by e-mail and can leave at once."""

from __future__ import annotations

from sqlmodel import Session, select

from market.accounts.models import User
from market.errors import NotFound, ValidationFailed
from market.i18n import N_
from market.linking.models import BuyerMembership, BuyerOrganization
from market.organizations.roster import Roster, check_role


class MemberNotFound(NotFound):
    code = "member_not_found"
    message = N_("Esa persona no es integrante de la institución.")


ROSTER = Roster(
    group=BuyerOrganization,
    membership=BuyerMembership,
    key="buyer_organization_id",
    subject="buyer_organization",
    outsiders=N_("Solo las personas integrantes de la institución pueden hacer esto."),
    owners_only=N_("Solo quien administra la institución puede hacer esto."),
    not_found=MemberNotFound,
)
roster, change_role, remove, leave = ROSTER.people, ROSTER.change_role, ROSTER.remove, ROSTER.leave


def is_owner(session: Session, user: User, buyer: BuyerOrganization) -> bool:
    return ROSTER.role(session, buyer, user.id) == "owner"


def add_member(
    session: Session, owner: User, buyer: BuyerOrganization, user: User, role: str = "member"
) -> bool:
    """Make `user` a member (or an owner); False when they already belonged (nothing changes)."""
    return ROSTER.add(session, owner, buyer, user, role)


def add_member_by_email(
    session: Session, owner: User, buyer: BuyerOrganization, email: str, role: str = "member"
) -> tuple[User, bool]:
    """Add a colleague who already has an account, found by e-mail (they can then post demands and award);
    returns the colleague and whether they were added now. The owner is checked first, so nobody else can
    probe which e-mails exist."""
    check_role(role)
    ROSTER.require(session, owner, buyer, owner=True)
    colleague = session.exec(select(User).where(User.email == email.strip().lower())).first()
    if colleague is None:
        raise ValidationFailed(
            {"email": N_("No hay una cuenta con ese correo: pide que se registre primero.")}
        )
    return colleague, add_member(session, owner, buyer, colleague, role)
