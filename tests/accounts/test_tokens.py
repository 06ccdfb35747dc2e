"""API tokens expire, and a person lists and revokes their own, one by one, never anyone else's."""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlmodel import Session, col, select

from market.accounts.models import ApiToken, LoginAttempt
from market.app import create_app
from market.config import Settings
from market.db import make_engine, utcnow
from market.migrate import alembic_config
from tests.fixtures.app import served
from tests.helpers import PASSWORD, TOKENS, api_token


def issue(client: TestClient, email: str, **extra: Any) -> dict[str, Any]:
    response = client.post(TOKENS, json={"email": email, "password": PASSWORD} | extra)
    assert response.status_code == 201, response.text
    issued: dict[str, Any] = response.json()
    issued["headers"] = {"Authorization": f"Bearer {issued['token']}"}
    return issued


def test_a_new_token_lives_the_configured_days_or_fewer_when_asked(
    client: TestClient, make_user: Any, settings: Settings
) -> None:
    make_user("ana@example.mx")

    default = issue(client, "ana@example.mx")
    week = issue(client, "ana@example.mx", name="una semana", expires_in_days=7)

    lifetime = datetime.fromisoformat(default["expires_at"]) - utcnow()
    assert timedelta(days=settings.api_token_days) - lifetime < timedelta(minutes=1)
    assert settings.api_token_days == 90
    assert timedelta(days=7) - (datetime.fromisoformat(week["expires_at"]) - utcnow()) < timedelta(minutes=1)
    assert week["name"] == "una semana" and isinstance(week["id"], int)


def test_a_lifetime_beyond_the_limit_is_refused_and_writes_nothing(
    client: TestClient, make_user: Any, session: Session, settings: Settings
) -> None:
    make_user("ana@example.mx")
    settings.api_token_days = 30  # the app reads its settings at each request

    response = client.post(
        TOKENS, json={"email": "ana@example.mx", "password": PASSWORD, "expires_in_days": 31}
    )

    assert response.status_code == 422
    assert response.json()["fields"] == {"expires_in_days": "Un token dura como máximo 30 días."}
    assert session.exec(select(func.count()).select_from(ApiToken)).one() == 0
    assert session.exec(select(func.count()).select_from(LoginAttempt)).one() == 0


def test_an_expired_token_answers_401_saying_it_expired(
    client: TestClient, make_user: Any, session: Session
) -> None:
    make_user("ana@example.mx")
    headers = issue(client, "ana@example.mx")["headers"]
    token = session.exec(select(ApiToken)).one()
    token.expires_at = datetime(2026, 3, 5, 18, 0, tzinfo=UTC)
    session.commit()

    response = client.get("/api/v1/me", headers=headers)

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.json() == {
        "error": "token_expired",
        "detail": "Este token venció el 2026-03-05. Pide uno nuevo con POST /api/v1/auth/tokens.",
    }
    english = client.get("/api/v1/me", headers=headers | {"Accept-Language": "en"})
    assert english.json()["detail"].startswith("This token expired on 2026-03-05.")


def test_a_person_lists_their_own_tokens_with_the_current_one_marked(
    client: TestClient, make_user: Any
) -> None:
    make_user("ana@example.mx")
    make_user("beto@example.mx", name="Beto Ruiz")
    laptop = issue(client, "ana@example.mx", name="portátil")
    script = issue(client, "ana@example.mx", name="script de inventario")
    issue(client, "beto@example.mx", name="de Beto")
    client.get("/api/v1/me", headers=script["headers"])

    response = client.get(TOKENS, headers=laptop["headers"])

    assert response.status_code == 200
    listed = response.json()
    assert [(t["id"], t["name"], t["current"]) for t in listed] == [
        (script["id"], "script de inventario", False),
        (laptop["id"], "portátil", True),
    ]
    assert set(listed[0]) == {"id", "name", "created_at", "last_used_at", "expires_at", "current"}
    assert listed[0]["last_used_at"] is not None and listed[0]["expires_at"] == script["expires_at"]


