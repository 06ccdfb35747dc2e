"""Sessions kept on the server: log-out, a new log-in, expiry and ending all of a person's sessions end
them at once, whatever copy of the cookie is still around; the worker prunes what has expired."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from market import worker
from market.accounts import sessions
from market.accounts.models import ApiToken, BrowserSession
from market.config import Settings
from market.db import utcnow
from tests.accounts.conftest import COOKIE, is_signed_in, session_ids
from tests.helpers import PASSWORD, at_once, csrf_of, log_in
from tests.pages import hrefs, one

CHROME_ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Mobile Safari/537.36"
)


def copy_of_cookie(client: TestClient, new_browser: Callable[[], TestClient]) -> TestClient:
    """Another browser holding exactly the cookie `client` holds now."""
    thief = new_browser()
    thief.cookies.set(COOKIE, client.cookies[COOKIE])
    return thief


def test_a_cookie_copied_before_log_out_no_longer_opens_the_panel(
    client: TestClient, make_user: Any, session: Session, new_browser: Callable[[], TestClient]
) -> None:
    ana = make_user("ana@example.mx")
    log_in(client, "ana@example.mx")
    thief = copy_of_cookie(client, new_browser)
    assert is_signed_in(thief)  # the copy works while the session lives

    client.post("/salir", data={"csrf_token": csrf_of(client, "/panel")})

    assert session_ids(session, ana) == []
    response = thief.get("/panel")
    assert response.status_code == 303 and response.headers["location"].startswith("/entrar?next=")


def test_log_in_starts_a_fresh_session_and_the_old_cookie_is_not_reused(
    client: TestClient, make_user: Any, session: Session, new_browser: Callable[[], TestClient]
) -> None:
    make_user("ana@example.mx")
    log_in(client, "ana@example.mx")
    first = session.exec(select(BrowserSession.secret_hash)).one()
    before = copy_of_cookie(client, new_browser)

    # The same browser signs in again (its cookie already names a session).
    response = client.post(
        "/entrar",
        data={"email": "ana@example.mx", "password": PASSWORD, "csrf_token": csrf_of(client, "/panel")},
    )

    assert response.status_code == 303
    session.expire_all()
    assert session.exec(select(BrowserSession.secret_hash)).one() != first  # one row, and a new one
    assert client.cookies[COOKIE] != before.cookies[COOKIE]
    assert is_signed_in(client)
    assert not is_signed_in(before)


def test_registering_signs_in_with_a_session_row_that_names_the_device(
    client: TestClient, session: Session
) -> None:
    form = {"name": "Eva", "email": "eva@example.mx", "password": PASSWORD, "locale": "es_MX"}
    client.post(
        "/registro",
        data=form | {"csrf_token": csrf_of(client, "/registro")},
        headers={"User-Agent": CHROME_ANDROID},
    )

    row = session.exec(select(BrowserSession)).one()
    assert row.device == "Chrome · Android"
    assert row.ip == "testclient"
    assert row.secret_hash not in client.cookies[COOKIE]  # only a hash is stored, not what the cookie holds
    assert row.expires_at - row.created_at == timedelta(days=14)


def test_end_all_sessions_ends_the_others_and_keeps_the_given_one(
    make_user: Any, session: Session, settings: Settings
) -> None:
    ana, beto = make_user("ana@example.mx"), make_user("beto@example.mx", name="Beto Ruiz")
    for user in (ana, ana, ana, beto):
        sessions.start_session(session, settings, user, "10.0.0.1", CHROME_ANDROID)
    session.commit()
    _phone, laptop, _tablet = session_ids(session, ana)

    ended = sessions.end_all_sessions(session, ana.id, keep=laptop)
    session.commit()

    assert ended == 2
    assert session_ids(session, ana) == [laptop]
    assert len(session_ids(session, beto)) == 1  # nobody else's
    assert sessions.end_all_sessions(session, ana.id) == 1
    session.commit()
    assert session_ids(session, ana) == []


def test_an_expired_session_is_anonymous_and_its_cookie_is_cleared(
    client: TestClient, make_user: Any, session: Session
) -> None:
    ana = make_user("ana@example.mx")
    log_in(client, "ana@example.mx")
    row = session.get(BrowserSession, session_ids(session, ana)[0])
    assert row is not None
    row.expires_at = utcnow() - timedelta(seconds=1)
    session.commit()

    response = client.get("/panel")

    assert response.status_code == 303 and response.headers["location"].startswith("/entrar")
    cleared = response.headers["set-cookie"]
    assert cleared.startswith(f"{COOKIE}=null;") and "01 Jan 1970" in cleared
    assert "/entrar" in hrefs(one(client.get("/"), "header nav"))  # anonymous on every page


def test_a_session_in_use_is_seen_at_most_once_a_minute_and_stays_alive(
    client: TestClient, make_user: Any, session: Session, settings: Settings
) -> None:
    ana = make_user("ana@example.mx")
    log_in(client, "ana@example.mx")
    row = session.get(BrowserSession, session_ids(session, ana)[0])
    assert row is not None
    recently, long_ago = utcnow() - timedelta(seconds=30), utcnow() - timedelta(days=10)
    row.last_seen_at, row.expires_at = recently, utcnow() + timedelta(days=1)
    session.commit()

    assert is_signed_in(client)
    session.refresh(row)
    assert row.last_seen_at == recently  # within the minute: no write

    row.last_seen_at = long_ago
    session.commit()
    assert is_signed_in(client)
    session.refresh(row)
    assert utcnow() - row.last_seen_at < timedelta(minutes=1)
    assert row.expires_at - row.last_seen_at == timedelta(days=settings.session_days)


def test_a_deactivated_person_is_signed_out(client: TestClient, make_user: Any, session: Session) -> None:
    ana = make_user("ana@example.mx")
    log_in(client, "ana@example.mx")
    ana.is_active = False
    session.add(ana)
    session.commit()

    assert not is_signed_in(client)


@pytest.mark.parametrize(
    ("user_agent", "device"),
    [
        (CHROME_ANDROID, "Chrome · Android"),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            "Version/17.4 Mobile/15E148 Safari/604.1",
            "Safari · iPhone",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
            "Firefox · Windows",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.80",
            "Edge · Windows",
        ),
        ("curl/8.5.0", "curl/8.5.0"),
        ("", ""),
    ],
)
def test_the_device_is_described_briefly(user_agent: str, device: str) -> None:
    assert sessions.describe_device(user_agent) == device


def test_housekeeping_prunes_expired_sessions_and_long_expired_tokens(
    app: FastAPI, make_user: Any, session: Session
) -> None:
    ana = make_user("ana@example.mx")
    now = utcnow()
    for n, expires in enumerate((now - timedelta(minutes=1), now + timedelta(days=1))):
        session.add(BrowserSession(user_id=ana.id, secret_hash=f"{n:064}", ip="10.0.0.1", expires_at=expires))
    for n, expires in enumerate((now - timedelta(days=31), now - timedelta(days=1), now + timedelta(days=1))):
        session.add(ApiToken(user_id=ana.id, name=f"t{n}", token_hash=f"{n:064}", expires_at=expires))
    session.commit()

    # Two workers at once: each prunes what is left, neither fails.
    def housekeeping() -> str:
        return str(worker.processors(app.state.engine, app.state.search, app.state.settings)[-1]())

    assert at_once(housekeeping) == ["0", "0"]

    session.expire_all()
    assert [row.expires_at > now for row in session.exec(select(BrowserSession)).all()] == [True]
    # A token expired yesterday stays a while, so that its holder is told it expired.
    assert sorted(token.name for token in session.exec(select(ApiToken)).all()) == ["t1", "t2"]
