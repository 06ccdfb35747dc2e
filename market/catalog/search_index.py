"""Keeping the search index equal to the database: which engine the settings name, the outbox consumer,
full rebuild with swap, and a checker. The engines themselves (`search/`) know nothing of the market."""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from weakref import WeakKeyDictionary

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from market.catalog.models import Listing
from market.catalog.search_documents import count_public, public_documents, public_versions
from market.config import Settings
from market.db import utcnow
from market.outbox import SEARCH_TOPIC, OutboxEvent, record_failure
from search.engine import IndexState, SearchEngine, SearchUnavailable, TaskFailed

log = logging.getLogger(__name__)
BATCH_EVENTS = 500
MAX_OUTAGE_WAIT_SECONDS = 60
_process_locks: dict[str, threading.Lock] = {}
LOST_FRACTION = 2  # an index holding under half the public listings lost its data (not just lagging)


def engine_for(settings: Settings) -> SearchEngine:
    """Meilisearch when MEILI_URL is set, the embedded SQLite FTS5 engine otherwise."""
    if settings.meili_url:
        from search.meili import MeiliEngine

        return MeiliEngine(settings.meili_url, settings.meili_master_key, settings.meili_index)
    from search.embedded import EmbeddedEngine

    return EmbeddedEngine(settings.search_db_path)


def _listing_ids(session: Session, events: Sequence[OutboxEvent]) -> set[int]:
    ids: set[int] = set()
    for event in events:
        ids.update(event.payload.get("listing_ids", []))
        if (organization_id := event.payload.get("organization_id")) is not None:
            ids.update(
                i
                for i in session.exec(select(Listing.id).where(Listing.organization_id == organization_id))
                if i
            )
    return ids


def sync_listings(session: Session, search: SearchEngine, ids: set[int]) -> None:
    """Make the index show exactly what the database says now about these listings: upsert the
    searchable ones, delete the rest. Idempotent, so replays and out-of-order events are harmless."""
    documents = [doc for batch in public_documents(session, sorted(ids)) for doc in batch]
    search.upsert(documents)
    search.delete(sorted(ids - {doc["id"] for doc in documents}))


@contextmanager
def exclusive(session: Session, name: str, wait: bool = True) -> Iterator[bool]:
    """Whether this transaction holds `name`'s lock now (always, when `wait`), until it ends. PostgreSQL:
    an advisory lock (any number of processes); SQLite serves from one process: a lock of the process."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        key = int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)
        function = "pg_advisory_xact_lock" if wait else "pg_try_advisory_xact_lock"
        locked = connection.execute(text(f"SELECT {function}(CAST(:key AS bigint))"), {"key": key}).scalar()
        yield bool(locked) or wait
        return
    lock = _process_locks.setdefault(name, threading.Lock())
    if not lock.acquire(blocking=wait):
        yield False
        return
    try:
        yield True
    finally:
        lock.release()


def index_writer(session: Session, wait: bool = True) -> AbstractContextManager[bool]:
    """Index writes from two workers must not interleave: a worker that read a listing as paused and deletes
    it could otherwise do so after another worker, reading it resumed a moment later, had added it back,
    and the listing would stay out of the index for good. One writer at a time, each reading the database
    after the previous one wrote, leaves the index as the database last said."""
    return exclusive(session, "search-index-writer", wait)


@dataclass
class Outage:
    """The engine was unreachable: this process leaves it alone until `until` (monotonic seconds), waiting
    twice as long after each failure, instead of rewriting every pending row's retry time."""

    failures: int = 0
    until: float = 0.0

    def failed(self) -> None:
        self.failures += 1
        self.until = time.monotonic() + min(2**self.failures, MAX_OUTAGE_WAIT_SECONDS)


outages: WeakKeyDictionary[SearchEngine, Outage] = WeakKeyDictionary()


