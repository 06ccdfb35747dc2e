"""`market serve` as several processes: migrations run once however many processes start at once, N app
processes answer on one port, and SQLite (one process by design) refuses more."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import inspect
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from market.cli import app
from market.db import make_engine
from tests.fixtures.database import _drop, _recreate
from tests.helpers import ROOT, free_port

MARKET = [sys.executable, "-c", "from market.cli import app; app()"]


def environment(database_url: str, tmp_path: Path) -> dict[str, str]:
    return os.environ | {
        "DATABASE_URL": database_url,
        "MEDIA_DIR": str(tmp_path / "media"),
        "SEARCH_DB_PATH": str(tmp_path / "search.db"),
        "PYTHONPATH": str(ROOT),
    }


@pytest.fixture
def fresh_postgres(database_url: str) -> Iterator[str]:
    """An empty PostgreSQL database of this test's own."""
    if not database_url.startswith("postgresql"):
        pytest.skip("several processes serve from PostgreSQL only")
    url = make_url(database_url)
    fresh = url.set(database=f"{url.database}_fresh").render_as_string(hide_password=False)
    _recreate(fresh)
    yield fresh
    _drop(fresh)


def test_sqlite_refuses_more_than_one_process(database_url: str, tmp_path: Path) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("the SQLite default")
    result = CliRunner().invoke(app, ["serve", "--workers", "2"], env=environment(database_url, tmp_path))

    assert result.exit_code == 2
    assert "SQLite serves from one process" in result.output


def test_processes_started_at_once_migrate_the_database_once(fresh_postgres: str, tmp_path: Path) -> None:
    env = environment(fresh_postgres, tmp_path)
    runs = [subprocess.Popen([*MARKET, "migrate"], env=env, stderr=subprocess.PIPE) for _ in range(3)]
    errors = [run.communicate(timeout=300)[1].decode() for run in runs]

    assert [run.returncode for run in runs] == [0, 0, 0], errors
    engine = make_engine(fresh_postgres)
    assert "invoice" in inspect(engine).get_table_names()
    engine.dispose()


def test_serve_with_two_workers_answers_from_two_processes(fresh_postgres: str, tmp_path: Path) -> None:
    port = free_port()
    command = [*MARKET, "serve", "--workers", "2", "--port", str(port)]
    server = subprocess.Popen(command, env=environment(fresh_postgres, tmp_path), stdout=subprocess.DEVNULL)
    try:
        ready = None
        for _ in range(300):
            try:
                ready = httpx.get(f"http://127.0.0.1:{port}/healthz/ready", timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
        pages = [httpx.get(f"http://127.0.0.1:{port}/", timeout=10).status_code for _ in range(10)]
    finally:
        server.terminate()
        server.wait(30)

    assert ready is not None and ready.status_code == 200
    assert len(children) >= 2  # uvicorn's supervisor and its two app processes
    assert pages == [200] * 10
