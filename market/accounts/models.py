"""People and their credentials."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from market.db import utcnow


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)  # stored lower-cased
    name: str = Field(max_length=120)
    password_hash: str = Field(max_length=255)
    locale: str = Field(default="es_MX", max_length=8)
    is_admin: bool = False
    is_active: bool = True
    # Until set, the person browses and fills a cart but does not buy, quote or register an organization.
    email_confirmed_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)

    @property
    def email_confirmed(self) -> bool:
        return self.email_confirmed_at is not None


class ApiToken(SQLModel, table=True):
    """A bearer token for the JSON API. Only its SHA-256 is stored."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=80)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
    last_used_at: datetime | None = None
    expires_at: datetime = Field(index=True)


class BrowserSession(SQLModel, table=True):
    """A signed-in browser. Its cookie carries a random secret (only the SHA-256 is stored here), and this
    row, not the cookie, says who is signed in: deleting it signs that browser out at once, wherever its
    cookie was copied to."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    secret_hash: str = Field(max_length=64, unique=True)
    device: str = Field(default="", max_length=120)  # "Firefox · Android", for the person to recognise
    ip: str = Field(max_length=64)  # where it was last seen from
    created_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime = Field(index=True)  # moves forward while the browser is in use


class LoginAttempt(SQLModel, table=True):
    """Failed and successful log-ins, counted to slow down guessing across every app process
    (market/accounts/limits.py). `email` is as typed, lower-cased, whether or not it has an account; `ip` is
    the client address (an IPv6 client's /64 network)."""

    __table_args__ = (
        Index("ix_loginattempt_email_ip_created_at", "email", "ip", "created_at"),  # one address, one e-mail
        Index("ix_loginattempt_ip_created_at", "ip", "created_at"),  # one address, every e-mail
    )

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254)
    ip: str = Field(max_length=64)
    succeeded: bool
    created_at: datetime = Field(default_factory=utcnow, index=True)  # pruning


class AccountToken(SQLModel, table=True):
    """A single-use link e-mailed to a person (reset the password, confirm the e-mail). Only the SHA-256 of
    its secret is stored; the secret itself exists only in the e-mail."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    purpose: str = Field(max_length=24)  # password_reset | email_confirmation
    token_hash: str = Field(max_length=64, unique=True)
    expires_at: datetime
    used_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
