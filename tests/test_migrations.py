"""The Alembic migrations build exactly the schema the SQLModel models describe."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect
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


def test_money_and_quantities_widen_to_64_bits_keeping_every_row(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/old.db"
    command.upgrade(alembic_config(url), "46726fe77a5f")  # the revision before money became 64-bit
    with sqlite3.connect(f"{tmp_path}/old.db") as db:
        db.execute(
            "INSERT INTO orders (id, buyer_id, status, payment_method, subtotal_cents, delivery_cents,"
            " total_cents, platform_fee_cents, created_at)"
            " VALUES (1, 1, 'paid', 'spei_transfer', 64000, 5000, 69000, 5120, '2026-11-01 00:00:00')"
        )
        db.execute(  # a child that cascades on delete: recreating its parent table must not drop it
            "INSERT INTO fulfillment (id, order_id, organization_id, status, delivery_method, subtotal_cents,"
            " delivery_cents, platform_fee_cents, created_at, updated_at) VALUES (1, 1, 1, 'accepted',"
            " 'delivery', 64000, 5000, 5120, '2026-11-01 00:00:00', '2026-11-01 00:00:00')"
        )

    command.upgrade(alembic_config(url), "head")

    with sqlite3.connect(f"{tmp_path}/old.db") as db:
        assert db.execute("SELECT total_cents FROM orders").fetchall() == [(69000,)]
        assert db.execute("SELECT order_id, subtotal_cents FROM fulfillment").fetchall() == [(1, 64000)]
    declared = {c["name"]: str(c["type"]) for c in inspect(create_engine(url)).get_columns("orders")}
    assert declared["total_cents"] == "BIGINT"
