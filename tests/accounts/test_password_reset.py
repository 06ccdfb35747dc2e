"""A forgotten password: an e-mailed link, single-use and expiring, whose secret is stored only hashed; the
same answer whether or not the address has an account."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from market.accounts.models import AccountToken, User
from market.config import Settings
from market.db import utcnow
from market.mail.delivery import deliver_due
from market.mail.models import Email
from market.outbox import OutboxEvent
from tests.accounts.conftest import is_signed_in
from tests.fixtures.smtp import SmtpServer
from tests.helpers import (
    PASSWORD,
    account_emails,
    api_token,
    at_once,
    can_log_in,
    csrf_of,
    database_state,
    log_in,
)
from tests.pages import field_error, flash, heading, hrefs, main

RESET = "/api/v1/auth/password-reset"
CONFIRM = "/api/v1/auth/password-reset/confirm"
NEW_PASSWORD = "otra-contraseña-larga-2"
SENT = "Si hay una cuenta con ese correo, te enviamos un enlace para elegir una contraseña nueva."


def secret_of(email: dict[str, Any]) -> str:
    assert email["link"].startswith("/contrasena/nueva/")
    return str(email["link"].removeprefix("/contrasena/nueva/"))


def test_reset_by_the_api_from_request_to_new_password(
    app: FastAPI, client: TestClient, make_user: Any
) -> None:
    make_user("ana@example.mx", name="Ana López")

    response = client.post(RESET, json={"email": " Ana@Example.MX "})
    assert response.status_code == 202
    assert response.json() == {"detail": SENT}

    [email] = account_emails(app)
    assert email["to"] == "ana@example.mx"
    assert email["subject"] == "Elige una contraseña nueva para Tianguis Solidario"
    assert "Hola, Ana López" in email["body"] and "60 minutos" in email["body"]
    secret = secret_of(email)

    done = client.post(CONFIRM, json={"token": secret, "password": NEW_PASSWORD})
    assert done.status_code == 200, done.text
    assert done.json() == {"detail": "Listo: cambiamos tu contraseña."}
    assert not can_log_in(client, "ana@example.mx", PASSWORD)
    assert can_log_in(client, "ana@example.mx", NEW_PASSWORD)

    again = client.post(CONFIRM, json={"token": secret, "password": "una-tercera-contraseña"})
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_link"
    assert can_log_in(client, "ana@example.mx", NEW_PASSWORD)


def test_reset_on_the_pages(app: FastAPI, client: TestClient, make_user: Any) -> None:
    make_user("ana@example.mx")
    assert "/contrasena/olvidada" in hrefs(client.get("/entrar"))

    token = csrf_of(client, "/contrasena/olvidada")
    sent = client.post("/contrasena/olvidada", data={"email": "ana@example.mx", "csrf_token": token})
    assert sent.status_code == 200
    assert flash(sent) == SENT
    link = secret_of(account_emails(app)[0])
    path = f"/contrasena/nueva/{link}"

    form = client.get(path)
    assert form.status_code == 200 and heading(form) == "Elige una contraseña nueva"
    mismatch = client.post(
        path,
        data={
            "password": NEW_PASSWORD,
            "password_confirm": "no-es-la-misma-1",
            "csrf_token": csrf_of(client, path),
        },
    )
    assert mismatch.status_code == 422
    assert field_error(mismatch, "password_confirm") == "Las dos contraseñas no coinciden."
    short = client.post(
        path, data={"password": "corta", "password_confirm": "corta", "csrf_token": csrf_of(client, path)}
    )
    assert short.status_code == 422 and field_error(short, "password") == "Escribe al menos 10 caracteres."
    assert can_log_in(client, "ana@example.mx", PASSWORD)  # neither refusal changed anything

    done = client.post(
        path,
        data={
            "password": NEW_PASSWORD,
            "password_confirm": NEW_PASSWORD,
            "csrf_token": csrf_of(client, path),
        },
    )
    assert done.status_code == 303 and done.headers["location"] == "/entrar"
    assert flash(client.get("/entrar"), "success") == "Listo: cambiamos tu contraseña. Entra con la nueva."
    log_in(client, "ana@example.mx", NEW_PASSWORD)

    used = client.get(path)
    assert used.status_code == 400
    assert heading(used) == "Este enlace ya no sirve" and "/contrasena/olvidada" in hrefs(main(used))


def test_an_unknown_address_gets_the_same_answer_and_nothing_is_sent(
    app: FastAPI, client: TestClient, make_user: Any, session: Session
) -> None:
    make_user("ana@example.mx")

    known = client.post(RESET, json={"email": "ana@example.mx"})
    unknown = client.post(RESET, json={"email": "nadie@example.mx"})
    assert (unknown.status_code, unknown.json()) == (known.status_code, known.json())
    token = csrf_of(client, "/contrasena/olvidada")
    page = client.post("/contrasena/olvidada", data={"email": "nadie@example.mx", "csrf_token": token})
    assert page.status_code == 200 and flash(page) == SENT

    assert [email["to"] for email in account_emails(app)] == ["ana@example.mx"]
    # Each request did the same work: one event for the worker, whatever the address.
    assert len(session.exec(select(OutboxEvent).where(OutboxEvent.topic == "account_email")).all()) == 3


def test_a_malformed_address_is_a_field_error(client: TestClient) -> None:
    response = client.post(RESET, json={"email": "no-es-correo"})

    assert response.status_code == 422 and "email" in response.json()["fields"]


def test_an_expired_link_is_refused(app: FastAPI, client: TestClient, make_user: Any, engine: Engine) -> None:
    make_user("ana@example.mx")
    client.post(RESET, json={"email": "ana@example.mx"})
    secret = secret_of(account_emails(app)[0])
    with engine.begin() as connection:
        connection.execute(update(AccountToken).values(expires_at=utcnow() - timedelta(seconds=1)))

    assert client.get(f"/contrasena/nueva/{secret}").status_code == 400
    response = client.post(CONFIRM, json={"token": secret, "password": NEW_PASSWORD})
    assert response.status_code == 400
    assert response.json()["detail"] == "Este enlace no es válido: ya se usó o caducó. Pide uno nuevo."
    assert can_log_in(client, "ana@example.mx", PASSWORD)


def test_the_link_lasts_an_hour(app: FastAPI, client: TestClient, make_user: Any, session: Session) -> None:
    make_user("ana@example.mx")
    client.post(RESET, json={"email": "ana@example.mx"})
    account_emails(app)

    token = session.exec(select(AccountToken)).one()
    assert timedelta(minutes=59) < token.expires_at - token.created_at <= timedelta(minutes=60, seconds=1)


def test_an_unknown_or_garbled_link_is_refused(client: TestClient, make_user: Any) -> None:
    make_user("ana@example.mx")

    assert client.get("/contrasena/nueva/no-existe").status_code == 400
    assert client.get("/contrasena/nueva/" + "x" * 5000).status_code == 400
    response = client.post(CONFIRM, json={"token": "no-existe", "password": NEW_PASSWORD})
    assert response.status_code == 400 and response.json()["error"] == "invalid_link"


def test_once_sent_the_secret_is_stored_only_hashed(
    app: FastAPI,
    client: TestClient,
    make_user: Any,
    engine: Engine,
    smtp_server: SmtpServer,
    smtp_settings: Settings,
) -> None:
    make_user("ana@example.mx")
    client.post(RESET, json={"email": "ana@example.mx"})
    secret = secret_of(account_emails(app)[0])
    deliver_due(engine, smtp_settings)

    assert secret in smtp_server.to("ana@example.mx")[0].text  # it reached the person
    everything = repr(database_state(engine))  # every row of every table
    assert secret not in everything  # not in the token table, nor the e-mail sent, nor anywhere else
    assert hashlib.sha256(secret.encode()).hexdigest() in everything


def test_one_email_every_few_minutes_however_often_it_is_asked(
    app: FastAPI, client: TestClient, make_user: Any
) -> None:
    make_user("ana@example.mx")
    for _ in range(3):
        assert client.post(RESET, json={"email": "ana@example.mx"}).status_code == 202

    assert len(account_emails(app)) == 1


def test_two_workers_with_two_requests_send_one_email(
    app: FastAPI, client: TestClient, make_user: Any, session: Session, engine: Engine
) -> None:
    make_user("ana@example.mx")
    client.post(RESET, json={"email": "ana@example.mx"})
    client.post(RESET, json={"email": "ana@example.mx"})

    at_once(lambda: str(account_emails(app)))
    with engine.begin() as connection:  # an event a busy database made fail is retried: due now
        connection.execute(
            update(OutboxEvent).where(col(OutboxEvent.processed_at).is_(None)).values(available_at=utcnow())
        )
    account_emails(app)

    assert len(session.exec(select(Email).where(Email.kind == "password_reset")).all()) == 1
    assert len(session.exec(select(AccountToken)).all()) == 1


def test_a_new_password_closes_the_other_reset_links(
    app: FastAPI, client: TestClient, make_user: Any, settings: Settings
) -> None:
    settings.account_email_interval_seconds = 0  # two links, one after the other
    make_user("ana@example.mx")
    client.post(RESET, json={"email": "ana@example.mx"})
    first = secret_of(account_emails(app)[0])
    client.post(RESET, json={"email": "ana@example.mx"})
    second = secret_of(account_emails(app)[0])

    assert client.post(CONFIRM, json={"token": second, "password": NEW_PASSWORD}).status_code == 200
    assert (
        client.post(CONFIRM, json={"token": first, "password": "una-tercera-contraseña"}).status_code == 400
    )
    assert can_log_in(client, "ana@example.mx", NEW_PASSWORD)


def test_the_email_is_in_the_persons_language(
    app: FastAPI, client: TestClient, session: Session, make_user: Any
) -> None:
    user = make_user("ann@example.com", name="Ann Lee")
    user.locale = "en"
    session.add(user)
    session.commit()
    client.post(RESET, json={"email": "ann@example.com"})

    [email] = account_emails(app)
    assert email["subject"] == "Choose a new password for Tianguis Solidario"
    assert email["body"].startswith("Hi Ann Lee,")


def test_a_reset_confirms_the_address_the_link_reached(
    app: FastAPI, client: TestClient, make_user: Any, session: Session
) -> None:
    make_user("ana@example.mx", confirmed=False)
    account_emails(app)  # the confirmation e-mail of the registration
    client.post(RESET, json={"email": "ana@example.mx"})
    secret = secret_of(account_emails(app)[0])

    client.post(CONFIRM, json={"token": secret, "password": NEW_PASSWORD})

    me = client.get("/api/v1/me", headers=api_token(client, "ana@example.mx", NEW_PASSWORD))
    assert me.json()["email_confirmed"] is True
    session.expire_all()
    assert session.exec(select(User)).one().email_confirmed_at is not None


def test_a_reset_signs_out_every_browser_and_revokes_every_token(
    app: FastAPI, client: TestClient, make_user: Any, new_browser: Callable[[], TestClient]
) -> None:
    make_user("ana@example.mx")
    laptop = new_browser()
    log_in(laptop, "ana@example.mx")  # someone who should not be there any more
    intruder = api_token(new_browser(), "ana@example.mx")  # and the token they made
    client.post(RESET, json={"email": "ana@example.mx"})
    secret = secret_of(account_emails(app)[0])

    client.post(CONFIRM, json={"token": secret, "password": NEW_PASSWORD})

    assert not is_signed_in(laptop)
    assert client.get("/api/v1/me", headers=intruder).status_code == 401
