"""Delivery of queued messages by the worker: over SMTP when SMTP_HOST is set, otherwise into the local
mailbox (the rows themselves, read at /admin/correos). Each message is sent once, under its row's lock, with
its fixed Message-ID; a server that is down delays messages and loses none; one that refuses a message
again and again gets it parked with its error."""

from __future__ import annotations

import base64
import logging
import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime, formataddr, parseaddr
from typing import Protocol

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from market.accounts.models import User
from market.config import Settings
from market.db import transaction, utcnow
from market.mail import preferences
from market.mail.kinds import KINDS
from market.mail.models import Email, EmailStatus
from market.mail.render import Rendered, render

log = logging.getLogger(__name__)

# Headers stay on one line up to SMTP's limit: a folded List-Unsubscribe comes out as encoded words that mail
# programs cannot read as a link, and a folded Subject starts with a space in some of them.
HEADERS_ON_ONE_LINE = SMTP_POLICY.clone(max_line_length=998)
MAX_REJECTIONS = 3  # permanent refusals of one message before it is parked
MAX_BACKOFF = timedelta(minutes=15)
REDACTED = "[enlace de un solo uso: solo está en el correo enviado]"


class Transport(Protocol):
    name: str

    def send(self, message: EmailMessage) -> None: ...


class Mailbox:
    """The embedded default: the message stays in the database, where an administrator reads it."""

    name = "mailbox"

    def send(self, message: EmailMessage) -> None:
        return None


class Smtp:
    """One connection to the SMTP server for a batch of messages."""

    name = "smtp"

    def __init__(self, client: smtplib.SMTP) -> None:
        self.client = client

    def send(self, message: EmailMessage) -> None:
        self.client.send_message(message)


@contextmanager
def smtp_transport(settings: Settings) -> Iterator[Smtp]:
    host, port, timeout = settings.smtp_host or "", settings.smtp_port, settings.smtp_timeout_seconds
    context = ssl.create_default_context()
    if settings.smtp_security == "tls":
        client: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    else:
        client = smtplib.SMTP(host, port, timeout=timeout)
    try:
        if settings.smtp_security == "starttls":
            client.starttls(context=context)
        if settings.smtp_username:
            log_in(client, settings.smtp_username, settings.smtp_password.get_secret_value())
        yield Smtp(client)
    finally:
        try:
            client.quit()
        except smtplib.SMTPException:
            client.close()


def log_in(client: smtplib.SMTP, username: str, password: str) -> None:
    """smtplib sends credentials as ASCII only; a password with an ñ or an accent goes as UTF-8 in AUTH PLAIN
    (RFC 4616), which every relay that offers PLAIN accepts."""
    if (username + password).isascii():
        client.login(username, password)
        return
    client.ehlo_or_helo_if_needed()
    token = base64.b64encode(f"\0{username}\0{password}".encode()).decode("ascii")
    code, answer = client.docmd("AUTH", f"PLAIN {token}")
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, answer)


@contextmanager
def transport_for(settings: Settings) -> Iterator[Transport]:
    if settings.mail_backend == "smtp":
        with smtp_transport(settings) as smtp:
            yield smtp
    else:
        yield Mailbox()


def message_of(email: Email, rendered: Rendered, settings: Settings) -> EmailMessage:
    message = EmailMessage(policy=HEADERS_ON_ONE_LINE)
    name, address = parseaddr(settings.mail_from)
    message["From"] = formataddr((name, address))
    message["To"] = email.to_address
    message["Subject"] = rendered.subject
    message["Message-ID"] = email.message_id
    message["Date"] = format_datetime(utcnow())
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies, please
    for header, value in rendered.headers.items():
        message[header] = value
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    return message


