"""Single-use links e-mailed to a person: only the SHA-256 of the secret is stored, so that whoever reads the
database cannot use a link; each works once, until it expires."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from market.accounts.models import AccountToken, User
from market.db import utcnow
from market.errors import InvalidAccountLink

PASSWORD_RESET = "password_reset"
EMAIL_CONFIRMATION = "email_confirmation"
MAX_SECRET = 200  # a longer one was never issued: no need to hash it


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue(session: Session, user: User, purpose: str, lifetime: timedelta) -> str:
    """A new link's secret; the caller puts it in the e-mail and nowhere else."""
    assert user.id is not None
    secret = secrets.token_urlsafe(32)
    session.add(
        AccountToken(
            user_id=user.id, purpose=purpose, token_hash=digest(secret), expires_at=utcnow() + lifetime
        )
    )
    return secret


def find(session: Session, secret: str, purpose: str) -> AccountToken | None:
    """The link's token while it still works: known, of this purpose, unused and unexpired."""
    if not secret or len(secret) > MAX_SECRET:
        return None
    return session.exec(
        select(AccountToken).where(
            AccountToken.token_hash == digest(secret),
            AccountToken.purpose == purpose,
            col(AccountToken.used_at).is_(None),
            AccountToken.expires_at > utcnow(),
        )
    ).first()


def consume(session: Session, secret: str, purpose: str) -> User:
    """Use the link, once: of two requests with the same link at the same moment, one gets the person and
    the other InvalidAccountLink (the mark is a compare-and-set, so it holds on SQLite and PostgreSQL)."""
    token = find(session, secret, purpose)
    if token is None:
        raise InvalidAccountLink()
    marked = session.execute(
        update(AccountToken)
        .where(col(AccountToken.id) == token.id, col(AccountToken.used_at).is_(None))
        .values(used_at=utcnow())
    )
    user = session.get(User, token.user_id)
    if marked.rowcount != 1 or user is None or not user.is_active:  # type: ignore[attr-defined]
        raise InvalidAccountLink()
    return user


def void(session: Session, user_id: int, purpose: str) -> None:
    """Every link of this purpose still open for the person stops working (the password changed, the
    e-mail is confirmed)."""
    session.execute(
        update(AccountToken)
        .where(
            col(AccountToken.user_id) == user_id,
            col(AccountToken.purpose) == purpose,
            col(AccountToken.used_at).is_(None),
        )
        .values(used_at=utcnow())
    )


def last_issued(session: Session, user_id: int, purpose: str) -> datetime | None:
    return session.exec(
        select(AccountToken.created_at)
        .where(AccountToken.user_id == user_id, AccountToken.purpose == purpose)
        .order_by(col(AccountToken.created_at).desc())
        .limit(1)
    ).first()
