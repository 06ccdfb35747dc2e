"""The people of a group that several people run: a producer organization or a buying institution. One set
of rules for both (market/organizations/members.py and market/linking/buyer_members.py say what each adds):

- only owners manage; a group always keeps one owner at least (the last one cannot leave, be removed or be
  made a member);
- a person who is no longer a member loses access with their next request: every page and endpoint looks
  the membership up again, nothing about it is kept in the session or the token;
- each change locks the group's row first, so two owners who demote each other at the same moment cannot
  leave it with none: the second waits for the first and then reads its result."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, func, select

from market.accounts.models import User
from market.admin import audit
from market.errors import Forbidden, LastOwner, NotFound, ValidationFailed
from market.i18n import N_
from market.mail import kinds
from market.mail.queue import send
from market.organizations.models import ROLES
from market.urls import path_for


@dataclass(frozen=True)
class Roster:
    group: Any  # the group's table: Organization | BuyerOrganization
    membership: Any  # its memberships' table: Membership | BuyerMembership
    key: str  # the membership's column naming the group
    subject: str  # the group as the audit log names it; its actions are "<subject>.member_<what>"
    outsiders: str  # what a person who does not belong is told
    owners_only: str  # what a member who is not an owner is told
    not_found: type[NotFound]  # a person who does not belong, named by an owner

    def people(self, session: Session, user: User, group: Any) -> list[tuple[User, Any]]:
        """Everyone who belongs (for its members): owners first, then in the order they joined."""
        self.require(session, user, group, owner=False)
        rows = session.exec(
            select(User, self.membership)
            .join(self.membership, col(self.membership.user_id) == User.id)
            .where(self._of(group))
            .order_by(
                col(self.membership.role).desc(), col(self.membership.created_at), col(self.membership.id)
            )
        ).all()
        return [(person, membership) for person, membership in rows]

    def role(self, session: Session, group: Any, user_id: int | None) -> str | None:
        """Read from the database now (a column, not a cached row): after the lock it is the latest."""
        return session.exec(
            select(self.membership.role).where(self._of(group), self.membership.user_id == user_id)
        ).first()

    def require(self, session: Session, user: User, group: Any, *, owner: bool) -> None:
        role = self.role(session, group, user.id)
        if role is None:
            raise Forbidden(self.outsiders)
        if owner and role != "owner":
            raise Forbidden(self.owners_only)

    def change_role(self, session: Session, owner: User, group: Any, user_id: int, role: str) -> Any:
        check_role(role)
        self.lock(session, group)
        self.require(session, owner, group, owner=True)
        membership = self._membership(session, group, user_id)
        if membership.role == role:
            return membership
        self._keep_an_owner(session, group, membership)
        membership.role = role
        person = _person(session, user_id)
        self._record(session, owner, "member_role", group, person, role)
        if person.id != owner.id:
            self._tell(session, person, group, "role", owner, role)
        return membership

    def remove(self, session: Session, owner: User, group: Any, user_id: int) -> User:
        """An owner takes someone out (themselves too, as long as another owner stays); returns who left."""
        self.lock(session, group)
        self.require(session, owner, group, owner=True)
        membership = self._membership(session, group, user_id)
        self._keep_an_owner(session, group, membership)
        person = _person(session, user_id)
        session.delete(membership)
        self._record(
            session,
            owner,
            "member_leave" if person.id == owner.id else "member_remove",
            group,
            person,
            membership.role,
        )
        if person.id != owner.id:
            self._tell(session, person, group, "removed", owner, membership.role)
        return person

    def leave(self, session: Session, user: User, group: Any) -> None:
        self.lock(session, group)
        self.require(session, user, group, owner=False)
        membership = self._membership(session, group, user.id or 0)
        self._keep_an_owner(session, group, membership)
        session.delete(membership)
        self._record(session, user, "member_leave", group, user, membership.role)

    def lock(self, session: Session, group: Any) -> None:
        """Hold the group's row until the transaction ends, so that every change of its members waits for the
        one before it and then reads what it left. PostgreSQL: FOR NO KEY UPDATE (orders that name it do not
        wait). SQLite reads outside a transaction until its first write, so a no-op write takes its one
        writer's lock instead."""
        table = self.group
        if session.get_bind().dialect.name == "sqlite":
            session.exec(update(table).where(table.id == group.id).values(id=table.id))
        else:
            session.exec(select(table.id).where(table.id == group.id).with_for_update(key_share=True)).one()

    # --- helpers ---------------------------------------------------------------------------------

    def _of(self, group: Any) -> Any:
        return getattr(self.membership, self.key) == group.id

    def _membership(self, session: Session, group: Any, user_id: int) -> Any:
        """The person's membership of this group; anyone else's id is unknown here (404)."""
        membership = session.exec(
            select(self.membership)
            .where(self._of(group), self.membership.user_id == user_id)
            .execution_options(populate_existing=True)
        ).first()
        if membership is None:
            raise self.not_found()
        return membership

    def _keep_an_owner(self, session: Session, group: Any, leaving: Any) -> None:
        """`leaving` stops being an owner: refused when it is the last one."""
        if leaving.role != "owner":
            return
        owners = session.exec(
            select(func.count())
            .select_from(self.membership)
            .where(self._of(group), self.membership.role == "owner")
        ).one()
        if owners <= 1:
            raise LastOwner()

    def _record(self, session: Session, actor: User, what: str, group: Any, person: User, role: str) -> None:
        audit.record(
            session,
            actor,
            f"{self.subject}.{what}",
            self.subject,
            group.id or 0,
            group.name,
            user_id=person.id,
            email=person.email,
            role=role,
        )

    def _tell(self, session: Session, person: User, group: Any, event: str, by: User, role: str) -> None:
        send(
            session,
            kinds.MEMBERSHIP_NEWS,
            person,
            link=path_for("organizations.dashboard"),
            organization=group.name,
            event=event,
            role=role,
            by=by.name,
        )


def check_role(role: str) -> None:
    if role not in ROLES:
        raise ValidationFailed({"role": N_("Elige propietaria o integrante.")})


def _person(session: Session, user_id: int) -> User:
    person = session.get(User, user_id)
    assert person is not None
    return person
