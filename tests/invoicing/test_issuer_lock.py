"""The lock that numbers one producer's invoices one at a time does not wait for requests that merely write
rows referring to the producer (PostgreSQL's row locks)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from market.invoicing.issuing import lock_issuer


def locking(engine: Engine, organization_id: int) -> tuple[threading.Event, threading.Event]:
    """A worker taking the issuer's lock in a thread of its own: `holds` is set once it has it, and it lets go
    when `release` is set."""
    holds, release = threading.Event(), threading.Event()

    def run() -> None:
        with Session(engine) as session:
            lock_issuer(session, organization_id)
            holds.set()
            release.wait(10)

    threading.Thread(target=run, daemon=True).start()
    return holds, release


def test_the_issuer_lock_lets_key_share_holders_be_and_is_taken_one_at_a_time(
    engine: Engine, make_user: Any, make_org: Any
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite has one writer at a time")
    organization_id = make_org(make_user()).id
    key_share = text("SELECT id FROM organization WHERE id = :id FOR KEY SHARE")
    with Session(engine) as request:  # a cancellation that wrote its refund's ledger entries (their FK)
        request.execute(key_share, {"id": organization_id})
        first_holds, first_release = locking(engine, organization_id)
        assert first_holds.wait(5)  # FOR UPDATE waited here until the request ended: a deadlock
        second_holds, second_release = locking(engine, organization_id)
        assert not second_holds.wait(1)  # a second worker waits for the first
        first_release.set()
        assert second_holds.wait(5)
        second_release.set()
