"""The e-mails with a single-use link (reset the password, confirm the e-mail), in the person's language.

A request only records, through the outbox, that such an e-mail is wanted. The worker then makes the link
and queues the e-mail with it, in one transaction: the link's secret
exists only in the e-mail, never in a database row (an outbox row would keep it), and asking for a reset
does the same work whether or not the address has an account."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import quote

from sqlalchemy import update
from sqlmodel import Session, col, select

from market.accounts import links
from market.accounts.models import User
from market.config import Settings
from market.db import utcnow
from market.mail import kinds
from market.mail import queue as mail
from market.outbox import Handler, enqueue
from market.urls import is_site_path, path_for

TOPIC = "account_email"

KINDS = {links.PASSWORD_RESET: kinds.PASSWORD_RESET, links.EMAIL_CONFIRMATION: kinds.EMAIL_CONFIRMATION}
ROUTES = {links.PASSWORD_RESET: "accounts.reset_form", links.EMAIL_CONFIRMATION: "accounts.confirm"}


def request(
    session: Session,
    purpose: str,
    *,
    user_id: int | None = None,
    email: str | None = None,
    next: str | None = None,
) -> None:
    """Ask the worker for the e-mail of `purpose` to the person with this id, or with this address (if
    there is one: the request itself cannot tell). `next`: the page of this site its link leads on to."""
    enqueue(session, TOPIC, {"purpose": purpose, "user_id": user_id, "email": email, "next": next})


def link_to(purpose: str, secret: str, next: str | None) -> str:
    """The e-mail's link; it carries `next` only if that is a path of this site (checked again when the
    link is opened), so a link can never send the person to another site."""
    link = path_for(ROUTES[purpose], token=secret)
    return f"{link}?next={quote(next)}" if is_site_path(next) else link


def lifetime(settings: Settings, purpose: str) -> timedelta:
    if purpose == links.PASSWORD_RESET:
        return timedelta(minutes=settings.password_reset_minutes)
    return timedelta(days=settings.email_confirmation_days)


def sent_recently(session: Session, settings: Settings, user_id: int, purpose: str) -> timedelta | None:
    """How long until the person may get another e-mail of this kind, or None if they may now."""
    last = links.last_issued(session, user_id, purpose)
    if last is None:
        return None
    wait = last + timedelta(seconds=settings.account_email_interval_seconds) - utcnow()
    return wait if wait > timedelta(0) else None


def handler(settings: Settings) -> Handler:
    """The outbox handler of TOPIC: make the link and queue the e-mail with it."""

    def send(session: Session, payload: dict[str, Any]) -> None:
        purpose = payload["purpose"]
        if payload.get("user_id") is not None:
            user = session.get(User, payload["user_id"])
        else:
            user = session.exec(select(User).where(User.email == payload.get("email"))).first()
        if user is None or not user.is_active or user.id is None:
            return  # no such account: nothing is sent, and the asker was told the same as anyone
        if purpose == links.EMAIL_CONFIRMATION and user.email_confirmed:
            return
        # The person's row is locked first, so that two workers with two requests send one e-mail.
        session.execute(update(User).where(col(User.id) == user.id).values(id=col(User.id)))
        if sent_recently(session, settings, user.id, purpose):
            return  # at most one of each kind every few minutes, however often it is asked for
        secret = links.issue(session, user, purpose, lifetime(settings, purpose))
        mail.send(
            session,
            KINDS[purpose],
            user,
            link=link_to(purpose, secret, payload.get("next")),
            minutes=settings.password_reset_minutes,
            days=settings.email_confirmation_days,
        )

    return send
