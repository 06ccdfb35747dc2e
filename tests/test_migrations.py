"""The Alembic migrations build exactly the schema the SQLModel models describe."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

import market.models  # noqa: F401  (registers every table)
from market.migrate import alembic_config


def test_migrated_database_matches_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)

    assert differences == []


def test_every_model_table_exists(engine: Engine) -> None:
    tables = set(inspect(engine).get_table_names())

    assert set(SQLModel.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_fees_posted_before_they_named_their_producer_are_attributed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/old.db"
    command.upgrade(alembic_config(url), "bdb4436d826b")  # the revision before fees named their producer
    rows = [  # a two-producer sale and a refund, as they used to be posted
        (1, "sale", "cash", None, 20000),
        (2, "sale", "producer_payable", 7, -9200),
        (3, "sale", "platform_fees", None, -800),
        (4, "sale", "producer_payable", 9, -9200),
        (5, "sale", "platform_fees", None, -800),
        (6, "refund", "producer_payable", 9, 9200),
        (7, "refund", "platform_fees", None, 800),
        (8, "refund", "cash", None, -10000),
    ]
    with sqlite3.connect(f"{tmp_path}/old.db") as db:
        db.executemany(
            "INSERT INTO ledgerentry (id, transaction_id, kind, account, organization_id, amount_cents,"
            " created_at) VALUES (?, ?, 'payment', ?, ?, ?, '2026-11-01 00:00:00')",
            rows,
        )

    command.upgrade(alembic_config(url), "head")

    with sqlite3.connect(f"{tmp_path}/old.db") as db:
        fees = db.execute(
            "SELECT id, organization_id FROM ledgerentry WHERE account = 'platform_fees' ORDER BY id"
        ).fetchall()
    assert fees == [(3, 7), (5, 9), (7, 9)]
