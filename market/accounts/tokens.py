"""API bearer tokens: issued with a name and a lifetime, listed, and revoked one by one or all at once.
Only a token's SHA-256 is stored."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from market.accounts.models import ApiToken, User
from market.config import Settings
from market.db import utcnow
from market.errors import NotFound, TokenExpired, ValidationFailed
from market.i18n import gettext as _

TOKEN_PREFIX = "ts_"
# Minute precision is enough to tell a live token, and spares a write on every request.
USED_EVERY = timedelta(minutes=1)
# An expired token is kept this long, so that its holder is told it expired rather than that it is unknown.
EXPIRED_KEPT = timedelta(days=30)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def lifetime(settings: Settings, days: int | None) -> timedelta:
    """The lifetime asked for, or the longest allowed (`api_token_days`) when none was; never longer."""
    if days is not None and days > settings.api_token_days:
        message = _("Un token dura como máximo {days} días.").format(days=settings.api_token_days)
        raise ValidationFailed({"expires_in_days": message})
    return timedelta(days=days or settings.api_token_days)


def issue(session: Session, user: User, name: str, lifetime: timedelta) -> tuple[ApiToken, str]:
    """The new token's row and the token itself, which is shown this once and never stored."""
    assert user.id is not None
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    api_token = ApiToken(
        user_id=user.id, name=name, token_hash=_digest(token), expires_at=utcnow() + lifetime
    )
    session.add(api_token)
    session.flush()
    return api_token, token


def holder(session: Session, token: str) -> tuple[ApiToken, User] | None:
    """The token and the person it signs in, or None when it is unknown, revoked or its holder inactive.
    An expired token raises TokenExpired, which says so and since when."""
    found = session.exec(
        select(ApiToken, User)
        .join(User, col(User.id) == ApiToken.user_id)
        .where(ApiToken.token_hash == _digest(token))
    ).first()
    if found is None:
        return None
    api_token, user = found
    if api_token.expires_at <= utcnow():
        raise TokenExpired(date=api_token.expires_at.date().isoformat())
    if not user.is_active:
        return None
    return api_token, user


def note_use(session: Session, api_token: ApiToken) -> None:
    """Record when the token was last used, at most once a minute. A statement, not a change of the loaded
    row: if the token was revoked meanwhile, it touches nothing. The row is skipped if locked: the token's
    other requests at that moment neither wait for this one's transaction nor write the same minute again
    (and a second connection, which would empty the pool under load, is not needed)."""
    now = utcnow()
    if api_token.last_used_at is None or now - api_token.last_used_at > USED_EVERY:
        free = select(ApiToken.id).where(col(ApiToken.id) == api_token.id).with_for_update(skip_locked=True)
        touch = update(ApiToken).where(col(ApiToken.id).in_(free)).values(last_used_at=now)
        session.execute(touch.execution_options(synchronize_session=False))


def of_user(session: Session, user_id: int) -> list[ApiToken]:
    """A person's tokens, newest first (expired ones too, until they are pruned)."""
    query = select(ApiToken).where(ApiToken.user_id == user_id).order_by(col(ApiToken.id).desc())
    return list(session.exec(query).all())


def revoke(session: Session, user: User, token_id: int) -> ApiToken:
    """One of the person's own tokens; another person's is answered as one that does not exist."""
    api_token = session.get(ApiToken, token_id)
    if api_token is None or api_token.user_id != user.id:
        raise NotFound()
    session.delete(api_token)
    return api_token


def revoke_all(session: Session, user_id: int, keep: int | None = None) -> int:
    """Revokes every token of the person but `keep` (the one in use, when they act through it)."""
    query = delete(ApiToken).where(col(ApiToken.user_id) == user_id)
    if keep is not None:
        query = query.where(col(ApiToken.id) != keep)
    result = session.execute(query)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def prune_expired(session: Session) -> int:
    """Tokens expired for longer than EXPIRED_KEPT (the worker deletes them, hourly)."""
    cutoff = utcnow() - EXPIRED_KEPT
    result = session.execute(delete(ApiToken).where(col(ApiToken.expires_at) < cutoff))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
