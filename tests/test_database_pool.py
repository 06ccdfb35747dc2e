"""The app's pool of PostgreSQL connections: a connection that died while it sat unused is replaced before a
request gets it."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

import market.db
from market.db import make_engine


def test_a_connection_closed_while_unused_is_replaced_before_use(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if make_url(database_url).get_backend_name() != "postgresql":
        pytest.skip("a pool of server connections is PostgreSQL's")
    engine, admin = make_engine(database_url, pool_size=1, max_overflow=0), make_engine(database_url)
    try:
        with engine.connect() as connection:
            first = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
        with admin.connect() as other:  # PostgreSQL restarts, an idle timeout, a proxy cuts it...
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
        monkeypatch.setattr(market.db, "PING_IDLE_AFTER_SECONDS", 0.0)  # it has been unused long enough
        with engine.connect() as connection:
            second = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
        assert second != first
    finally:
        engine.dispose()
        admin.dispose()
