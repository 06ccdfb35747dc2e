"""The mailbox administrators read at /admin/correos: every message, newest first, what it says (the copy
that was delivered, or the message rendered now when it has not left yet), and a parked message put back in
the queue. With SMTP (production) the bodies stay out of sight: the page shows who, what kind, the status and
the server's error, which is what support needs."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from market.accounts.models import User
from market.admin import audit
from market.admin.audit import require_admin
from market.admin.service import like_pattern
from market.config import Settings
from market.db import transaction, utcnow
from market.errors import Conflict, MarketError, NotFound
from market.i18n import N_
from market.mail import kinds, queue
from market.mail.delivery import deliver_one, record_failure, transport_for
from market.mail.models import Email, EmailStatus
from market.mail.render import render
from market.pagination import Page, paginate

PER_PAGE = 50
ADDRESS_MAX = 254  # the longest e-mail address: a longer filter matches nothing


# What each kind of message is called on the mailbox pages; a kind missing here shows its name.
class NotParked(Conflict):
    code = "email_not_parked"
    message = N_("Solo se puede volver a enviar un correo que el servidor rechazó.")


class InvalidAddress(MarketError):
    status_code = 422
    code = "invalid_address"
    message = N_("«{address}» no es una dirección de correo válida.")


@dataclass(frozen=True)
class Shown:
    """A message as the mailbox shows it. `subject`, `text` and `html` are None when its bodies are not shown
    (SMTP) or could not be rendered (`render_error` then says why)."""

    email: Email
    subject: str | None
    text: str | None = None
    html: str | None = None
    bodies_shown: bool = False
    render_error: str | None = None


def kind_label(kind: str) -> str:
    """The Spanish source name of a kind (translated when shown), or its code when it has none."""
    return kinds.KINDS[kind].label if kind in kinds.KINDS else kind


def shows_bodies(settings: Settings) -> bool:
    """Only the local mailbox shows what messages say: with SMTP they are in people's inboxes, not here."""
    return settings.mail_backend == "mailbox"


def status_of(value: str | None) -> EmailStatus | None:
    """A status from the filter; anything else: every status."""
    return EmailStatus(value) if value in EmailStatus.labels() else None


def messages(
    session: Session,
    admin: User,
    settings: Settings,
    to: str = "",
    status: EmailStatus | None = None,
    page: int = 1,
) -> Page[Shown]:
    """Newest first, optionally to addresses containing `to` and in one status; each with its subject."""
    require_admin(admin)
    query = select(Email).order_by(col(Email.created_at).desc(), col(Email.id).desc())
    if to := to.strip()[: ADDRESS_MAX + 1]:
        query = query.where(col(Email.to_address).ilike(like_pattern(to), escape="\\"))
    if status is not None:
        query = query.where(Email.status == status)
    found = paginate(session, query, page, PER_PAGE)
    return Page(
        items=[_shown(email, settings, bodies=False) for email in found.items],
        total=found.total,
        page=found.page,
        per_page=found.per_page,
    )


def message(session: Session, admin: User, settings: Settings, email_id: int) -> Shown:
    require_admin(admin)
    email = session.get(Email, email_id)
    if email is None:
        raise NotFound()
    return _shown(email, settings, bodies=shows_bodies(settings))


def _shown(email: Email, settings: Settings, *, bodies: bool) -> Shown:
    """What was delivered when it was stored; otherwise the message rendered now, as it would leave (in the
    language it was queued in), and not stored."""
    if email.subject is not None and not bodies:
        return Shown(email, email.subject)
    if email.subject is not None and email.text_body is not None:
        return Shown(email, email.subject, email.text_body, email.html_body, bodies_shown=True)
    try:
        rendered = render(_copy(email), settings)
    except Exception as exc:  # a broken template is what parked it: say so instead of failing the page
        return Shown(email, None, bodies_shown=bodies, render_error=f"{type(exc).__name__}: {exc}")
    if not bodies:
        return Shown(email, rendered.subject)
    return Shown(email, rendered.subject, rendered.text, rendered.html, bodies_shown=True)


def _copy(email: Email) -> Email:
    """A detached copy to render, so that nothing rendering does can end up written to the row."""
    return Email(
        message_id=email.message_id,
        kind=email.kind,
        to_address=email.to_address,
        locale=email.locale,
        context=dict(email.context),
    )


def requeue(session: Session, admin: User, email_id: int) -> Email:
    """Put a parked message back in the queue, due now with its refusals forgotten, in the audit log. Only a
    parked one: two administrators at once requeue it once."""
    require_admin(admin)
    email = session.get(Email, email_id)
    if email is None:
        raise NotFound()
    moved = session.execute(
        update(Email)
        .where(col(Email.id) == email_id, col(Email.status) == EmailStatus.PARKED)
        .values(status=EmailStatus.QUEUED, available_at=utcnow(), rejections=0, tries=0)
    )
    if moved.rowcount == 0:  # type: ignore[attr-defined]
        raise NotParked()
    session.refresh(email)
    assert email.id is not None
    label = f"{kind_label(email.kind)} → {email.to_address}"
    audit.record(session, admin, "email.requeue", "email", email.id, label, last_error=email.last_error or "")
    return email


@dataclass(frozen=True)
class TestSent:
    """How a test message went: `sent_by` "smtp" or "mailbox" when it left, else the server's `error`."""

    email_id: int
    status: EmailStatus
    sent_by: str | None
    error: str | None


def send_test(engine: Engine, settings: Settings, address: str) -> TestSent:
    """Queue a test message to `address` and deliver it at once, as the worker would: over SMTP when it is
    configured, else into the local mailbox. A server that is down or refuses it leaves it in the queue with
    the error, for the worker to try again. An address that is not one writes nothing."""
    try:
        address = validate_email(address.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        raise InvalidAddress(address=address) from None
    with transaction(engine) as session:
        email = queue.send(session, kinds.TEST, address, sent_at=utcnow())
        session.flush()
        assert email.id is not None
        email_id = email.id
    sent_by = None
    try:
        with transport_for(settings) as transport:
            if deliver_one(engine, settings, transport, email_id) == EmailStatus.SENT:
                sent_by = transport.name
    except (OSError, smtplib.SMTPException) as exc:  # no connection at all (or it broke after sending)
        with transaction(engine) as session:
            failed = session.get(Email, email_id)
            if failed is not None and failed.status == EmailStatus.QUEUED:
                record_failure(failed, exc)
    with transaction(engine) as session:
        outcome = session.get(Email, email_id)
        assert outcome is not None
        error = None if sent_by else outcome.last_error
        return TestSent(email_id, outcome.status, sent_by, error)
