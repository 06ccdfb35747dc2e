"""Registration, log-in (throttled by market/accounts/limits.py), and administrators (API tokens: tokens.py;
signed-in browsers: sessions.py)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from market.accounts import confirmation, limits
from market.accounts.models import User
from market.accounts.schemas import SELL, Registration
from market.config import Settings
from market.db import utcnow
from market.errors import EmailTaken, NotFound
from market.i18n import LOCALES
from market.urls import path_for

_hasher = PasswordHasher()
# Verified against when the e-mail is unknown, so a miss costs as much time as a wrong password.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(user: User, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerifyMismatchError, InvalidHashError):
        return False


def register(
    session: Session, data: Registration, *, is_admin: bool = False, confirmed: bool = False
) -> User:
    """A new account. Unless `confirmed` (demo and operators' accounts), its e-mail must be confirmed with
    the link sent now before the person buys, quotes or registers an organization."""
    if session.exec(select(User).where(User.email == data.email)).first():
        raise EmailTaken()
    user = User(
        email=data.email,
        name=data.name,
        password_hash=hash_password(data.password),
        locale=data.locale,
        is_admin=is_admin,
        email_confirmed_at=utcnow() if confirmed else None,
    )
    session.add(user)
    try:
        session.flush()
    except IntegrityError:  # the same e-mail registered by a concurrent request
        raise EmailTaken() from None
    if not confirmed:
        confirmation.ask_to_confirm(session, user, next=landing(data))
    return user


def landing(data: Registration) -> str:
    """Where a new account leads, now and from the confirmation link: only someone who represents a producer
    organization is steered to register it; a buyer goes back to the page they came from (their cart), or
    to the catalogue."""
    if data.intent == SELL:
        return path_for("organizations.new_organization")
    return data.next or path_for("catalog.browse")


def authenticate(session: Session, settings: Settings, email: str, password: str, ip: str) -> User | None:
    """The user, or None for wrong credentials. Records the attempt either way; the caller must let the
    transaction commit (not raise) so that a failure still counts towards the limit. A try that comes too
    soon after failures raises TooManyAttempts before the password is checked (market/accounts/limits.py)."""
    email = email.strip().lower()
    limits.check_login_allowed(session, settings, email, ip)
    user = session.exec(select(User).where(User.email == email)).first()
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
        ok = user is not None and user.is_active
    except (VerifyMismatchError, InvalidHashError):
        ok = False
    limits.record_attempt(session, email, ip, ok)
    if not ok or user is None:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def make_admin(session: Session, email: str, name: str | None, password: str | None) -> User:
    """Promote an existing user, or create the administrator when a password is given. An operator vouches
    for the address: it counts as confirmed."""
    user = session.exec(select(User).where(User.email == email.lower())).first()
    if user is None:
        if password is None:
            raise NotFound("No hay ninguna cuenta con ese correo.")
        return register(
            session,
            Registration(name=name or email.split("@")[0], email=email, password=password),
            is_admin=True,
            confirmed=True,
        )
    user.is_admin = True
    user.email_confirmed_at = user.email_confirmed_at or utcnow()
    return user


def choose_language(session: Session, user: User, locale: str) -> None:
    """The language the person reads the site in is the one their e-mails are written in too."""
    if locale in LOCALES and user.locale != locale:
        user.locale = locale
        session.add(user)
