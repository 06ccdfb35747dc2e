"""The mailbox administrators read at /admin/correos: every message newest first, filtered by address and
status, each with its headers, its text and its HTML in a sandboxed frame (rendered on the fly while it
waits); with SMTP only who, what and how it went, never what it says; a message the server refused sent
again, once, in the audit log; nobody else sees any of it."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from market.app import create_app
from market.config import Settings
from market.db import utcnow
from market.mail import admin as mailbox
from market.mail import kinds
from market.mail.delivery import MAX_REJECTIONS, deliver_due
from market.mail.models import Email, EmailStatus
from market.mail.queue import send
from tests.admin.conftest import World, audit_entries
from tests.fixtures.smtp import SmtpServer
from tests.helpers import csrf_of, database_state, fresh, signed_in
from tests.pages import attr, buttons, facts, flash, heading, hrefs, maybe, one, soup, table_rows, texts

MAILBOX = "/admin/correos"


def queue_mail(session: Session, world: World) -> tuple[Email, Email, Email]:
    """A delivered test message to Eva, a password reset to Rosa still waiting, a newer reply to Eva."""
    first = send(session, kinds.TEST, world.buyer, sent_at=utcnow())
    session.commit()
    reset = send(session, kinds.PASSWORD_RESET, world.owner, link="/contrasena/nueva/un-secreto", minutes=60)
    notice = send(
        session,
        kinds.REVIEW_REPLY,
        world.buyer,
        link="/pedidos/7#parte-1",
        organization="Café de la Sierra",
        order_id=7,
        stars=4,
        reply="<b>Listo</b>",
    )
    for n, email in enumerate((first, reset, notice)):
        email.created_at = utcnow() - timedelta(minutes=10 - n)
    session.commit()
    return first, reset, notice


def park(engine: Engine, email: Email) -> None:
    with engine.begin() as connection:
        connection.execute(
            update(Email)
            .where(Email.id == email.id)  # type: ignore[arg-type]
            .values(
                status=EmailStatus.PARKED, rejections=MAX_REJECTIONS, tries=3, last_error="550 No mailbox"
            )
        )


def test_the_administrator_reads_every_message_newest_first(
    app: FastAPI, session: Session, engine: Engine, settings: Settings, world: World
) -> None:
    first, _reset, _notice = queue_mail(session, world)
    assert deliver_due(engine, settings, limit=1) == 1  # the first one is in the mailbox, the others wait
    admin = signed_in(app, world.admin.email)

    page = soup(admin.get(MAILBOX))

    assert heading(page) == "Correos" and "3 correos" in texts(page, "h1 ~ p.small")
    rows = [row[1:] for row in table_rows(page)]
    assert rows == [
        [
            "eva@example.mx",
            "Respuesta a una reseña",
            "Café de la Sierra respondió a tu reseña",
            "Por enviar",
            "",
        ],
        [
            "cafe@example.mx",
            "Cambio de contraseña",
            "Elige una contraseña nueva para Tianguis Solidario",
            "Por enviar",
            "",
        ],
        ["eva@example.mx", "Correo de prueba", "Prueba de correo de Tianguis Solidario", "Enviado", ""],
    ]
    assert f"{MAILBOX}/{first.id}" in hrefs(page, "table a")
    assert MAILBOX in hrefs(admin.get("/admin"))


def test_the_list_filters_by_address_and_status(
    app: FastAPI, session: Session, engine: Engine, settings: Settings, world: World
) -> None:
    queue_mail(session, world)
    deliver_due(engine, settings, limit=1)
    admin = signed_in(app, world.admin.email)

    to_eva = table_rows(admin.get(f"{MAILBOX}?to=EVA@"))
    assert [row[1] for row in to_eva] == ["eva@example.mx", "eva@example.mx"]
    sent = table_rows(admin.get(f"{MAILBOX}?status=sent"))
    assert [row[2] for row in sent] == ["Correo de prueba"]
    both = table_rows(admin.get(f"{MAILBOX}?to=cafe&status=queued"))
    assert [row[1] for row in both] == ["cafe@example.mx"]
    nothing = soup(admin.get(f"{MAILBOX}?to=nadie%25"))
    assert table_rows(nothing) == [] and texts(nothing, ".empty") == ["Ningún correo coincide con el filtro."]
    anything = table_rows(admin.get(f"{MAILBOX}?status=whatever"))  # an unknown status: no filter
    assert len(anything) == 3


def test_the_list_is_paginated(session: Session, settings: Settings, world: World) -> None:
    for n in range(mailbox.PER_PAGE + 2):
        send(session, kinds.TEST, f"p{n}@example.mx", sent_at=utcnow())
    session.commit()

    first = mailbox.messages(session, world.admin, settings, page=1)
    last = mailbox.messages(session, world.admin, settings, page=2)

    assert first.total == mailbox.PER_PAGE + 2 and first.pages == 2
    assert len(first.items) == mailbox.PER_PAGE and len(last.items) == 2
    assert last.items[-1].email.to_address == "p0@example.mx"  # the oldest, last


def test_a_delivered_message_shows_its_headers_text_and_sandboxed_html(
    app: FastAPI, session: Session, engine: Engine, settings: Settings, world: World
) -> None:
    first, _reset, _notice = queue_mail(session, world)
    deliver_due(engine, settings, limit=1)
    stored = fresh(session, Email, first.id)
    admin = signed_in(app, world.admin.email)

    page = soup(admin.get(f"{MAILBOX}/{first.id}"))

    assert heading(page) == "Prueba de correo de Tianguis Solidario"
    headers = facts(page)
    assert headers["De"] == settings.mail_from and headers["Para"] == "eva@example.mx"
    assert headers["Message-ID"] == first.message_id and headers["Estado"] == "Enviado"
    assert one(page, "pre.mail-text").get_text() == stored.text_body
    frame = one(page, "iframe")
    assert attr(frame, "sandbox") == ""  # no scripts, no same origin, no forms
    html = admin.get(attr(frame, "src") or "")
    assert html.text == stored.html_body
    # Its inline styles apply, nothing else loads or runs, and only this site frames it.
    policy = html.headers["content-security-policy"]
    assert "style-src 'unsafe-inline'" in policy and "default-src 'none'" in policy
    assert "frame-ancestors 'self'" in policy and "sandbox" in policy
    assert html.headers.get_list("content-security-policy") == [policy]
    assert html.headers["x-frame-options"] == "SAMEORIGIN"


def test_a_waiting_message_is_rendered_on_the_fly_and_not_stored(
    app: FastAPI, session: Session, engine: Engine, world: World
) -> None:
    _first, reset, notice = queue_mail(session, world)
    admin = signed_in(app, world.admin.email)
    before = database_state(engine)

    page = soup(admin.get(f"{MAILBOX}/{reset.id}"))

    assert heading(page) == "Elige una contraseña nueva para Tianguis Solidario"
    assert "Todavía no sale: así se verá cuando se envíe." in texts(page, "p.small")
    assert "http://127.0.0.1:8000/contrasena/nueva/un-secreto" in one(page, "pre.mail-text").get_text()
    html = admin.get(attr(one(page, "iframe"), "src") or "").text
    assert 'href="http://127.0.0.1:8000/contrasena/nueva/un-secreto"' in html
    # The reply is a person's text: escaped in the message, so no markup of it reaches the page.
    html = admin.get(f"{MAILBOX}/{notice.id}/html").text
    assert "&lt;b&gt;Listo&lt;/b&gt;" in html and "<b>Listo" not in html
    assert database_state(engine) == before
    assert fresh(session, Email, reset.id).subject is None


def test_with_smtp_the_mailbox_shows_status_and_errors_but_no_bodies(
    session: Session,
    engine: Engine,
    smtp_server: SmtpServer,
    smtp_settings: Settings,
    world: World,
) -> None:
    first, reset, _notice = queue_mail(session, world)
    smtp_server.refused.add("cafe@example.mx")
    deliver_due(engine, smtp_settings)
    park(engine, reset)
    app = create_app(smtp_settings)
    try:
        admin = signed_in(app, world.admin.email)
        listing = soup(admin.get(MAILBOX))
        assert one(listing, "#smtp-note")
        parked = [row for row in table_rows(listing) if row[1] == "cafe@example.mx"]
        assert parked[0][4:] == ["No enviado: el servidor de correo lo rechazó", "550 No mailbox"]

        page = soup(admin.get(f"{MAILBOX}/{first.id}"))
        assert (
            facts(page)["Estado"] == "Enviado" and heading(page) == "Prueba de correo de Tianguis Solidario"
        )
        assert maybe(page, "iframe") is None and maybe(page, "pre.mail-text") is None
        assert texts(page, "#smtp-note") == [
            "Los correos salen por el servidor SMTP: por privacidad, su contenido no se muestra aquí."
        ]
        assert maybe(soup(admin.get(f"{MAILBOX}/{reset.id}")), "iframe") is None
        assert admin.get(f"{MAILBOX}/{first.id}/html").status_code == 404  # nor by its own address
    finally:
        app.state.engine.dispose()


def test_a_parked_message_is_requeued_once_in_the_audit_log(
    app: FastAPI, session: Session, engine: Engine, world: World
) -> None:
    _first, reset, _notice = queue_mail(session, world)
    park(engine, reset)
    admin = signed_in(app, world.admin.email)
    path = f"{MAILBOX}/{reset.id}"
    assert "Poner de nuevo en la cola" in buttons(admin.get(path))
    assert "1 Correos rechazados por el servidor" in texts(admin.get("/admin"), ".admin-counts li")

    done = admin.post(f"{path}/reenviar", data={"csrf_token": csrf_of(admin, path)})

    assert done.status_code == 303 and done.headers["location"] == path
    page = soup(admin.get(path))
    assert flash(page, "success") == "El correo a cafe@example.mx volvió a la cola de envío."
    assert facts(page)["Estado"] == "Por enviar" and "Poner de nuevo en la cola" not in buttons(page)
    again = fresh(session, Email, reset.id)
    assert (again.status, again.rejections, again.tries) == (EmailStatus.QUEUED, 0, 0)
    assert again.available_at <= utcnow()
    [entry] = audit_entries(session)
    assert (entry.action, entry.target_type, entry.target_id) == ("email.requeue", "email", reset.id)
    assert entry.actor_id == world.admin.id and entry.details == {"last_error": "550 No mailbox"}
    assert path in hrefs(admin.get("/admin/auditoria?action=email"), "tr[data-entry] a")

    before = database_state(engine)
    twice = admin.post(f"{path}/reenviar", data={"csrf_token": csrf_of(admin, path)})
    assert twice.status_code == 303
    assert flash(admin.get(path)) == "Solo se puede volver a enviar un correo que el servidor rechazó."
    assert database_state(engine) == before


def test_nobody_else_reads_the_mailbox_or_requeues(
    app: FastAPI, session: Session, engine: Engine, world: World
) -> None:
    _first, reset, _notice = queue_mail(session, world)
    park(engine, reset)
    producer = signed_in(app, world.owner.email)
    before = database_state(engine)

    assert producer.get(MAILBOX).status_code == 403
    assert producer.get(f"{MAILBOX}/{reset.id}").status_code == 403
    assert producer.get(f"{MAILBOX}/999999").status_code == 403  # no probing which messages exist
    refused = producer.post(
        f"{MAILBOX}/{reset.id}/reenviar", data={"csrf_token": csrf_of(producer, "/panel")}
    )
    assert refused.status_code == 403
    anonymous = TestClient(app, follow_redirects=False)
    assert anonymous.get(MAILBOX).headers["location"].startswith("/entrar")
    assert database_state(engine) == before
    assert fresh(session, Email, reset.id).status == EmailStatus.PARKED


def test_an_unknown_message_is_not_found(app: FastAPI, world: World) -> None:
    admin = signed_in(app, world.admin.email)
    assert admin.get(f"{MAILBOX}/999999").status_code == 404
    assert (
        admin.post(f"{MAILBOX}/999999/reenviar", data={"csrf_token": csrf_of(admin, MAILBOX)}).status_code
        == 404
    )
