"""An institution's people: its owners invite colleagues by e-mail (an invitation the colleague accepts, as
in a producer organization: market/organizations/invitations.py), change their role or take them out;
anyone may leave. The rules are a producer organization's (market/organizations/roster.py).

Nobody is added without accepting: a member can post demands and award them, that is, commit the
institution's money, and an institution must never name as its owner someone who did not agree to it.
Whoever creates an institution is its first owner (market/linking/buyers.py)."""

from __future__ import annotations

from sqlmodel import Session

from market.accounts.models import User
from market.errors import AlreadyBuyerMember, BuyerInvitationExpired, BuyerInvitationRevoked, NotFound
from market.i18n import N_
from market.linking.models import BuyerInvitation, BuyerMembership, BuyerOrganization
from market.organizations.invitations import Invitations
from market.organizations.roster import Roster


class MemberNotFound(NotFound):
    code = "member_not_found"
    message = N_("Esa persona no es integrante de la institución.")


class InvitationNotFound(NotFound):
    code = "invitation_not_found"
    message = N_("Esa invitación no existe o ya no está pendiente.")


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

INVITATIONS = Invitations(
    roster=ROSTER,
    table=BuyerInvitation,
    link="linking.invitation",
    not_found=InvitationNotFound,
    already=AlreadyBuyerMember,
    expired=BuyerInvitationExpired,
    revoked=BuyerInvitationRevoked,
)
invitations, revoke_invitation = INVITATIONS.pending, INVITATIONS.revoke


def is_owner(session: Session, user: User, buyer: BuyerOrganization) -> bool:
    return ROSTER.role(session, buyer, user.id) == "owner"


def invite(session: Session, owner: User, buyer: BuyerOrganization, email: str, role: str) -> BuyerInvitation:
    """Its owners invite a colleague by e-mail; the answer never says whether the address has an account."""
    invitation: BuyerInvitation = INVITATIONS.invite(session, owner, buyer, email, role)
    return invitation


def open_invitation(session: Session, user: User, token: str) -> BuyerInvitation:
    invitation: BuyerInvitation = INVITATIONS.open(session, user, token)
    return invitation


def accept_invitation(session: Session, user: User, token: str) -> BuyerOrganization:
    buyer: BuyerOrganization = INVITATIONS.accept(session, user, token)
    return buyer


def pending_for(session: Session, user: User) -> list[tuple[BuyerInvitation, BuyerOrganization]]:
    return INVITATIONS.for_person(session, user)
