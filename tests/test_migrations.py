"""The Alembic migrations build exactly the schema the SQLModel models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

import market.models  # noqa: F401  (registers every table)


def test_migrated_database_matches_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)

    assert differences == []


def test_every_model_table_exists(engine: Engine) -> None:
    tables = set(inspect(engine).get_table_names())

    assert set(SQLModel.metadata.tables) <= tables
    assert "alembic_version" in tables
