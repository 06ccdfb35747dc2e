"""Helpers for the accounts tests: a second browser, and the server-side rows of a person's sessions."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from market.accounts.models import BrowserSession, User

COOKIE = "ts_session"


@pytest.fixture
def new_browser(app: FastAPI) -> Callable[[], TestClient]:
    """Another browser (a phone, a laptop, or someone holding a copied cookie) on the same app."""
    return lambda: TestClient(app, follow_redirects=False)


def session_ids(session: Session, user: User) -> list[int]:
    """The ids of the person's session rows, oldest first (read afresh from the database)."""
    session.expire_all()
    query = (
        select(BrowserSession.id).where(BrowserSession.user_id == user.id).order_by(col(BrowserSession.id))
    )
    return [int(i) for i in session.exec(query).all() if i is not None]


def is_signed_in(client: TestClient) -> bool:
    response = client.get("/panel")
    assert response.status_code in (200, 303), response.text
    return response.status_code == 200
