"""An organization's people: who belongs and since when, its owners' changes of role and removals, leaving
(the rules in market/organizations/roster.py), and the invitations that wait (revoked by an owner, or
expired)."""

from __future__ import annotations

from market.errors import AlreadyMember, InvitationExpired, InvitationRevoked, NotFound
from market.i18n import N_
from market.organizations.invitations import Invitations
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


INVITATIONS = Invitations(
    roster=ROSTER,
    table=Invitation,
    link="organizations.invitation",
    not_found=InvitationNotFound,
    already=AlreadyMember,
    expired=InvitationExpired,
    revoked=InvitationRevoked,
)
invitations, revoke_invitation = INVITATIONS.pending, INVITATIONS.revoke
