"""An institution's people: its owners add colleagues who already have an account (by e-mail), change their
role or take them out; anyone may leave. The same rules as a producer organization's
(market/organizations/members.py): only owners manage, the last owner cannot leave, be removed or become a
member, and whoever is out loses access with their next request.

A purchasing office adds colleagues directly rather than by invitation: they work in the same office and
already have accounts, and an added person can post demands and award them, that is, commit the
institution's money; so only its owners (the people responsible for its purchases) add anyone, and the
person added is told by e-mail and can leave at once."""

from __future__ import annotations

from sqlmodel import Session, col, func, select

from market.accounts.models import User
from market.admin import audit
from market.errors import Forbidden, LastOwner, NotFound, ValidationFailed
from market.i18n import N_
from market.linking.models import BuyerMembership, BuyerOrganization
from market.mail import kinds
from market.mail.queue import send
from market.organizations.members import lock_row
from market.organizations.models import ROLES
from market.urls import path_for

OWNERS_ONLY = N_("Solo quien administra la institución puede hacer esto.")


class MemberNotFound(NotFound):
    code = "member_not_found"
    message = N_("Esa persona no es integrante de la institución.")


def roster(session: Session, user: User, buyer: BuyerOrganization) -> list[tuple[User, BuyerMembership]]:
    """Everyone who belongs (for its members): owners first, then in the order they joined."""
    _require_role(session, user, buyer, owner=False)
    rows = session.exec(
        select(User, BuyerMembership)
        .join(BuyerMembership, col(BuyerMembership.user_id) == User.id)
        .where(BuyerMembership.buyer_organization_id == buyer.id)
        .order_by(col(BuyerMembership.role).desc(), col(BuyerMembership.created_at), col(BuyerMembership.id))
    ).all()
    return [(person, membership) for person, membership in rows]


def is_owner(session: Session, user: User, buyer: BuyerOrganization) -> bool:
    return _role(session, buyer, user.id) == "owner"


def add_member(
    session: Session, owner: User, buyer: BuyerOrganization, user: User, role: str = "member"
) -> bool:
    """Make `user` a member (or an owner); False when they already belonged (nothing changes)."""
    _check_role(role)
    _lock(session, buyer)
    _require_role(session, owner, buyer, owner=True)
    if _role(session, buyer, user.id) is not None:
        return False
    session.add(BuyerMembership(user_id=user.id or 0, buyer_organization_id=buyer.id or 0, role=role))
    _record(session, owner, "buyer_organization.member_add", buyer, user, role)
    if user.id != owner.id:
        _tell(session, user, buyer, "added", owner, role)
    return True


def add_member_by_email(
    session: Session, owner: User, buyer: BuyerOrganization, email: str, role: str = "member"
) -> tuple[User, bool]:
    """Add a colleague who already has an account, found by e-mail (they can then post demands and award);
    returns the colleague and whether they were added now. The owner is checked first, so nobody else can
    probe which e-mails exist."""
    _check_role(role)
    _require_role(session, owner, buyer, owner=True)
    colleague = session.exec(select(User).where(User.email == email.strip().lower())).first()
    if colleague is None:
        raise ValidationFailed(
            {"email": N_("No hay una cuenta con ese correo: pide que se registre primero.")}
        )
    return colleague, add_member(session, owner, buyer, colleague, role)


def change_role(
    session: Session, owner: User, buyer: BuyerOrganization, user_id: int, role: str
) -> BuyerMembership:
    _check_role(role)
    _lock(session, buyer)
    _require_role(session, owner, buyer, owner=True)
    membership = _membership(session, buyer, user_id)
    if membership.role == role:
        return membership
    if membership.role == "owner" and _owners(session, buyer) <= 1:
        raise LastOwner()
    membership.role = role
    person = _person(session, user_id)
    _record(session, owner, "buyer_organization.member_role", buyer, person, role)
    if person.id != owner.id:
        _tell(session, person, buyer, "role", owner, role)
    return membership


def remove(session: Session, owner: User, buyer: BuyerOrganization, user_id: int) -> User:
    _lock(session, buyer)
    _require_role(session, owner, buyer, owner=True)
    membership = _membership(session, buyer, user_id)
    if membership.role == "owner" and _owners(session, buyer) <= 1:
        raise LastOwner()
    person = _person(session, user_id)
    session.delete(membership)
    action = (
        "buyer_organization.member_leave" if person.id == owner.id else "buyer_organization.member_remove"
    )
    _record(session, owner, action, buyer, person, membership.role)
    if person.id != owner.id:
        _tell(session, person, buyer, "removed", owner, membership.role)
    return person


def leave(session: Session, user: User, buyer: BuyerOrganization) -> None:
    _lock(session, buyer)
    _require_role(session, user, buyer, owner=False)
    membership = _membership(session, buyer, user.id or 0)
    if membership.role == "owner" and _owners(session, buyer) <= 1:
        raise LastOwner()
    session.delete(membership)
    _record(session, user, "buyer_organization.member_leave", buyer, user, membership.role)


# --- helpers -------------------------------------------------------------------------------------


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise ValidationFailed({"role": N_("Elige propietaria o integrante.")})


def _lock(session: Session, buyer: BuyerOrganization) -> None:
    lock_row(session, BuyerOrganization, buyer.id)


def _role(session: Session, buyer: BuyerOrganization, user_id: int | None) -> str | None:
    return session.exec(
        select(BuyerMembership.role).where(
            BuyerMembership.buyer_organization_id == buyer.id, BuyerMembership.user_id == user_id
        )
    ).first()


def _require_role(session: Session, user: User, buyer: BuyerOrganization, *, owner: bool) -> None:
    role = _role(session, buyer, user.id)
    if role is None:
        raise Forbidden(N_("Solo las personas integrantes de la institución pueden hacer esto."))
    if owner and role != "owner":
        raise Forbidden(OWNERS_ONLY)


def _membership(session: Session, buyer: BuyerOrganization, user_id: int) -> BuyerMembership:
    membership = session.exec(
        select(BuyerMembership)
        .where(BuyerMembership.buyer_organization_id == buyer.id, BuyerMembership.user_id == user_id)
        .execution_options(populate_existing=True)
    ).first()
    if membership is None:
        raise MemberNotFound()
    return membership


def _owners(session: Session, buyer: BuyerOrganization) -> int:
    return session.exec(
        select(func.count())
        .select_from(BuyerMembership)
        .where(BuyerMembership.buyer_organization_id == buyer.id, BuyerMembership.role == "owner")
    ).one()


def _person(session: Session, user_id: int) -> User:
    person = session.get(User, user_id)
    assert person is not None
    return person


def _record(
    session: Session, actor: User, action: str, buyer: BuyerOrganization, person: User, role: str
) -> None:
    audit.record(
        session,
        actor,
        action,
        "buyer_organization",
        buyer.id or 0,
        buyer.name,
        user_id=person.id,
        email=person.email,
        role=role,
    )


def _tell(session: Session, person: User, buyer: BuyerOrganization, event: str, by: User, role: str) -> None:
    send(
        session,
        kinds.MEMBERSHIP_NEWS,
        person,
        link=path_for("organizations.dashboard"),
        organization=buyer.name,
        event=event,
        role=role,
        by=by.name,
    )
