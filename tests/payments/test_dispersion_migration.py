"""Payouts recorded before dispersion files existed were sent when recorded: they migrate as sent."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic import command
from sqlmodel import Session, select

from market.db import make_engine
from market.migrate import alembic_config
from market.payments.models import Payout

BEFORE_DISPERSIONS = "e5e50b164f75"


def test_payouts_recorded_before_dispersions_migrate_as_sent_and_back(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/old.db"
    command.upgrade(alembic_config(url), BEFORE_DISPERSIONS)
    with sqlite3.connect(f"{tmp_path}/old.db") as db:
        db.execute(
            "INSERT INTO payout (id, organization_id, amount_cents, method, reference, clabe, created_at)"
            " VALUES (1, 1, 27600, 'spei', 'MBAN0100250307', '002010077777777771',"
            " '2026-12-01 10:00:00.000000')"
        )

    command.upgrade(alembic_config(url), "head")

    engine = make_engine(url)
    with Session(engine) as session:
        payout = session.exec(select(Payout)).one()
        assert (payout.status, payout.dispersion_id, payout.amount_cents) == ("sent", None, 27600)
    engine.dispose()
    command.downgrade(alembic_config(url), BEFORE_DISPERSIONS)
    with sqlite3.connect(f"{tmp_path}/old.db") as db:
        assert db.execute("SELECT reference FROM payout").fetchall() == [("MBAN0100250307",)]
