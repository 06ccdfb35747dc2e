"""The public figures, kept per process. They are read from the rollup (market.impact.rollup: a handful of
GROUP BY queries over rows that grow with months and organizations, some tens of milliseconds whatever the
number of sales, see bench/impact.py), so keeping them mostly spares the database: a page view recomputes
them only when money has moved since the last time, and then at most once every `impact_max_age_seconds`;
meanwhile visitors get the figures as they were, with the time they were computed on the page."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from market.config import Settings
from market.impact import service
from market.ledger.models import LedgerEntry


@dataclass(frozen=True)
class _Entry:
    impact: service.Impact
    ledger_mark: int  # the newest posting then: a newer one means money moved
    computed_at: float


class PublicFigures:
    def __init__(self, max_age_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_age_seconds = max_age_seconds
        self._clock = clock
        self._entries: dict[int | None, _Entry] = {}  # by year (None: every year)
        self._lock = threading.Lock()

    def get(self, session: Session, settings: Settings, year: int | None) -> service.Impact:
        mark = int(session.exec(select(func.coalesce(func.max(LedgerEntry.id), 0))).one() or 0)
        entry = self._entries.get(year)
        if entry is not None and self._fresh(entry, mark):
            return entry.impact
        # One computation at a time. While it runs, others get the figures as they were, if there are any
        # (waiting only when there are none yet).
        if not self._lock.acquire(blocking=entry is None):
            assert entry is not None
            return entry.impact
        try:
            entry = self._entries.get(year)
            if entry is None or not self._fresh(entry, mark):
                entry = _Entry(service.impact(session, settings, year), mark, self._clock())
                self._entries[year] = entry
            return entry.impact
        finally:
            self._lock.release()

    def _fresh(self, entry: _Entry, mark: int) -> bool:
        return entry.ledger_mark == mark or self._clock() - entry.computed_at < self.max_age_seconds
