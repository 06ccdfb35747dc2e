"""JSON API for accounts: registration, bearer tokens, log-in rate limiting, the current user."""

from __future__ import annotations

import json
import threading
from typing import Any

import anyio
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from market.accounts.models import ApiToken, LoginAttempt, User
from market.config import Settings
from tests.helpers import PASSWORD, TOKENS, api_token, count

REGISTER = "/api/v1/auth/register"
WRONG = {"email": "ana@example.mx", "password": "no-es-esta-123"}


def test_register_creates_an_account_with_a_lowercased_email(client: TestClient, session: Session) -> None:
    data = {"name": "Rosa Méndez", "email": "Rosa@Example.MX", "password": PASSWORD}

    response = client.post(REGISTER, json=data)

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["email"] == "rosa@example.mx"
    assert body["name"] == "Rosa Méndez"
    assert body["is_admin"] is False
    assert "password" not in body and "password_hash" not in body
    user = session.exec(select(User)).one()
    assert user.email == "rosa@example.mx"
    assert user.password_hash != PASSWORD


def test_register_with_a_taken_email_is_409(client: TestClient, make_user: Any, session: Session) -> None:
    make_user(email="ana@example.mx")
    data = {"name": "Otra Ana", "email": "ANA@example.mx", "password": PASSWORD}

    response = client.post(REGISTER, json=data)

    assert response.status_code == 409
    assert response.json()["error"] == "email_taken"
    assert response.json()["detail"] == "Ya existe una cuenta con ese correo."
    assert count(session, User) == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("password", "corta", "Escribe al menos 10 caracteres."),
        ("name", "A", "Escribe al menos 2 caracteres."),
        # A name goes into e-mails: it may not bring lines of its own (a fake header, a fake "ya pagado").
        (
            "name",
            "Eva\r\nBcc: spy@evil.example",
            "Escribe el nombre en una sola línea, sin caracteres de control.",
        ),
        ("name", "Eva\tLópez", "Escribe el nombre en una sola línea, sin caracteres de control."),
        ("locale", "fr", "Idioma no disponible."),
    ],
)
def test_register_rejects_bad_fields_with_spanish_messages(
    client: TestClient, session: Session, field: str, value: str, message: str
) -> None:
    data = {"name": "Rosa Méndez", "email": "rosa@example.mx", "password": PASSWORD} | {field: value}

    response = client.post(REGISTER, json=data)

    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "validation_error"
    assert body["detail"] == "Revisa los datos marcados."
    assert body["fields"] == {field: message}
    assert count(session, User) == 0


def test_register_without_a_body_says_the_body_is_missing(client: TestClient) -> None:
    response = client.post(REGISTER)

    assert response.status_code == 422
    assert response.json()["fields"] == {
        "body": "Falta el cuerpo de la petición: envía los datos como un objeto JSON."
    }


def test_issue_token_and_read_me(client: TestClient, make_user: Any) -> None:
    make_user(email="ana@example.mx", name="Ana López")
    credentials = {"email": " ANA@example.mx ", "password": PASSWORD, "name": "mi script"}

    response = client.post(TOKENS, json=credentials)

    assert response.status_code == 201, response.text
    issued = response.json()
    assert issued["token_type"] == "bearer" and issued["name"] == "mi script"
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {issued['token']}"})
    assert me.status_code == 200
    assert me.json()["email"] == "ana@example.mx" and me.json()["name"] == "Ana López"


@pytest.mark.parametrize(
    ("email", "password"), [("ana@example.mx", "contraseña-equivocada"), ("nadie@example.mx", PASSWORD)]
)
def test_wrong_credentials_are_401_without_saying_which(
    client: TestClient, make_user: Any, session: Session, email: str, password: str
) -> None:
    make_user(email="ana@example.mx")

    response = client.post(TOKENS, json={"email": email, "password": password})

    assert response.status_code == 401
    assert response.json() == {"error": "invalid_credentials", "detail": "Correo o contraseña incorrectos."}
    assert count(session, ApiToken) == 0


def test_login_rate_limit_counts_persisted_failures(
    client: TestClient, make_user: Any, session: Session, settings: Settings
) -> None:
    make_user(email="ana@example.mx")
    limit = settings.login_attempts_per_window

    for _ in range(limit):
        assert client.post(TOKENS, json=WRONG).status_code == 401

    # the failures were committed (the route returns its 401 instead of raising)
    attempts = session.exec(select(LoginAttempt)).all()
    assert len(attempts) == limit
    assert all(a.email == "ana@example.mx" and not a.succeeded for a in attempts)

    blocked = client.post(TOKENS, json={"email": "ana@example.mx", "password": PASSWORD})
    assert blocked.status_code == 429
    assert blocked.json()["error"] == "too_many_attempts"
    assert blocked.headers["Retry-After"] == str(blocked.json()["retry_after"])
    assert f"Espera {blocked.json()['retry_after']} segundos" in blocked.json()["detail"]
    assert count(session, ApiToken) == 0


def test_rate_limit_is_per_account(client: TestClient, make_user: Any, settings: Settings) -> None:
    make_user(email="ana@example.mx")
    make_user(email="beto@example.mx", name="Beto Ruiz")
    for _ in range(settings.login_attempts_per_window):
        client.post(TOKENS, json=WRONG)

    assert client.post(TOKENS, json={"email": "beto@example.mx", "password": PASSWORD}).status_code == 201


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer ts_no-existe"}, {"Authorization": "Basic eDp5"}]
)
def test_me_without_a_valid_token_is_401(client: TestClient, headers: dict[str, str]) -> None:
    response = client.get("/api/v1/me", headers=headers)

    assert response.status_code == 401
    assert response.json()["error"] == "not_authenticated"
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_revoked_token_no_longer_works(client: TestClient, make_user: Any, session: Session) -> None:
    make_user(email="ana@example.mx")
    headers = api_token(client, "ana@example.mx")
    other = api_token(client, "ana@example.mx")

    assert client.delete(f"{TOKENS}/current", headers=headers).status_code == 204

    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.json()["detail"] == "El token no es válido o fue revocado."
    assert client.get("/api/v1/me", headers=other).status_code == 200  # only the current token was revoked
    assert count(session, ApiToken) == 1


def test_error_messages_default_to_spanish(client: TestClient) -> None:
    response = client.get("/api/v1/me")

    assert response.json()["detail"] == "Envía un token en la cabecera Authorization: Bearer <token>."


def test_the_transaction_is_committed_before_the_response_is_sent(app: FastAPI, engine: Engine) -> None:
    """A client acts on a response at once (register, then ask for a token): what the response reports must
    already be committed when its first byte leaves, not in clean-up code that runs after sending."""
    body = json.dumps({"name": "Rosa Méndez", "email": "rosa@example.mx", "password": PASSWORD}).encode()
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": REGISTER,
        "raw_path": REGISTER.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver"), (b"content-type", b"application/json")],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    committed_when_sent: list[tuple[int, bool]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            with Session(engine) as other:
                exists = other.exec(select(User).where(User.email == "rosa@example.mx")).first() is not None
            committed_when_sent.append((message["status"], exists))

    # In a thread of its own: Playwright's session-wide browser keeps an event loop in the main thread.
    runner = threading.Thread(target=anyio.run, args=(app, scope, receive, send))
    runner.start()
    runner.join(30)

    assert committed_when_sent == [(201, True)]
