"""Changing a password: with the current one, or with a single-use link e-mailed to the person."""

from __future__ import annotations

from sqlmodel import Session

from market.accounts import confirmation, emails, limits, links, sessions, tokens
from market.accounts.models import User
from market.accounts.schemas import PasswordChange, PasswordReset
from market.accounts.service import hash_password, password_matches
from market.config import Settings
from market.errors import ValidationFailed
from market.i18n import N_


class WrongCurrentPassword(ValidationFailed):
    def __init__(self) -> None:
        super().__init__({"current_password": N_("Esa no es tu contraseña actual.")})


def set_password(
    session: Session,
    user: User,
    password: str,
    *,
    keep_session: int | None = None,
    keep_token: int | None = None,
) -> User:
    """The one place a password changes, by reset or by the person: whatever must follow a new password
    goes here. Links to reset the old one stop working, and every other way in ends, since whoever knew the
    old password may have opened one: every signed-in browser but `keep_session` and every API token but
    `keep_token` (the one the person changed it from)."""
    assert user.id is not None
    found = session.get(User, user.id)
    assert found is not None
    found.password_hash = hash_password(password)
    links.void(session, user.id, links.PASSWORD_RESET)
    sessions.end_all_sessions(session, user.id, keep=keep_session)
    tokens.revoke_all(session, user.id, keep=keep_token)
    return found


def change(
    session: Session,
    settings: Settings,
    user: User,
    data: PasswordChange,
    ip: str,
    *,
    keep_session: int | None = None,
    keep_token: int | None = None,
) -> bool:
    """False when `current_password` is wrong: nothing changes, and the miss counts like a failed log-in, so
    a stolen session or token cannot guess the password. The caller must then return its error rather than
    raise it, so that the count is committed."""
    limits.check_login_allowed(session, settings, user.email, ip)
    if not password_matches(user, data.current_password):
        limits.record_attempt(session, user.email, ip, False)
        return False
    set_password(session, user, data.password, keep_session=keep_session, keep_token=keep_token)
    return True


def request_reset(session: Session, email: str) -> None:
    """The same work whatever the address: the worker finds out whether it has an account."""
    emails.request(session, links.PASSWORD_RESET, email=email.strip().lower())


def reset_link_works(session: Session, secret: str) -> bool:
    return links.find(session, secret, links.PASSWORD_RESET) is not None


def reset(session: Session, data: PasswordReset) -> User:
    """Use the e-mailed link, once, to choose a new password; every browser signed in as the person is
    signed out. The link reached the person's inbox, so their address counts as confirmed too."""
    user = set_password(session, links.consume(session, data.token, links.PASSWORD_RESET), data.password)
    return confirmation.mark_confirmed(session, user)