def test_a_token_is_revoked_by_its_id(client: TestClient, make_user: Any) -> None:
    make_user("ana@example.mx")
    laptop = issue(client, "ana@example.mx", name="portátil")
    script = issue(client, "ana@example.mx", name="script")

    response = client.delete(f"{TOKENS}/{script['id']}", headers=laptop["headers"])

    assert response.status_code == 204
    assert client.get("/api/v1/me", headers=script["headers"]).status_code == 401
    assert [t["id"] for t in client.get(TOKENS, headers=laptop["headers"]).json()] == [laptop["id"]]


def test_another_persons_token_is_404_like_an_unknown_one_and_stays(
    client: TestClient, make_user: Any, session: Session
) -> None:
    make_user("ana@example.mx")
    make_user("beto@example.mx", name="Beto Ruiz")
    ana = api_token(client, "ana@example.mx")
    beto = issue(client, "beto@example.mx")

    response = client.delete(f"{TOKENS}/{beto['id']}", headers=ana)

    assert response.status_code == 404
    assert response.json() == client.delete(f"{TOKENS}/999999", headers=ana).json()
    assert client.get("/api/v1/me", headers=beto["headers"]).status_code == 200
    assert session.exec(select(func.count()).select_from(ApiToken)).one() == 2


def test_listing_tokens_needs_a_token(client: TestClient) -> None:
    assert client.get(TOKENS).status_code == 401


def test_tokens_issued_before_they_expired_expire_90_days_after_the_upgrade(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/old.db"
    command.upgrade(alembic_config(url), "c7e2a9d41b36")  # the revision before tokens expired
    with sqlite3.connect(f"{tmp_path}/old.db") as db:
        db.execute(
            "INSERT INTO user (id, email, name, password_hash, locale, is_admin, is_active, created_at) "
            "VALUES (1, 'ana@example.mx', 'Ana', 'x', 'es_MX', 0, 1, '2025-01-01 00:00:00')"
        )
        db.execute(
            "INSERT INTO apitoken (id, user_id, name, token_hash, created_at) "
            "VALUES (1, 1, 'viejo', 'abc', '2025-01-01 00:00:00')"
        )

    command.upgrade(alembic_config(url), "head")

    engine = make_engine(url)
    with Session(engine) as session:
        token = session.exec(select(ApiToken)).one()
    engine.dispose()
    assert abs(token.expires_at - (utcnow() + timedelta(days=90))) < timedelta(minutes=1)


def test_requests_with_tokens_due_for_their_mark_need_one_connection_each(
    settings: Settings, make_user: Any
) -> None:
    # Marking when a token was used once took a second connection while the request held its first: with
    # the pool's connections all held by requests, every one of them waited for another, and all failed.
    one = settings.model_copy(update={"database_pool_size": 1, "database_max_overflow": 0})
    app = create_app(one)
    make_user("ana@example.mx")
    credentials = {"email": "ana@example.mx", "password": PASSWORD}

    def list_tokens(token: str) -> int:
        headers = {"Authorization": f"Bearer {token}"}
        return httpx.get(f"{url}{TOKENS}", headers=headers, timeout=60).status_code

    with served(app, one) as url:
        fresh = [httpx.post(f"{url}{TOKENS}", json=credentials).json() for _ in range(4)]
        with ThreadPoolExecutor(4) as pool:  # four requests for one connection, each marking its token
            answers = list(pool.map(list_tokens, [t["token"] for t in fresh]))
    assert answers == [200] * 4
    ids = [t["id"] for t in fresh]
    with Session(app.state.engine) as session:  # the server has stopped: every request committed
        assert None not in session.exec(select(ApiToken.last_used_at).where(col(ApiToken.id).in_(ids))).all()
    app.state.engine.dispose()
