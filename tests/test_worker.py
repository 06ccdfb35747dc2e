"""The in-process worker of `market serve`: a change becomes searchable without anyone running a command."""

from __future__ import annotations

import time
from typing import Any

from fastapi import FastAPI
from sqlmodel import select

from market import worker
from market.mail.models import Email, EmailStatus
from search.engine import SearchQuery


def test_background_worker_applies_search_changes(
    app: FastAPI, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    app.state.search.ensure_ready()
    stop = worker.start_in_background(app.state.engine, app.state.search, app.state.settings)
    try:
        make_listing(make_org(make_user()), title="Amaranto reventado con miel")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if app.state.search.search(SearchQuery(text="amaranto")).total == 1:
                break
            time.sleep(0.05)
        assert app.state.search.search(SearchQuery(text="amaranto")).total == 1
    finally:
        stop.set()


def test_housekeeping_prunes_old_login_attempts(app: FastAPI, session: Any) -> None:
    from datetime import timedelta

    from sqlmodel import select

    from market.accounts.models import LoginAttempt
    from market.db import utcnow

    old = utcnow() - timedelta(seconds=app.state.settings.login_window_seconds + 60)
    session.add(LoginAttempt(email="a@example.mx", ip="10.0.0.1", succeeded=False, created_at=old))
    session.add(LoginAttempt(email="a@example.mx", ip="10.0.0.1", succeeded=False))
    session.commit()
    housekeeping = worker.processors(app.state.engine, app.state.search, app.state.settings)[-1]
    assert housekeeping() == 0
    session.expire_all()
    remaining = session.exec(select(LoginAttempt)).all()
    assert len(remaining) == 1 and remaining[0].created_at > old
    session.add(LoginAttempt(email="b@example.mx", ip="10.0.0.1", succeeded=False, created_at=old))
    session.commit()
    housekeeping()  # within the hour: not again
    session.expire_all()
    assert len(session.exec(select(LoginAttempt)).all()) == 2


def test_the_worker_puts_a_reset_link_in_the_local_mailbox_on_the_embedded_setup(
    app: FastAPI, client: Any, make_user: Any, session: Any
) -> None:
    """Where a developer finds the e-mailed link without SMTP: the local mailbox, the link made absolute."""
    make_user("ana@example.mx")
    client.post("/api/v1/auth/password-reset", json={"email": "ana@example.mx"})
    outbox_events, deliver_mail = worker.processors(app.state.engine, app.state.search, app.state.settings)[
        1:3
    ]

    assert outbox_events() == 1
    assert deliver_mail() == 1

    sent = session.exec(select(Email)).one()
    assert sent.status == EmailStatus.SENT and sent.to_address == "ana@example.mx"
    assert sent.text_body and f"{app.state.settings.base_url}/contrasena/nueva/" in sent.text_body
