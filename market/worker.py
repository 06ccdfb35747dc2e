"""What the background worker does: search index updates in batches, then the other outbox events."""

from __future__ import annotations

import threading
from collections.abc import Callable

from sqlalchemy.engine import Engine

from market.outbox import process_batch, run_worker
from search.engine import SearchEngine
from search.sync import apply_search_events


def processors(db: Engine, search: SearchEngine) -> list[Callable[[], int]]:
    return [lambda: apply_search_events(db, search), lambda: process_batch(db)]


def run(db: Engine, search: SearchEngine, stop: Callable[[], bool] = lambda: False) -> None:
    run_worker(processors(db, search), stop=stop)


def start_in_background(db: Engine, search: SearchEngine) -> threading.Event:
    """The embedded mode's in-process worker; set the returned event to stop it."""
    stop = threading.Event()
    threading.Thread(
        target=run, args=(db, search), kwargs={"stop": stop.is_set}, daemon=True, name="outbox-worker"
    ).start()
    return stop
