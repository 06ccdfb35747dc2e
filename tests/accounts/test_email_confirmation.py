"""Confirming the e-mail given at registration: the link sent then (or again on request, at most one every
few minutes), the banner until it is done, and what `GET /me` says."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bs4 import Tag
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from market.accounts.models import AccountToken, User
from market.db import utcnow
from tests.helpers import PASSWORD, account_emails, api_token, csrf_of, log_in
from tests.pages import Html, flash, flashes, form_actions, heading, maybe, one

CONFIRM = "/api/v1/auth/email-confirmation/confirm"
RESEND = "/api/v1/auth/email-confirmation"


def banner(page: Html) -> Tag | None:
    """The notice, atop every page, that asks to confirm the e-mail address (with a button for a new link)."""
    return maybe(page, "#confirmar-correo")


def secret_of(email: dict[str, Any]) -> str:
    """The link's secret (without the `?next=` of where it leads on)."""
    assert email["link"].startswith("/correo/confirmar/")
    return str(email["link"].removeprefix("/correo/confirmar/").partition("?")[0])


def register_on_the_page(client: TestClient, email: str = "eva@example.mx") -> None:
    token = csrf_of(client, "/registro")
    form = {
        "name": "Eva Martínez",
        "email": email,
        "password": PASSWORD,
        "locale": "es_MX",
        "csrf_token": token,
    }
    assert client.post("/registro", data=form).status_code == 303


def test_registration_by_the_api_asks_to_confirm_and_the_link_confirms(
    app: FastAPI, client: TestClient
) -> None:
    registered = client.post(
        "/api/v1/auth/register",
        json={"name": "Rosa Méndez", "email": "rosa@example.mx", "password": PASSWORD},
    )
    assert registered.status_code == 201 and registered.json()["email_confirmed"] is False
    headers = api_token(client, "rosa@example.mx")
    assert client.get("/api/v1/me", headers=headers).json()["email_confirmed"] is False

    [email] = account_emails(app)
    assert email["to"] == "rosa@example.mx"
    assert email["subject"] == "Confirma tu correo en Tianguis Solidario"
    assert "3 días" in email["body"]

    done = client.post(CONFIRM, json={"token": secret_of(email)})
    assert done.status_code == 200 and done.json() == {"detail": "Confirmamos tu correo. ¡Gracias!"}
    assert client.get("/api/v1/me", headers=headers).json()["email_confirmed"] is True
    again = client.post(CONFIRM, json={"token": secret_of(email)})
    assert again.status_code == 400 and again.json()["error"] == "invalid_link"


def test_registration_on_the_page_shows_the_banner_until_the_link_is_opened(
    app: FastAPI, client: TestClient
) -> None:
    register_on_the_page(client)
    panel = client.get("/panel")
    assert "Te enviamos un correo a eva@example.mx" in flash(panel, "success")  # the welcome
    notice = banner(panel)
    assert notice is not None and form_actions(notice) == ["/correo/reenviar"]
    assert banner(client.get("/catalogo")) is not None

    [email] = account_emails(app)
    opened = client.get(email["link"])
    assert opened.status_code == 303 and opened.headers["location"] == "/catalogo"  # a buyer, from nowhere
    panel = client.get("/panel")
    assert flash(panel, "success").startswith("Confirmamos tu correo.")
    assert banner(panel) is None


def test_the_link_works_without_being_signed_in(
    app: FastAPI, client: TestClient, make_user: Any, session: Session
) -> None:
    make_user("ana@example.mx", confirmed=False)
    [email] = account_emails(app)

    opened = client.get(email["link"])

    assert opened.status_code == 303 and opened.headers["location"] == "/entrar?next=/catalogo"
    session.expire_all()
    assert session.exec(select(User)).one().email_confirmed


def test_a_used_or_expired_link_offers_a_new_one(app: FastAPI, client: TestClient, engine: Engine) -> None:
    register_on_the_page(client)
    [email] = account_emails(app)
    with engine.begin() as connection:
        connection.execute(update(AccountToken).values(expires_at=utcnow() - timedelta(seconds=1)))

    expired = client.get(email["link"])
    assert expired.status_code == 400
    assert heading(expired) == "Este enlace ya no sirve"
    assert form_actions(one(expired, "main > section")) == ["/correo/reenviar"]
    assert client.post(CONFIRM, json={"token": secret_of(email)}).status_code == 400


def test_resending_on_the_page_is_limited_to_one_every_few_minutes(app: FastAPI, client: TestClient) -> None:
    register_on_the_page(client)
    account_emails(app)  # the registration's e-mail went out just now

    soon = client.post(
        "/correo/reenviar", data={"next": "/catalogo", "csrf_token": csrf_of(client, "/panel")}
    )
    assert soon.status_code == 303 and soon.headers["location"] == "/catalogo"
    assert flash(client.get("/catalogo"), "error").startswith("Te enviamos un enlace hace poco")
    assert account_emails(app) == []


def test_resending_by_the_api(app: FastAPI, client: TestClient, make_user: Any, engine: Engine) -> None:
    make_user("ana@example.mx", confirmed=False)
    headers = api_token(client, "ana@example.mx")
    account_emails(app)

    too_soon = client.post(RESEND, headers=headers)
    assert too_soon.status_code == 429 and too_soon.json()["error"] == "too_soon"
    assert "3 minutos" in too_soon.json()["detail"]
    assert 170 < too_soon.json()["retry_after"] <= 180 and too_soon.headers["Retry-After"] == str(
        too_soon.json()["retry_after"]
    )

    with engine.begin() as connection:  # some minutes later
        connection.execute(update(AccountToken).values(created_at=utcnow() - timedelta(minutes=4)))
    sent = client.post(RESEND, headers=headers)
    assert sent.status_code == 202 and sent.json() == {
        "detail": "Te enviamos un enlace para confirmar tu correo."
    }
    [email] = account_emails(app)
    assert client.post(CONFIRM, json={"token": secret_of(email)}).status_code == 200

    confirmed = client.post(RESEND, headers=headers)
    assert confirmed.status_code == 409 and confirmed.json()["error"] == "email_already_confirmed"
    assert account_emails(app) == []


def test_confirmed_people_see_no_banner(client: TestClient, make_user: Any) -> None:
    make_user("ana@example.mx")
    log_in(client, "ana@example.mx")

    panel = client.get("/panel")
    assert banner(panel) is None and flashes(panel) == []
