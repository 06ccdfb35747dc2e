"""How many listings the public catalogue holds, per combination of filters, kept per process for a few
seconds. Counting every public listing (a join with the organizations) on every page view was most of
/catalogo's time at 100,000 listings (see bench/pages.py); the page shows the count, nothing decides by it.

Correctness: a count is at most `max_age_seconds` old (default 10 s, `CATALOG_COUNT_MAX_AGE_SECONDS`): a
listing published, paused or suspended shows in the count within that time, in every process. The listings
themselves are never cached: a page lists what the database holds at that moment. 0 counts every time."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable

MAX_ENTRIES = 4096  # categories × states × sorts' filters, and organizations through the API: far above use


class PublicCounts:
    def __init__(self, max_age_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_age_seconds = max_age_seconds
        self._clock = clock
        self._entries: dict[Hashable, tuple[int, float]] = {}  # filters -> (count, counted at)
        self._lock = threading.Lock()

    def get(self, filters: Hashable, count: Callable[[], int]) -> int:
        """The count for `filters`: kept, or counted now with `count` if older than the allowed age. Two
        requests may count the same filters at once; both write the same figure, so no lock is held while
        counting."""
        now = self._clock()
        kept = self._entries.get(filters)
        if kept is not None and now - kept[1] < self.max_age_seconds:
            return kept[0]
        counted = count()
        if self.max_age_seconds > 0:
            with self._lock:
                if len(self._entries) >= MAX_ENTRIES:  # expired ones first; if none, start over
                    self._entries = {
                        key: entry
                        for key, entry in self._entries.items()
                        if now - entry[1] < self.max_age_seconds
                    }
                    if len(self._entries) >= MAX_ENTRIES:
                        self._entries.clear()
                self._entries[filters] = (counted, now)
        return counted
