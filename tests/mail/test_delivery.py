"""Delivery over a real SMTP server on loopback: both parts, the headers, the recipient's language; an
outage delays messages and loses none; a refused address is parked with its error; two workers send each
message once; without SMTP_HOST the message stays in the local mailbox."""

from __future__ import annotations

import smtplib
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from market.config import Settings
from market.db import utcnow
from market.mail import kinds
from market.mail.delivery import MAX_REJECTIONS, Smtp, deliver_due
from market.mail.models import Email, EmailStatus
from market.mail.queue import send
from tests.fixtures.smtp import SmtpServer
from tests.helpers import at_once, fresh


def queue_test_mail(session: Session, to: Any, n: int = 1) -> list[Email]:
    emails = [send(session, kinds.TEST, to, sent_at=utcnow()) for _ in range(n)]
    session.commit()
    return emails


def make_due(engine: Engine) -> None:
    """As if the back-off had passed."""
    with engine.begin() as connection:
        connection.execute(update(Email).values(available_at=utcnow() - timedelta(seconds=1)))


def statuses(session: Session) -> list[str]:
    session.expire_all()
    return [email.status for email in session.exec(select(Email).order_by(col(Email.id)))]


def test_a_message_leaves_over_smtp_with_both_parts_and_its_message_id(
    session: Session, engine: Engine, smtp_server: SmtpServer, smtp_settings: Settings, make_user: Any
) -> None:
    ana = make_user("ana@example.mx", name="Ana Pérez")
    (email,) = queue_test_mail(session, ana)

    assert deliver_due(engine, smtp_settings) == 1

    (received,) = smtp_server.received
    message = received.message
    assert received.recipients == ["ana@example.mx"] and not received.encrypted  # SMTP_SECURITY=none
    assert message["To"] == "ana@example.mx"
    assert message["From"] == smtp_settings.mail_from
    assert message["Subject"] == "Prueba de correo de Tianguis Solidario"
    assert message["Message-ID"] == email.message_id
    assert message["Auto-Submitted"] == "auto-generated"
    assert received.text.startswith("Hola, Ana Pérez:")
    assert "el correo de Tianguis Solidario funciona" in received.text
    assert "Hola, Ana Pérez:</p>" in received.html and 'lang="es-MX"' in received.html
    sent = fresh(session, Email, email.id)
    assert sent.status == EmailStatus.SENT and sent.sent_at is not None
    assert sent.subject == message["Subject"] and sent.text_body == received.text


def test_a_message_is_in_the_recipients_language_as_it_is_when_sent(
    session: Session, engine: Engine, smtp_server: SmtpServer, smtp_settings: Settings, make_user: Any
) -> None:
    ann = make_user("ann@example.mx", name="Ann Lee")
    queue_test_mail(session, ann)
    ann.locale = "en"  # changed her language after the message was queued
    session.commit()

    deliver_due(engine, smtp_settings)

    (received,) = smtp_server.received
    assert received.message["Subject"] == "Tianguis Solidario test e-mail"
    assert received.text.startswith("Hi Ann Lee,") and 'lang="en"' in received.html


def test_an_outage_delays_messages_and_loses_none(
    session: Session, engine: Engine, smtp_server: SmtpServer, smtp_settings: Settings
) -> None:
    queue_test_mail(session, "ana@example.mx", n=3)
    smtp_server.stop()

    assert deliver_due(engine, smtp_settings) == 0
    session.expire_all()
    waiting = session.exec(select(Email)).all()
    assert {email.status for email in waiting} == {EmailStatus.QUEUED}
    assert all(email.available_at > utcnow() and email.last_error for email in waiting)
    assert deliver_due(engine, smtp_settings) == 0  # not due yet: the worker does not hammer the server

    for _ in range(MAX_REJECTIONS + 2):  # a long outage parks nothing
        make_due(engine)
        deliver_due(engine, smtp_settings)
    assert statuses(session) == [EmailStatus.QUEUED] * 3

    smtp_server.start()
    make_due(engine)
    assert deliver_due(engine, smtp_settings) == 3
    assert deliver_due(engine, smtp_settings) == 0
    assert len(smtp_server.received) == 3  # each once
    assert len({mail.message["Message-ID"] for mail in smtp_server.received}) == 3


def test_a_refused_address_is_parked_with_its_error_and_the_others_go(
    session: Session, engine: Engine, smtp_server: SmtpServer, smtp_settings: Settings
) -> None:
    smtp_server.refused.add("nadie@example.mx")
    queue_test_mail(session, "nadie@example.mx")
    queue_test_mail(session, "ana@example.mx")

    assert deliver_due(engine, smtp_settings) == 2  # the refusal does not hold back the next message
    assert [mail.recipients for mail in smtp_server.received] == [["ana@example.mx"]]
    for _ in range(MAX_REJECTIONS - 1):
        make_due(engine)
        deliver_due(engine, smtp_settings)

    refused = session.exec(select(Email).where(Email.to_address == "nadie@example.mx")).one()
    session.refresh(refused)
    assert refused.status == EmailStatus.PARKED and refused.rejections == MAX_REJECTIONS
    assert refused.last_error is not None and "550" in refused.last_error
    assert len(smtp_server.received) == 1


def test_two_workers_send_each_message_once(
    session: Session, engine: Engine, smtp_server: SmtpServer, smtp_settings: Settings
) -> None:
    queue_test_mail(session, "ana@example.mx", n=20)

    def worker() -> str:
        while deliver_due(engine, smtp_settings, limit=5):
            pass
        return "done"

    assert at_once(worker) == ["done", "done"]
    ids = [mail.message["Message-ID"] for mail in smtp_server.received]
    assert len(ids) == 20 and len(set(ids)) == 20
    assert statuses(session) == [EmailStatus.SENT] * 20


def test_without_smtp_the_message_stays_in_the_local_mailbox(
    session: Session, engine: Engine, settings: Settings, smtp_server: SmtpServer
) -> None:
    assert settings.mail_backend == "mailbox"
    (email,) = queue_test_mail(session, "ana@example.mx")

    assert deliver_due(engine, settings) == 1

    kept = fresh(session, Email, email.id)
    assert kept.status == EmailStatus.SENT and smtp_server.received == []
    assert kept.subject == "Prueba de correo de Tianguis Solidario"
    assert kept.text_body and "funciona" in kept.text_body and kept.html_body


def test_a_send_whose_outcome_is_lost_is_retried_as_the_same_message(
    session: Session,
    engine: Engine,
    smtp_server: SmtpServer,
    smtp_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The server accepted the message but the connection dropped before the worker heard it (as when the
    worker dies mid-send): the message is sent again, as the same message, which receivers recognise."""
    (email,) = queue_test_mail(session, "ana@example.mx")
    real_send = Smtp.send

    def send_then_lose_the_answer(transport: Smtp, message: EmailMessage) -> None:
        real_send(transport, message)
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr(Smtp, "send", send_then_lose_the_answer)
    deliver_due(engine, smtp_settings)
    assert fresh(session, Email, email.id).status == EmailStatus.QUEUED  # not known to be sent: it waits
    monkeypatch.setattr(Smtp, "send", real_send)
    make_due(engine)
    deliver_due(engine, smtp_settings)

    assert fresh(session, Email, email.id).status == EmailStatus.SENT
    assert [mail.message["Message-ID"] for mail in smtp_server.received] == [email.message_id] * 2
