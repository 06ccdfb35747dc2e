"""Alembic, driven from code (the CLI and the tests), with the database URL given explicitly."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

ROOT = Path(__file__).resolve().parent.parent


def alembic_config(database_url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str) -> None:
    from market.db import make_engine

    engine = make_engine(database_url)  # creates the SQLite folder if needed
    engine.dispose()
    command.upgrade(alembic_config(database_url), "head")
