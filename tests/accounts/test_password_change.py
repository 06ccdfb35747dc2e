"""Changing one's password while signed in: the current one first; a wrong one writes nothing (but counts
like a failed log-in), on the pages and the API alike."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from market.config import Settings
from tests.accounts.conftest import is_signed_in
from tests.helpers import PASSWORD, account_emails, api_token, can_log_in, csrf_of, database_state, log_in
from tests.pages import attr, field_error, flash, hrefs, one

CHANGE = "/api/v1/auth/password"
NEW_PASSWORD = "otra-contraseña-larga-2"
PAGE = "/cuenta/contrasena"


def test_change_by_the_api(client: TestClient, make_user: Any, engine: Engine) -> None:
    make_user("ana@example.mx")
    headers = api_token(client, "ana@example.mx")
    before = database_state(engine)

    wrong = client.post(
        CHANGE, headers=headers, json={"current_password": "no-es-esta-1", "password": NEW_PASSWORD}
    )
    assert wrong.status_code == 422
    assert wrong.json()["fields"] == {"current_password": "Esa no es tu contraseña actual."}
    assert database_state(engine) == before

    weak = client.post(CHANGE, headers=headers, json={"current_password": PASSWORD, "password": "corta"})
    assert weak.status_code == 422 and weak.json()["fields"] == {
        "password": "Escribe al menos 10 caracteres."
    }
    assert database_state(engine) == before

    done = client.post(CHANGE, headers=headers, json={"current_password": PASSWORD, "password": NEW_PASSWORD})
    assert done.status_code == 200 and done.json() == {"detail": "Listo: cambiamos tu contraseña."}
    assert not can_log_in(client, "ana@example.mx", PASSWORD)
    assert can_log_in(client, "ana@example.mx", NEW_PASSWORD)


def test_change_by_the_api_needs_a_token(client: TestClient) -> None:
    response = client.post(CHANGE, json={"current_password": PASSWORD, "password": NEW_PASSWORD})

    assert response.status_code == 401


def test_guessing_the_current_password_is_limited_like_logging_in(
    client: TestClient, make_user: Any, settings: Settings
) -> None:
    make_user("ana@example.mx")
    headers = api_token(client, "ana@example.mx")
    for n in range(settings.login_attempts_per_window):
        guess = {"current_password": f"adivinanza-{n}", "password": NEW_PASSWORD}
        assert client.post(CHANGE, headers=headers, json=guess).status_code == 422

    right = client.post(
        CHANGE, headers=headers, json={"current_password": PASSWORD, "password": NEW_PASSWORD}
    )
    assert right.status_code == 429
    assert not can_log_in(client, "ana@example.mx", NEW_PASSWORD)


def test_change_on_the_page(client: TestClient, make_user: Any, engine: Engine) -> None:
    make_user("ana@example.mx")
    assert client.get(PAGE).headers["location"].startswith("/entrar?next=")
    log_in(client, "ana@example.mx")
    assert PAGE in hrefs(client.get("/panel"))
    before = database_state(engine)

    def send(current: str, new: str, again: str) -> Any:
        form = {"current_password": current, "password": new, "password_confirm": again}
        return client.post(PAGE, data=form | {"csrf_token": csrf_of(client, PAGE)})

    wrong = send("no-es-esta-1", NEW_PASSWORD, NEW_PASSWORD)
    assert wrong.status_code == 422
    assert attr(one(wrong, "[name='current_password']"), "aria-describedby") == "e-current_password"
    assert field_error(wrong, "current_password") == "Esa no es tu contraseña actual."
    mismatch = send(PASSWORD, NEW_PASSWORD, "no-es-la-misma-1")
    assert mismatch.status_code == 422
    assert field_error(mismatch, "password_confirm") == "Las dos contraseñas no coinciden."
    assert database_state(engine) == before

    done = send(PASSWORD, NEW_PASSWORD, NEW_PASSWORD)
    assert done.status_code == 303 and done.headers["location"] == "/panel"
    assert flash(client.get("/panel"), "success") == "Listo: cambiamos tu contraseña."
    assert can_log_in(client, "ana@example.mx", NEW_PASSWORD)
    assert not can_log_in(client, "ana@example.mx", PASSWORD)


def test_a_changed_password_closes_the_reset_links_asked_for_before(
    app: FastAPI, client: TestClient, make_user: Any
) -> None:
    make_user("ana@example.mx")
    client.post("/api/v1/auth/password-reset", json={"email": "ana@example.mx"})
    [email] = account_emails(app)
    headers = api_token(client, "ana@example.mx")
    client.post(CHANGE, headers=headers, json={"current_password": PASSWORD, "password": NEW_PASSWORD})

    token = email["link"].removeprefix("/contrasena/nueva/")
    stale = client.post(
        "/api/v1/auth/password-reset/confirm", json={"token": token, "password": "tercera-contraseña"}
    )
    assert stale.status_code == 400
    assert can_log_in(client, "ana@example.mx", NEW_PASSWORD)


def test_a_new_password_signs_out_the_other_browsers_but_not_this_one(
    client: TestClient, make_user: Any, new_browser: Callable[[], TestClient]
) -> None:
    make_user("ana@example.mx")
    log_in(client, "ana@example.mx")
    phone = new_browser()
    log_in(phone, "ana@example.mx")
    token = api_token(new_browser(), "ana@example.mx")
    form = {"current_password": PASSWORD, "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}

    assert client.post(PAGE, data=form | {"csrf_token": csrf_of(client, PAGE)}).status_code == 303

    assert is_signed_in(client)
    assert not is_signed_in(phone)
    assert client.get("/api/v1/me", headers=token).status_code == 401


def test_a_new_password_by_the_api_signs_out_every_browser_and_every_other_token(
    client: TestClient, make_user: Any, new_browser: Callable[[], TestClient]
) -> None:
    make_user("ana@example.mx")
    phone = new_browser()
    log_in(phone, "ana@example.mx")
    other = api_token(new_browser(), "ana@example.mx")
    headers = api_token(client, "ana@example.mx")

    client.post(CHANGE, headers=headers, json={"current_password": PASSWORD, "password": NEW_PASSWORD})

    assert not is_signed_in(phone)
    assert client.get("/api/v1/me", headers=other).status_code == 401
    assert client.get("/api/v1/me", headers=headers).status_code == 200  # the one it was changed with stays
