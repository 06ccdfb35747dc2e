"""The administrators' directory of people: find a person by e-mail or name, see what they belong to and
where they are signed in, and confirm their e-mail by hand (support, when the link does not reach them).
Signing a person out everywhere is sessions.sign_out_everywhere."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_
from sqlmodel import Session, col, select

from market.accounts import confirmation, sessions, tokens
from market.accounts.models import BrowserSession, User
from market.admin import audit
from market.admin.audit import require_admin
from market.admin.service import like_pattern
from market.db import utcnow
from market.errors import EmailAlreadyConfirmed, NotFound
from market.i18n import N_
from market.linking.models import BuyerMembership, BuyerOrganization
from market.organizations import service as organizations
from market.organizations.models import Organization
from market.pagination import Page, paginate

PER_PAGE = 50


@dataclass(frozen=True)
class Person:
    user: User
    organizations: list[tuple[Organization, str]]  # producer organizations and the person's role
    institutions: list[tuple[BuyerOrganization, str]]
    browser_sessions: list[BrowserSession]  # live, the most recently seen first
    api_tokens: int  # unexpired


def search(session: Session, admin: User, text: str, page: int = 1) -> Page[User]:
    """People whose e-mail or name contains `text` (everyone when it is empty), newest first."""
    require_admin(admin)
    query = select(User).order_by(col(User.created_at).desc(), col(User.id).desc())
    if text := text.strip():
        pattern = like_pattern(text)
        query = query.where(
            or_(col(User.email).ilike(pattern, escape="\\"), col(User.name).ilike(pattern, escape="\\"))
        )
    return paginate(session, query, page, PER_PAGE)


def _get(session: Session, admin: User, user_id: int) -> User:
    require_admin(admin)  # before the lookup: others cannot probe which accounts exist
    user = session.get(User, user_id)
    if user is None:
        raise NotFound()
    return user


def person(session: Session, admin: User, user_id: int) -> Person:
    user = _get(session, admin, user_id)
    institutions = session.exec(
        select(BuyerOrganization, BuyerMembership.role)
        .join(BuyerMembership, col(BuyerMembership.buyer_organization_id) == BuyerOrganization.id)
        .where(BuyerMembership.user_id == user.id)
        .order_by(col(BuyerOrganization.name))
    ).all()
    assert user.id is not None
    return Person(
        user=user,
        organizations=organizations.for_user(session, user),
        institutions=[(institution, role) for institution, role in institutions],
        browser_sessions=sessions.sessions_of(session, user.id),
        api_tokens=sum(1 for token in tokens.of_user(session, user.id) if token.expires_at > utcnow()),
    )


def confirm_email(session: Session, admin: User, user_id: int) -> User:
    """Confirm the person's e-mail for them, in the audit log."""
    user = _get(session, admin, user_id)
    if user.email_confirmed:
        raise EmailAlreadyConfirmed(N_("El correo de esta persona ya está confirmado."))
    confirmation.mark_confirmed(session, user)
    assert user.id is not None
    audit.record(session, admin, "user.confirm_email", "user", user.id, f"{user.name} <{user.email}>")
    return user
