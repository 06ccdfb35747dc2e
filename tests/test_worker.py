"""The in-process worker of `market serve`: a change becomes searchable without anyone running a command."""

from __future__ import annotations

import time
from typing import Any

from fastapi import FastAPI

from market import worker
from search.engine import SearchQuery


def test_background_worker_applies_search_changes(
    app: FastAPI, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    app.state.search.ensure_ready()
    stop = worker.start_in_background(app.state.engine, app.state.search)
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
