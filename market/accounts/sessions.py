"""Signed-in browsers, kept on the server. The signed cookie carries a random secret; the row it names says
who is signed in. Ending the row (log-out, a password change, the person from another device, an
administrator) signs that browser out at its next request, wherever its cookie was copied to."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from market.accounts import tokens
from market.accounts.models import BrowserSession, User
from market.admin import audit
from market.config import Settings
from market.db import utcnow
from market.errors import NotFound

# When a browser was last seen, to the minute: enough for the person to tell it, and a write a minute at most.
SEEN_EVERY = timedelta(minutes=1)
DEVICE_MAX = 120
IP_MAX = 64
# The first mark found names it: Edge and Opera also say "Chrome", Chrome says "Safari", an iPhone says
# "Mac OS X" and Android says "Linux", so the more specific come first.
BROWSERS = (
    ("Edg", "Edge"),
    ("OPR/", "Opera"),
    ("SamsungBrowser/", "Samsung Internet"),
    ("Firefox/", "Firefox"),
    ("FxiOS/", "Firefox"),
    ("CriOS/", "Chrome"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
SYSTEMS = (
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def describe_device(user_agent: str) -> str:
    """A short name the person recognises ("Firefox · Android"); a program's own name ("curl/8.5.0")."""
    browser = next((name for mark, name in BROWSERS if mark in user_agent), None)
    system = next((name for mark, name in SYSTEMS if mark in user_agent), None)
    if browser or system:
        return " · ".join(part for part in (browser, system) if part)
    return user_agent.strip().split(" ", 1)[0][:DEVICE_MAX]


def start_session(session: Session, settings: Settings, user: User, ip: str, user_agent: str) -> str:
    """Signs a browser in: a new row, and the secret for its cookie (returned, never stored)."""
    assert user.id is not None
    secret = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        BrowserSession(
            user_id=user.id,
            secret_hash=_digest(secret),
            device=describe_device(user_agent),
            ip=ip[:IP_MAX],
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(days=settings.session_days),
        )
    )
    return secret


def signed_in(
    session: Session, settings: Settings, secret: str, ip: str
) -> tuple[BrowserSession, User] | None:
    """The live session a cookie's secret names, and its person; None when it ended or expired, or the
    person was deactivated. A browser in use stays signed in `session_days` past its last request."""
    row = session.exec(select(BrowserSession).where(BrowserSession.secret_hash == _digest(secret))).first()
    now = utcnow()
    if row is None or row.expires_at <= now:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    if now - row.last_seen_at > SEEN_EVERY:
        # A statement, not a change of the loaded row: if the row was ended meanwhile, it touches nothing.
        session.execute(
            update(BrowserSession)
            .where(col(BrowserSession.id) == row.id)
            .values(last_seen_at=now, ip=ip[:IP_MAX], expires_at=now + timedelta(days=settings.session_days))
        )
    return row, user


def end_by_secret(session: Session, secret: str) -> None:
    """Log-out: the session this browser's cookie names ends (if it still exists)."""
    session.execute(delete(BrowserSession).where(col(BrowserSession.secret_hash) == _digest(secret)))


def end_session(session: Session, user: User, session_id: int) -> None:
    """The person ends one of their own sessions; another person's is answered as one that does not exist."""
    row = session.get(BrowserSession, session_id)
    if row is None or row.user_id != user.id:
        raise NotFound()
    session.delete(row)


def end_all_sessions(session: Session, user_id: int, keep: int | None = None) -> int:
    """Ends every session of the person but `keep` (the id of the one in use, when they stay signed in
    there: after changing their password, or "sign out the others"). Returns how many ended."""
    query = delete(BrowserSession).where(col(BrowserSession.user_id) == user_id)
    if keep is not None:
        query = query.where(col(BrowserSession.id) != keep)
    return int(session.execute(query).rowcount or 0)  # type: ignore[attr-defined]


def sessions_of(session: Session, user_id: int) -> list[BrowserSession]:
    """The person's live sessions, the most recently seen first."""
    query = (
        select(BrowserSession)
        .where(BrowserSession.user_id == user_id, col(BrowserSession.expires_at) > utcnow())
        .order_by(col(BrowserSession.last_seen_at).desc(), col(BrowserSession.id).desc())
    )
    return list(session.exec(query).all())


def prune_sessions(session: Session) -> int:
    """Expired sessions sign no one in: delete them (the worker does, hourly)."""
    result = session.execute(delete(BrowserSession).where(col(BrowserSession.expires_at) <= utcnow()))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class SignedOut:
    sessions_ended: int
    tokens_revoked: int


def sign_out_everywhere(session: Session, admin: User, user_id: int) -> SignedOut:
    """An administrator ends every session of a person and revokes their API tokens (a stolen device, a
    compromised account), recorded in the audit log."""
    audit.require_admin(admin)  # before the lookup: others cannot probe which accounts exist
    user = session.get(User, user_id)
    if user is None:
        raise NotFound()
    result = SignedOut(end_all_sessions(session, user_id), tokens.revoke_all(session, user_id))
    audit.record(
        session,
        admin,
        "user.sign_out",
        "user",
        user_id,
        f"{user.name} ({user.email})",
        sessions_ended=result.sessions_ended,
        tokens_revoked=result.tokens_revoked,
    )
    return result