def apply_search_events(db: Engine, search: SearchEngine, limit: int = BATCH_EVENTS) -> int:
    """One worker step: due search events in one batch (first tries) or one by one (retries, so that one
    bad document cannot hold back the others). Rows are marked done only after the engine confirmed.
    Another worker writing to the index meanwhile: nothing to do now (its turn, then ours). The engine
    down: nothing is written; the whole topic waits (see Outage)."""
    outage = outages.get(search)
    if outage is not None and time.monotonic() < outage.until:
        return 0
    with Session(db) as session, index_writer(session, wait=False) as writing:
        if not writing:
            return 0
        events = list(
            session.exec(
                select(OutboxEvent)
                .where(
                    OutboxEvent.topic == SEARCH_TOPIC,
                    col(OutboxEvent.processed_at).is_(None),
                    col(OutboxEvent.parked_at).is_(None),
                    OutboxEvent.available_at <= utcnow(),
                )
                .order_by(col(OutboxEvent.id))
                .limit(limit)
                .with_for_update(skip_locked=True)
            ).all()
        )
        if not events:
            return 0
        fresh = [e for e in events if e.attempts == 0]
        groups = ([fresh] if fresh else []) + [[e] for e in events if e.attempts > 0]
        done = 0
        for group in groups:
            try:
                sync_listings(session, search, _listing_ids(session, group))
            except SearchUnavailable as exc:  # the engine is down: every event waits, none is changed
                log.warning("search unavailable, %d events wait: %s", len(events) - done, exc)
                outages.setdefault(search, Outage()).failed()
                break
            except TaskFailed as exc:
                for event in group:
                    record_failure(event, exc)
                continue
            now = utcnow()
            for event in group:
                event.processed_at = now
            done += len(group)
            outages.pop(search, None)
        session.commit()
        return done


@dataclass
class Differences:
    missing: list[int] = field(default_factory=list)  # searchable, not in the index
    extra: list[int] = field(default_factory=list)  # in the index, not searchable (or gone)
    stale: list[int] = field(default_factory=list)  # in both, the index shows an older version

    @property
    def total(self) -> int:
        return len(self.missing) + len(self.extra) + len(self.stale)


def check(session: Session, search: SearchEngine) -> Differences:
    expected, indexed = public_versions(session), search.indexed_versions()
    return Differences(
        missing=sorted(expected.keys() - indexed.keys()),
        extra=sorted(indexed.keys() - expected.keys()),
        stale=sorted(i for i in expected.keys() & indexed.keys() if expected[i] != indexed[i]),
    )


def repair(session: Session, search: SearchEngine, differences: Differences) -> None:
    with index_writer(session):
        sync_listings(session, search, {*differences.missing, *differences.extra, *differences.stale})


def reindex(db: Engine, search: SearchEngine, progress: Callable[[int], None] | None = None) -> int:
    """Rebuild the whole index and swap it in. Changes applied to the old index while the new one was
    being built are applied again afterwards, so the swap cannot bring back an older version."""
    started: datetime = utcnow()
    with Session(db) as session:
        count = search.rebuild(public_documents(session), count_public(session), progress)
    with Session(db) as session, index_writer(session):
        touched = session.exec(
            select(OutboxEvent).where(OutboxEvent.topic == SEARCH_TOPIC, OutboxEvent.created_at >= started)
        ).all()
        if touched:
            sync_listings(session, search, _listing_ids(session, touched))
    return count


def lost(state: IndexState, public: int) -> str | None:
    """Why the live index must be rebuilt, if it must: it is gone, its settings are not ours, or it holds
    far fewer documents than there are public listings (a server restarted on an empty data directory)."""
    if not state.exists:
        return "the index is missing"
    if not state.settings_current:
        return "the index settings differ from the code's"
    if state.documents < public // LOST_FRACTION:
        return f"the index holds {state.documents} documents for {public} public listings"
    return None


def rebuild_if_lost(db: Engine, search: SearchEngine) -> str | None:
    """The worker's watch over the index: rebuild it through the swap reindex when it lost its data or its
    settings, and say why. One worker at a time; an engine that is down is the outbox's to wait for."""
    with Session(db) as session, exclusive(session, "search-index-rebuild", wait=False) as alone:
        if not alone:
            return None
        try:
            reason = lost(search.index_state(), count_public(session))
        except SearchUnavailable:
            return None
        if reason is not None:
            log.warning("rebuilding the search index: %s", reason)
            reindex(db, search)
        return reason
