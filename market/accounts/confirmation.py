"""E-mail confirmation: until a person confirms their address they browse and fill a cart, but do not buy,
quote, post demand or register an organization or institution."""

from __future__ import annotations

from math import ceil

from sqlmodel import Session, select

from market.accounts import emails, links
from market.accounts.models import User
from market.config import Settings
from market.db import utcnow
from market.errors import EmailAlreadyConfirmed, EmailNotConfirmed, NotFound, TooSoon


def require_confirmed(user: User) -> None:
    """The one check, called by every service the confirmation guards (both faces call the services)."""
    if not user.email_confirmed:
        raise EmailNotConfirmed()


def mark_confirmed(session: Session, user: User) -> User:
    """Confirm the person's address (if not yet), and close their confirmation links still open."""
    assert user.id is not None
    found = session.get(User, user.id)
    assert found is not None
    if found.email_confirmed_at is None:
        found.email_confirmed_at = utcnow()
    links.void(session, found.id or 0, links.EMAIL_CONFIRMATION)
    return found


def ask_to_confirm(session: Session, user: User, *, next: str | None = None) -> None:
    """At registration: the confirmation e-mail goes out after commit; its link leads on to `next` (a path
    of this site: the cart the person was filling)."""
    emails.request(session, links.EMAIL_CONFIRMATION, user_id=user.id, next=next)


def resend(session: Session, settings: Settings, user: User, *, next: str | None = None) -> None:
    """A new confirmation e-mail for the signed-in person, at most one every few minutes; its link leads on
    to `next`, the page they asked from."""
    assert user.id is not None
    if user.email_confirmed:
        raise EmailAlreadyConfirmed()
    wait = emails.sent_recently(session, settings, user.id, links.EMAIL_CONFIRMATION)
    if wait is not None:
        raise TooSoon(retry_after=ceil(wait.total_seconds()))
    ask_to_confirm(session, user, next=next)


def confirm(session: Session, secret: str) -> User:
    """The e-mailed link was opened: the address is the person's."""
    return mark_confirmed(session, links.consume(session, secret, links.EMAIL_CONFIRMATION))


def confirm_by_address(session: Session, email: str) -> User:
    """An operator confirms by hand (support): the `market confirm-email` command."""
    user = session.exec(select(User).where(User.email == email.strip().lower())).first()
    if user is None:
        raise NotFound("No hay ninguna cuenta con ese correo.")
    return mark_confirmed(session, user)