def is_refusal(exc: Exception) -> bool:
    """A permanent refusal of this message (a 5xx about its recipient or content). A server that is down,
    busy (4xx), or refuses our credentials or sender is the service's problem: the message waits."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _text in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPAuthenticationError | smtplib.SMTPSenderRefused):
        return False
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500
    return not isinstance(exc, OSError | smtplib.SMTPException)  # a bug in a template: it will not heal


def record_failure(email: Email, exc: Exception) -> None:
    email.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    email.tries += 1
    if is_refusal(exc):
        email.rejections += 1
        if email.rejections >= MAX_REJECTIONS:
            email.status = EmailStatus.PARKED
            log.error("e-mail %s to %s parked: %s", email.id, email.to_address, exc)
            return
    email.available_at = utcnow() + min(timedelta(seconds=5 * 2**email.tries), MAX_BACKOFF)


def _due(engine: Engine, limit: int) -> list[int]:
    with Session(engine) as session:
        return [
            id_
            for id_ in session.exec(
                select(Email.id)
                .where(Email.status == EmailStatus.QUEUED, Email.available_at <= utcnow())
                .order_by(col(Email.id))
                .limit(limit)
            )
            if id_ is not None
        ]


def deliver_due(engine: Engine, settings: Settings, limit: int = 50) -> int:
    """Deliver (or hold, or drop, as the recipient chose) what is due; returns how many were handled."""
    due = _due(engine, limit)
    if not due:
        return 0
    done = 0
    try:
        with transport_for(settings) as transport:
            for n, email_id in enumerate(due):
                outcome = deliver_one(engine, settings, transport, email_id)
                if isinstance(outcome, Exception) and not is_refusal(outcome):
                    _postpone(engine, due[n + 1 :], outcome)  # the server is unwell: the rest waits too
                    break
                done += outcome is not None
    except (OSError, smtplib.SMTPException) as exc:  # no connection at all: everything waits
        log.warning("SMTP server unavailable: %s", exc)
        _postpone(engine, due, exc)
    return done


def _postpone(engine: Engine, ids: list[int], exc: Exception) -> None:
    with transaction(engine) as session:
        for email in session.exec(
            select(Email).where(col(Email.id).in_(ids), Email.status == EmailStatus.QUEUED)
        ):
            record_failure(email, exc)


def deliver_one(
    engine: Engine, settings: Settings, transport: Transport, email_id: int
) -> EmailStatus | Exception | None:
    """Handle one message under its row's lock (SKIP LOCKED: another worker takes the next one). Returns its
    new status, the failure, or None when another worker had it."""
    with transaction(engine) as session:
        email = session.exec(
            select(Email)
            .where(Email.id == email_id, Email.status == EmailStatus.QUEUED)
            .with_for_update(skip_locked=True)
        ).first()
        # ...and claim it with a write, which SQLite (no row locks) makes the second worker wait for and
        # then find the message no longer queued.
        claimed = session.execute(
            update(Email)
            .where(col(Email.id) == email_id, col(Email.status) == EmailStatus.QUEUED)
            .values(tries=col(Email.tries))
        )
        if email is None or claimed.rowcount == 0:  # type: ignore[attr-defined]
            return None
        session.refresh(email)
        kind = KINDS[email.kind]
        user = session.get(User, email.user_id) if email.user_id is not None else None
        if user is not None:
            email.locale = user.locale  # their language as it is now
        verdict = preferences.verdict(session, email, kind)
        if verdict != EmailStatus.QUEUED:
            email.status = verdict
            return verdict
        try:
            rendered = render(email, settings)
            transport.send(message_of(email, rendered, settings))
        except Exception as exc:
            log.warning("e-mail %s to %s failed: %s", email.id, email.to_address, exc)
            record_failure(email, exc)
            return exc
        email.status, email.sent_at, email.last_error = EmailStatus.SENT, utcnow(), None
        email.subject, email.text_body, email.html_body = rendered.subject, rendered.text, rendered.html
        if kind.secret and transport.name == "smtp" and email.context.get("link"):
            absolute = settings.base_url.rstrip("/") + email.context["link"]
            email.context = email.context | {"link": None}
            email.text_body = rendered.text.replace(absolute, REDACTED)
            email.html_body = rendered.html.replace(absolute, REDACTED)
        return EmailStatus.SENT
