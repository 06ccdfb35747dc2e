"""An administrator signs a person out everywhere: every session ends, every API token is revoked, and the
audit log says who did it. Nobody else may."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from market.accounts.models import ApiToken
from market.admin.models import AuditEntry
from tests.accounts.conftest import is_signed_in, session_ids
from tests.helpers import api_token, database_state, log_in


def signed_in_browser(new_browser: Callable[[], TestClient], email: str) -> TestClient:
    client = new_browser()
    log_in(client, email)
    return client


def test_an_administrator_signs_a_person_out_everywhere(
    client: TestClient, make_user: Any, session: Session, new_browser: Callable[[], TestClient]
) -> None:
    admin = make_user("admin@example.mx", name="Equipo Tianguis", is_admin=True)
    ana = make_user("ana@example.mx")
    phone, laptop = (signed_in_browser(new_browser, "ana@example.mx") for _ in range(2))
    scripts = [api_token(client, "ana@example.mx") for _ in range(2)]
    admin_browser = signed_in_browser(new_browser, "admin@example.mx")
    admin_token = api_token(client, "admin@example.mx")

    response = client.post(f"/api/v1/admin/users/{ana.id}/sign-out", headers=admin_token)

    assert response.status_code == 200, response.text
    assert response.json() == {"user_id": ana.id, "sessions_ended": 2, "tokens_revoked": 2}
    assert not is_signed_in(phone) and not is_signed_in(laptop)
    assert all(client.get("/api/v1/me", headers=h).status_code == 401 for h in scripts)
    assert session_ids(session, ana) == []
    # The administrator's own session and token are untouched.
    assert is_signed_in(admin_browser) and client.get("/api/v1/me", headers=admin_token).status_code == 200
    entry = session.exec(select(AuditEntry)).one()
    assert (entry.actor_id, entry.action, entry.target_type, entry.target_id) == (
        admin.id,
        "user.sign_out",
        "user",
        ana.id,
    )
    assert entry.target_label == "Ana López (ana@example.mx)"
    assert entry.details == {"sessions_ended": 2, "tokens_revoked": 2}


def test_only_administrators_may_sign_someone_out_and_a_refusal_writes_nothing(
    client: TestClient,
    make_user: Any,
    session: Session,
    engine: Engine,
    new_browser: Callable[[], TestClient],
) -> None:
    ana = make_user("ana@example.mx")
    make_user("beto@example.mx", name="Beto Ruiz")
    ana_browser = signed_in_browser(new_browser, "ana@example.mx")
    ana_token = api_token(client, "ana@example.mx")
    beto = api_token(client, "beto@example.mx")
    before = database_state(engine)

    forbidden = client.post(f"/api/v1/admin/users/{ana.id}/sign-out", headers=beto)
    unknown = client.post("/api/v1/admin/users/999999/sign-out", headers=beto)
    anonymous = client.post(f"/api/v1/admin/users/{ana.id}/sign-out")

    assert forbidden.status_code == unknown.status_code == 403  # nobody else learns which accounts exist
    assert forbidden.json()["error"] == "forbidden"
    assert anonymous.status_code == 401
    assert database_state(engine) == before
    assert session.exec(select(func.count()).select_from(ApiToken)).one() == 2
    assert is_signed_in(ana_browser) and client.get("/api/v1/me", headers=ana_token).status_code == 200


def test_an_unknown_person_is_404_for_an_administrator(
    client: TestClient, make_user: Any, engine: Engine
) -> None:
    make_user("admin@example.mx", name="Equipo Tianguis", is_admin=True)
    admin = api_token(client, "admin@example.mx")
    before = database_state(engine)

    response = client.post("/api/v1/admin/users/999999/sign-out", headers=admin)

    assert response.status_code == 404 and response.json()["error"] == "not_found"
    assert database_state(engine) == before
