"""The daily digest: a producer's member who chose it gets, once a day from the digest hour (Mexico City),
one message listing what was held for them, in their language, each with its link; nothing before the hour,
nothing held goes out alone, essential messages outside the digest still go at once, and two workers at
once send one digest."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from market.accounts.models import User
from market.config import Settings
from market.mail import kinds, preferences
from market.mail.delivery import deliver_due
from market.mail.digest import send_digests
from market.mail.models import Email, EmailPreference, EmailStatus
from market.mail.queue import send
from market.mail.render import render
from market.mexico import MEXICO_CITY
from tests.fixtures.smtp import SmtpServer
from tests.helpers import at_once, fresh
from tests.mail import EXAMPLES

SETTINGS_HOUR = 8  # Settings.digest_hour's default
BEFORE = datetime(2030, 3, 4, 7, 59, tzinfo=MEXICO_CITY)
AFTER = datetime(2030, 3, 4, 8, 0, tzinfo=MEXICO_CITY)


def producer_with_digest(session: Session, make_user: Any, make_org: Any, **user: Any) -> User:
    person = make_user(**user)
    make_org(person, name=f"Cooperativa de {person.name}")
    preferences.update_choices(session, person, [], True)
    session.commit()
    return person


def subject_of(email: Email, settings: Settings) -> str:
    """The message's subject in its recipient's language, as the digest lists it."""
    return render(email, settings).subject


def hold_two(session: Session, engine: Engine, settings: Settings, person: User) -> list[Email]:
    held = [
        send(session, kinds.NEW_ORDER, person, **EXAMPLES["new_order"]),
        send(session, kinds.NEW_MESSAGE, person, **EXAMPLES["new_message"]),
    ]
    session.commit()
    deliver_due(engine, settings)
    for email in held:
        assert fresh(session, Email, email.id).status == EmailStatus.HELD
    return held


def test_a_producer_gets_one_digest_a_day_listing_what_was_held(
    session: Session,
    engine: Engine,
    smtp_server: SmtpServer,
    smtp_settings: Settings,
    make_user: Any,
    make_org: Any,
) -> None:
    assert smtp_settings.digest_hour == SETTINGS_HOUR
    rosa = producer_with_digest(session, make_user, make_org, email="rosa@example.mx", name="Rosa")
    held = hold_two(session, engine, smtp_settings, rosa)
    # An essential message that is not for the digest goes at once.
    send(session, kinds.TEST, rosa, sent_at=AFTER)
    session.commit()
    deliver_due(engine, smtp_settings)
    assert [m.message["Subject"] for m in smtp_server.to("rosa@example.mx")] == [
        "Prueba de correo de Tianguis Solidario"
    ]

    assert send_digests(engine, smtp_settings, now=BEFORE) == 0  # not before the hour
    assert send_digests(engine, smtp_settings, now=AFTER) == 1
    deliver_due(engine, smtp_settings)

    _test, digest = smtp_server.to("rosa@example.mx")
    assert digest.message["Subject"] == "Tu resumen del día: 2 avisos"
    assert digest.message["List-Unsubscribe"] is None  # the digest is about orders: essential
    text = digest.text
    order, message = (subject_of(email, smtp_settings) for email in held)
    assert f"Pedidos\n- {order}\n  http://127.0.0.1:8000/panel/o/cafe-la-esperanza/pedidos" in text
    assert f"Mensajes nuevos\n- {message}\n  http://127.0.0.1:8000/demandas/7" in text
    assert text.index(order) < text.index(message)
    assert '<a href="http://127.0.0.1:8000/demandas/7"' in digest.html
    digest_row = session.exec(select(Email).where(Email.kind == "digest")).one()
    for email in held:
        row = fresh(session, Email, email.id)
        assert row.status == EmailStatus.DIGESTED and row.digest_id == digest_row.id
    assert fresh(session, EmailPreference, rosa.id).last_digest_at == AFTER

    # Later the same day: what arrives waits for tomorrow's digest.
    later = send(session, kinds.NEW_ORDER, rosa, **EXAMPLES["new_order"])
    session.commit()
    deliver_due(engine, smtp_settings)
    assert send_digests(engine, smtp_settings, now=AFTER + timedelta(hours=10)) == 0
    assert fresh(session, Email, later.id).status == EmailStatus.HELD
    assert send_digests(engine, smtp_settings, now=AFTER + timedelta(days=1)) == 1
    deliver_due(engine, smtp_settings)
    assert len(smtp_server.to("rosa@example.mx")) == 3


def test_the_digest_is_in_the_persons_language(
    session: Session,
    engine: Engine,
    smtp_server: SmtpServer,
    smtp_settings: Settings,
    make_user: Any,
    make_org: Any,
) -> None:
    ann = producer_with_digest(session, make_user, make_org, email="ann@example.mx", name="Ann")
    ann.locale = "en"
    session.add(ann)
    session.commit()
    order, _message = hold_two(session, engine, smtp_settings, ann)

    send_digests(engine, smtp_settings, now=AFTER)
    deliver_due(engine, smtp_settings)

    (digest,) = smtp_server.to("ann@example.mx")
    assert digest.message["Subject"] == "Your daily summary: 2 notices"
    assert "Orders\n- Order 7: you have a new order to accept" in digest.text
    assert subject_of(fresh(session, Email, order.id), smtp_settings) in digest.text


def test_two_workers_at_once_send_one_digest(
    session: Session,
    engine: Engine,
    smtp_server: SmtpServer,
    smtp_settings: Settings,
    make_user: Any,
    make_org: Any,
) -> None:
    rosa = producer_with_digest(session, make_user, make_org, email="rosa@example.mx", name="Rosa")
    pepe = producer_with_digest(session, make_user, make_org, email="pepe@example.mx", name="Pepe")
    hold_two(session, engine, smtp_settings, rosa)
    hold_two(session, engine, smtp_settings, pepe)

    assert at_once(lambda: str(send_digests(engine, smtp_settings, now=AFTER))) in (["0", "2"], ["1", "1"])
    deliver_due(engine, smtp_settings)

    assert [m.message["Subject"] for m in smtp_server.received] == ["Tu resumen del día: 2 avisos"] * 2
    assert sorted(r for m in smtp_server.received for r in m.recipients) == [
        "pepe@example.mx",
        "rosa@example.mx",
    ]
    session.expire_all()
    statuses = [
        e.status for e in session.exec(select(Email).where(Email.kind != "digest").order_by(col(Email.id)))
    ]
    assert statuses == [EmailStatus.DIGESTED] * 4


def test_a_topic_turned_off_while_held_is_left_out(
    session: Session,
    engine: Engine,
    smtp_server: SmtpServer,
    smtp_settings: Settings,
    make_user: Any,
    make_org: Any,
) -> None:
    rosa = producer_with_digest(session, make_user, make_org, email="rosa@example.mx", name="Rosa")
    order, message = hold_two(session, engine, smtp_settings, rosa)
    preferences.update_choices(session, rosa, ["messages"], True)
    session.commit()

    send_digests(engine, smtp_settings, now=AFTER)
    deliver_due(engine, smtp_settings)

    (digest,) = smtp_server.to("rosa@example.mx")
    assert digest.message["Subject"] == "Tu resumen del día: 1 aviso"
    assert subject_of(message, smtp_settings) not in digest.text
    assert fresh(session, Email, message.id).status == EmailStatus.SUPPRESSED
    assert fresh(session, Email, order.id).status == EmailStatus.DIGESTED
