"""An organization's people: who belongs and since when, its owners' changes of role and removals, leaving
(the rules in market/organizations/roster.py), and the invitations that wait (revoked by an owner, or
expired)."""

from __future__ import annotations

from sqlmodel import Session, col, select

from market.accounts.models import User
from market.admin import audit
from market.db import utcnow
from market.errors import NotFound
from market.i18n import N_
from market.organizations.models import Invitation, Membership, Organization
from market.organizations.roster import Roster


class MemberNotFound(NotFound):
    code = "member_not_found"
    message = N_("Esa persona no es integrante de la organización.")


class InvitationNotFound(NotFound):
    code = "invitation_not_found"
    message = N_("Esa invitación no existe o ya no está pendiente.")


ROSTER = Roster(
    group=Organization,
    membership=Membership,
    key="organization_id",
    subject="organization",
    outsiders=N_("Solo las personas integrantes de la organización pueden hacer esto."),
    owners_only=N_("Solo quien administra la organización puede hacer esto."),
    not_found=MemberNotFound,
)
roster, change_role, remove, leave = ROSTER.people, ROSTER.change_role, ROSTER.remove, ROSTER.leave


def invitations(session: Session, owner: User, organization: Organization) -> list[Invitation]:
    """The invitations nobody has accepted nor revoked, newest first (expired ones too, to resend them)."""
    ROSTER.require(session, owner, organization, owner=True)
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


def revoke_invitation(session: Session, owner: User, organization: Organization, invitation_id: int) -> None:
    """Take back an invitation nobody accepted: its link stops working at once."""
    ROSTER.require(session, owner, organization, owner=True)
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
