"""An organization's people: who belongs and since when, its owners' changes of role and removals, leaving,
and the invitations that wait (revoked by an owner, or expired).

Rules: only owners manage; an organization always keeps one owner at least (the last one cannot leave, be
removed or be made a member); a person who is no longer a member loses access with their next request (every
page and endpoint looks the membership up again: nothing about it is kept in the session or the token).
Each change locks the organization's row first, so two owners who demote each other at the same moment
cannot leave it with none: the second waits for the first and then sees its result."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, func, select

from market.accounts.models import User
from market.admin import audit
from market.db import utcnow
from market.errors import Forbidden, LastOwner, NotFound, ValidationFailed
from market.i18n import N_
from market.mail import kinds
from market.mail.queue import send
from market.organizations.models import ROLES, Invitation, Membership, Organization
from market.urls import path_for

OWNERS_ONLY = N_("Solo quien administra la organización puede hacer esto.")
NOT_A_MEMBER = N_("Esa persona no es integrante de la organización.")


class MemberNotFound(NotFound):
    code = "member_not_found"
    message = NOT_A_MEMBER


class InvitationNotFound(NotFound):
    code = "invitation_not_found"
    message = N_("Esa invitación no existe o ya no está pendiente.")


def roster(session: Session, user: User, organization: Organization) -> list[tuple[User, Membership]]:
    """Everyone who belongs (for its members): owners first, then in the order they joined."""
    _require_role(session, user, organization, owner=False)
    rows = session.exec(
        select(User, Membership)
        .join(Membership, col(Membership.user_id) == User.id)
        .where(Membership.organization_id == organization.id)
        .order_by(col(Membership.role).desc(), col(Membership.created_at), col(Membership.id))
    ).all()
    return [(person, membership) for person, membership in rows]


def invitations(session: Session, owner: User, organization: Organization) -> list[Invitation]:
    """The invitations nobody has accepted nor revoked, newest first (expired ones too, to resend them)."""
    _require_role(session, owner, organization, owner=True)
    return list(
        session.exec(
            select(Invitation)
            .where(
                Invitation.organization_id == organization.id,
                col(Invitation.accepted_at).is_(None),
                col(Invitation.revoked_at).is_(None),
            )
            .order_by(col(Invitation.created_at).desc(), col(Invitation.id).desc())
        ).all()
    )


def change_role(
    session: Session, owner: User, organization: Organization, user_id: int, role: str
) -> Membership:
    if role not in ROLES:
        raise ValidationFailed({"role": N_("Elige propietaria o integrante.")})
    _lock(session, organization)
    _require_role(session, owner, organization, owner=True)
    membership = _membership(session, organization, user_id)
    if membership.role == role:
        return membership
    if membership.role == "owner" and _owners(session, organization) <= 1:
        raise LastOwner()
    membership.role = role
    person = _person(session, user_id)
    _record(session, owner, "organization.member_role", organization, person, role)
    if person.id != owner.id:
        _tell(session, person, organization, "role", owner, role)
    return membership


def remove(session: Session, owner: User, organization: Organization, user_id: int) -> User:
    """An owner takes someone out (themselves too, as long as another owner stays); returns who left."""
    _lock(session, organization)
    _require_role(session, owner, organization, owner=True)
    membership = _membership(session, organization, user_id)
    if membership.role == "owner" and _owners(session, organization) <= 1:
        raise LastOwner()
    person = _person(session, user_id)
    session.delete(membership)
    action = "organization.member_leave" if person.id == owner.id else "organization.member_remove"
    _record(session, owner, action, organization, person, membership.role)
    if person.id != owner.id:
        _tell(session, person, organization, "removed", owner, membership.role)
    return person


def leave(session: Session, user: User, organization: Organization) -> None:
    _lock(session, organization)
    _require_role(session, user, organization, owner=False)
    membership = _membership(session, organization, user.id or 0)
    if membership.role == "owner" and _owners(session, organization) <= 1:
        raise LastOwner()
    session.delete(membership)
    _record(session, user, "organization.member_leave", organization, user, membership.role)


def revoke_invitation(session: Session, owner: User, organization: Organization, invitation_id: int) -> None:
    """Take back an invitation nobody accepted: its link stops working at once."""
    _require_role(session, owner, organization, owner=True)
    invitation = session.exec(
        select(Invitation)
        .where(
            Invitation.id == invitation_id,
            Invitation.organization_id == organization.id,
            col(Invitation.accepted_at).is_(None),
            col(Invitation.revoked_at).is_(None),
        )
        .with_for_update()  # not while it is being accepted
        .execution_options(populate_existing=True)
    ).first()
    if invitation is None:
        raise InvitationNotFound()
    invitation.revoked_at = utcnow()
    audit.record(
        session,
        owner,
        "organization.invitation_revoke",
        "organization",
        organization.id or 0,
        organization.name,
        email=invitation.email,
        role=invitation.role,
    )


# --- helpers -------------------------------------------------------------------------------------


def _lock(session: Session, organization: Organization) -> None:
    lock_row(session, Organization, organization.id)


def lock_row(session: Session, model: Any, row_id: int | None) -> None:
    """Hold the row (an organization, an institution) until the transaction ends, so that every change of
    its members waits for the one before it and then reads what it left. PostgreSQL: FOR NO KEY UPDATE
    (orders that name it do not wait). SQLite reads outside a transaction until its first write, so a no-op
    write takes its one writer's lock instead."""
    if session.get_bind().dialect.name == "sqlite":
        session.exec(update(model).where(model.id == row_id).values(id=model.id))
    else:
        session.exec(select(model.id).where(model.id == row_id).with_for_update(key_share=True)).one()


def _role(session: Session, organization: Organization, user_id: int | None) -> str | None:
    """Read from the database now (a column, not a cached row): after the lock it is the latest."""
    return session.exec(
        select(Membership.role).where(
            Membership.organization_id == organization.id, Membership.user_id == user_id
        )
    ).first()


def _require_role(session: Session, user: User, organization: Organization, *, owner: bool) -> None:
    role = _role(session, organization, user.id)
    if role is None:
        raise Forbidden(N_("Solo las personas integrantes de la organización pueden hacer esto."))
    if owner and role != "owner":
        raise Forbidden(OWNERS_ONLY)


def _membership(session: Session, organization: Organization, user_id: int) -> Membership:
    """The person's membership of this organization; anyone else's id is unknown here (404)."""
    membership = session.exec(
        select(Membership)
        .where(Membership.organization_id == organization.id, Membership.user_id == user_id)
        .execution_options(populate_existing=True)
    ).first()
    if membership is None:
        raise MemberNotFound()
    return membership


def _owners(session: Session, organization: Organization) -> int:
    return session.exec(
        select(func.count())
        .select_from(Membership)
        .where(Membership.organization_id == organization.id, Membership.role == "owner")
    ).one()


def _person(session: Session, user_id: int) -> User:
    person = session.get(User, user_id)
    assert person is not None
    return person


def _record(
    session: Session, actor: User, action: str, organization: Organization, person: User, role: str
) -> None:
    audit.record(
        session,
        actor,
        action,
        "organization",
        organization.id or 0,
        organization.name,
        user_id=person.id,
        email=person.email,
        role=role,
    )


def _tell(
    session: Session, person: User, organization: Organization, event: str, by: User, role: str
) -> None:
    send(
        session,
        kinds.MEMBERSHIP_NEWS,
        person,
        link=path_for("organizations.dashboard"),
        organization=organization.name,
        event=event,
        role=role,
        by=by.name,
    )
