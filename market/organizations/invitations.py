"""Invitations to a group that several people run, a producer organization or a buying institution: the one
way anyone joins it besides creating it. One set of rules for both (market/organizations/members.py and
market/linking/buyer_members.py say which tables and words):

- only its owners invite, by e-mail and role; the link goes to that address whether or not it has an
  account, and the answer is the same either way (it never says whether an account exists nor whose);
- only the signed-in person whose e-mail is the invited address accepts it, once, within
  INVITATION_LIFETIME, unless an owner revoked it; a new invitation to the same address (a resend) revokes
  the one that waited, so one link works;
- at most INVITATIONS_PER_HOUR invitations per group in any hour (resends count): past it, a 429 and nothing
  written, so that nobody turns the group into a mailer;
- a person who already belongs is told so (their role is changed on the «Miembros» page)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlmodel import Session, col, func, select

from market.accounts.models import User
from market.admin import audit
from market.db import utcnow
from market.errors import (
    AlreadyMember,
    InvitationExpired,
    InvitationRevoked,
    NotFound,
    TooManyInvitations,
)
from market.mail import kinds
from market.mail.queue import send
from market.organizations.models import INVITATION_LIFETIME
from market.organizations.roster import Roster, check_role
from market.urls import path_for

INVITATIONS_PER_HOUR = 20
HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class Invitations:
    roster: Roster  # the group's people and their rules
    table: Any  # its invitations' table: Invitation | BuyerInvitation (same columns but the group's key)
    link: str  # the route of the page where the invited person accepts (takes `token`)
    not_found: type[NotFound]  # an invitation id that is not one of the group's pending ones
    already: type[AlreadyMember]
    expired: type[InvitationExpired]
    revoked: type[InvitationRevoked]

    def invite(self, session: Session, owner: User, group: Any, email: str, role: str) -> Any:
        check_role(role)
        self.roster.lock(session, group)  # one invitation of the group at a time: the hour's count holds
        self.roster.require(session, owner, group, owner=True)
        email = email.strip().lower()
        already = session.exec(
            select(self.roster.membership.id)
            .join(User, col(User.id) == self.roster.membership.user_id)
            .where(User.email == email, self._of(self.roster.membership, group))
        ).first()
        if already is not None:
            raise self.already()
        now = utcnow()
        self._within_limit(session, group, now)
        for (
            earlier
        ) in session.exec(  # a new invitation (a resend) replaces the one that waits: one link works
            select(self.table).where(
                self._of(self.table, group),
                self.table.email == email,
                col(self.table.accepted_at).is_(None),
                col(self.table.revoked_at).is_(None),
            )
        ).all():
            earlier.revoked_at = now
        invitation = self.table(
            email=email,
            role=role,
            token=secrets.token_urlsafe(24),
            invited_by_id=owner.id,
            created_at=now,
            expires_at=now + INVITATION_LIFETIME,
            **{self.roster.key: group.id},
        )
        session.add(invitation)
        session.flush()  # its id, for the answer
        # To the person if the address has an account (in their language), else to the bare address in the
        # language of whoever invites; the answer is the same either way.
        invited = session.exec(select(User).where(User.email == email)).first()
        send(
            session,
            kinds.INVITATION,
            invited or email,
            link=path_for(self.link, token=invitation.token),
            locale=owner.locale,
            inviter=owner.name,
            organization=group.name,
            role=role,
        )
        return invitation

    def pending(self, session: Session, owner: User, group: Any) -> list[Any]:
        """The invitations nobody accepted nor revoked, newest first (expired ones too, to resend them)."""
        self.roster.require(session, owner, group, owner=True)
        return list(
            session.exec(
                select(self.table)
                .where(
                    self._of(self.table, group),
                    col(self.table.accepted_at).is_(None),
                    col(self.table.revoked_at).is_(None),
                )
                .order_by(col(self.table.created_at).desc(), col(self.table.id).desc())
            ).all()
        )

    def revoke(self, session: Session, owner: User, group: Any, invitation_id: int) -> None:
        """Take back an invitation nobody accepted: its link stops working at once."""
        self.roster.require(session, owner, group, owner=True)
        invitation = session.exec(
            select(self.table)
            .where(
                self.table.id == invitation_id,
                self._of(self.table, group),
                col(self.table.accepted_at).is_(None),
                col(self.table.revoked_at).is_(None),
            )
            .with_for_update()  # not while it is being accepted
            .execution_options(populate_existing=True)
        ).first()
        if invitation is None:
            raise self.not_found()
        invitation.revoked_at = utcnow()
        audit.record(
            session,
            owner,
            f"{self.roster.subject}.invitation_revoke",
            self.roster.subject,
            group.id or 0,
            group.name,
            email=invitation.email,
            role=invitation.role,
        )

    def open(self, session: Session, user: User, token: str, *, lock: bool = False) -> Any:
        """The invitation this person may accept now; refused with why it may not (unknown, used or for
        another address: 404; revoked or expired: 410)."""
        query = select(self.table).where(self.table.token == token)
        if lock:  # two tabs accept it once; an owner's revocation waits
            query = query.with_for_update().execution_options(populate_existing=True)
        invitation = session.exec(query).first()
        if invitation is None or invitation.accepted_at is not None or invitation.email != user.email:
            raise NotFound("Esta invitación no existe, ya se usó o es para otro correo.")
        if invitation.revoked_at is not None:
            raise self.revoked()
        if not invitation.is_pending(utcnow()):
            raise self.expired()
        return invitation

    def group_of(self, session: Session, invitation: Any) -> Any:
        group = session.get(self.roster.group, getattr(invitation, self.roster.key))
        assert group is not None
        return group

    def accept(self, session: Session, user: User, token: str) -> Any:
        """Join through an invitation to this person's address: once, before it expires, unless revoked."""
        invitation = self.open(session, user, token, lock=True)
        group = self.group_of(session, invitation)
        assert user.id is not None
        invitation.accepted_at = utcnow()
        if self.roster.role(session, group, user.id) is None:
            membership = self.roster.membership(
                user_id=user.id, role=invitation.role, **{self.roster.key: group.id}
            )
            session.add(membership)
            audit.record(
                session,
                user,
                f"{self.roster.subject}.member_join",
                self.roster.subject,
                group.id or 0,
                group.name,
                user_id=user.id,
                email=user.email,
                role=invitation.role,
            )
        return group

    def for_person(self, session: Session, user: User) -> list[tuple[Any, Any]]:
        """The invitations waiting for this person's address, with their groups."""
        rows = session.exec(
            select(self.table, self.roster.group)
            .join(self.roster.group, col(self.roster.group.id) == getattr(self.table, self.roster.key))
            .where(
                self.table.email == user.email,
                col(self.table.accepted_at).is_(None),
                col(self.table.revoked_at).is_(None),
                col(self.table.expires_at) > utcnow(),
            )
        ).all()
        return [(invitation, group) for invitation, group in rows]

    # --- helpers ---------------------------------------------------------------------------------

    def _of(self, table: Any, group: Any) -> Any:
        return getattr(table, self.roster.key) == group.id

    def _within_limit(self, session: Session, group: Any, now: Any) -> None:
        since = now - HOUR
        sent, oldest = session.exec(
            select(func.count(), func.min(self.table.created_at)).where(
                self._of(self.table, group), col(self.table.created_at) > since
            )
        ).one()
        if sent >= INVITATIONS_PER_HOUR:
            wait = int((oldest + HOUR - now).total_seconds()) + 1 if oldest is not None else 60
            raise TooManyInvitations(limit=INVITATIONS_PER_HOUR, retry_after=max(wait, 1))
