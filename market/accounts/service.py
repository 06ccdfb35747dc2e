"""Registration, log-in with rate limiting, and administrators (API tokens: tokens.py; signed-in browsers:
sessions.py)."""

from __future__ import annotations

from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from sqlalchemy import delete, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from market.accounts.models import LoginAttempt, User
from market.accounts.schemas import Registration
from market.config import Settings
from market.db import utcnow
from market.errors import EmailTaken, NotFound, TooManyAttempts

_hasher = PasswordHasher()
# Verified against when the e-mail is unknown, so a miss costs as much time as a wrong password.
_DUMMY_HASH = _hasher.hash("not-a-real-password")
IP_LIMIT_FACTOR = 4  # one address may try a few accounts (a shared office), not hundreds


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def register(session: Session, data: Registration, *, is_admin: bool = False) -> User:
    if session.exec(select(User).where(User.email == data.email)).first():
        raise EmailTaken()
    user = User(
        email=data.email,
        name=data.name,
        password_hash=hash_password(data.password),
        locale=data.locale,
        is_admin=is_admin,
    )
    session.add(user)
    try:
        session.flush()
    except IntegrityError:  # the same e-mail registered by a concurrent request
        raise EmailTaken() from None
    return user


def _recent_failures(session: Session, settings: Settings, column: object, value: str) -> int:
    since = utcnow() - timedelta(seconds=settings.login_window_seconds)
    query = select(func.count()).where(
        column == value, LoginAttempt.created_at >= since, col(LoginAttempt.succeeded).is_(False)
    )
    return int(session.exec(query).one())


def check_login_allowed(session: Session, settings: Settings, email: str, ip: str) -> None:
    limit = settings.login_attempts_per_window
    if (
        _recent_failures(session, settings, LoginAttempt.email, email.lower()) >= limit
        or _recent_failures(session, settings, LoginAttempt.ip, ip) >= limit * IP_LIMIT_FACTOR
    ):
        raise TooManyAttempts(minutes=settings.login_window_seconds // 60)


def prune_login_attempts(session: Session, settings: Settings) -> int:
    """Attempts older than the rate-limit window count for nothing: delete them (the worker does, hourly)."""
    cutoff = utcnow() - timedelta(seconds=settings.login_window_seconds)
    result = session.execute(delete(LoginAttempt).where(col(LoginAttempt.created_at) < cutoff))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def authenticate(session: Session, settings: Settings, email: str, password: str, ip: str) -> User | None:
    """The user, or None for wrong credentials. Records the attempt either way; the caller must let the
    transaction commit (not raise) so that a failure still counts towards the limit."""
    email = email.strip().lower()
    check_login_allowed(session, settings, email, ip)
    user = session.exec(select(User).where(User.email == email)).first()
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
        ok = user is not None and user.is_active
    except (VerifyMismatchError, InvalidHashError):
        ok = False
    session.add(LoginAttempt(email=email, ip=ip, succeeded=ok))
    if not ok or user is None:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def make_admin(session: Session, email: str, name: str | None, password: str | None) -> User:
    """Promote an existing user, or create the administrator when a password is given."""
    user = session.exec(select(User).where(User.email == email.lower())).first()
    if user is None:
        if password is None:
            raise NotFound("No hay ninguna cuenta con ese correo.")
        return register(
            session,
            Registration(name=name or email.split("@")[0], email=email, password=password),
            is_admin=True,
        )
    user.is_admin = True
    return user
