"""The e-mails with a single-use link (reset the password, confirm the e-mail), in the person's language.

A request only records, through the outbox, that such an e-mail is wanted. The worker then makes the link
and hands the e-mail to the same delivery as every other e-mail, in one transaction: the link's secret
exists only in the e-mail, never in a database row (an outbox row would keep it), and asking for a reset
does the same work whether or not the address has an account."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from market.accounts import links
from market.accounts.models import User
from market.config import Settings
from market.db import utcnow
from market.i18n import N_, translations
from market.outbox import Handler, enqueue
from market.urls import path_for

TOPIC = "account_email"

SUBJECTS = {
    links.PASSWORD_RESET: N_("Elige una contraseña nueva para Tianguis Solidario"),
    links.EMAIL_CONFIRMATION: N_("Confirma tu correo en Tianguis Solidario"),
}
BODIES = {
    links.PASSWORD_RESET: N_(
        "Hola, {name}. Alguien (ojalá tú) pidió cambiar la contraseña de tu cuenta. Abre este enlace en los "
        "próximos {minutes} minutos para elegir una nueva; sirve una sola vez.\n\n"
        "Si no lo pediste, ignora este correo: tu contraseña sigue igual."
    ),
    links.EMAIL_CONFIRMATION: N_(
        "Hola, {name}. Confirma que este es tu correo abriendo el enlace de abajo (sirve {days} días). "
        "Después podrás comprar, cotizar y registrar tu organización o institución.\n\n"
        "Si no creaste una cuenta en Tianguis Solidario, ignora este correo."
    ),
}
ROUTES = {links.PASSWORD_RESET: "accounts.reset_form", links.EMAIL_CONFIRMATION: "accounts.confirm"}


def request(session: Session, purpose: str, *, user_id: int | None = None, email: str | None = None) -> None:
    """Ask the worker for the e-mail of `purpose` to the person with this id, or with this address (if
    there is one: the request itself cannot tell)."""
    enqueue(session, TOPIC, {"purpose": purpose, "user_id": user_id, "email": email})


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


def handler(settings: Settings, deliver: Handler) -> Handler:
    """The outbox handler of TOPIC: make the link and give the e-mail to `deliver` (the "email" handler)."""

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
        t = translations(user.locale).gettext
        body = t(BODIES[purpose]).format(
            name=user.name, minutes=settings.password_reset_minutes, days=settings.email_confirmation_days
        )
        link = path_for(ROUTES[purpose], token=secret)
        deliver(session, {"to": user.email, "subject": t(SUBJECTS[purpose]), "body": body, "link": link})

    return send
