"""Transactional outbox: side effects on other systems are recorded in the same transaction as the change
that causes them, then carried out after commit by a worker that retries with back-off."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Column, or_, update
from sqlalchemy.engine import Engine
from sqlmodel import Field, Session, SQLModel, col, select

from market.db import transaction, utcnow

log = logging.getLogger(__name__)

Handler = Callable[[Session, dict[str, Any]], None]
MAX_BACKOFF_SECONDS = 300
MAX_ATTEMPTS = 10
CLAIM_SECONDS = 600  # longer than any one batch takes: a claim outlives its worker only if the worker died
SEARCH_TOPIC = "search"  # applied in batches by catalog.search_index, not by a per-event handler


class OutboxEvent(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    topic: str = Field(max_length=64, index=True)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    available_at: datetime = Field(default_factory=utcnow, index=True)
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=2000)
    processed_at: datetime | None = Field(default=None, index=True)
    parked_at: datetime | None = None  # gave up after MAX_ATTEMPTS failures of its own; kept for inspection
    claimed_until: datetime | None = None  # a worker is running it; another may take it after this (a crash)


def enqueue(session: Session, topic: str, payload: dict[str, Any]) -> None:
    session.add(OutboxEvent(topic=topic, payload=payload))


def search_changed(
    session: Session, *, listing_ids: list[int] | None = None, organization_id: int | None = None
) -> None:
    """The search index must follow these listings (or every listing of this organization)."""
    if listing_ids:
        enqueue(session, SEARCH_TOPIC, {"listing_ids": sorted(set(listing_ids))})
    if organization_id is not None:
        enqueue(session, SEARCH_TOPIC, {"organization_id": organization_id})


def claim(engine: Engine, topics: Collection[str], limit: int) -> list[int]:
    """Claim up to `limit` due events for this worker: rows another worker is claiming at that moment are
    skipped (SKIP LOCKED on PostgreSQL; SQLite has one writer at a time), and claimed rows stay this worker's
    for CLAIM_SECONDS, after which a crashed worker's events are due again. The ids are read first and then
    marked, in one transaction: as a subquery of the UPDATE, PostgreSQL may run the locking SELECT again
    for each row, skip the rows the statement itself just changed, and claim past `limit`."""
    now = utcnow()
    due = (
        select(OutboxEvent.id)
        .where(
            col(OutboxEvent.topic).in_(topics),
            col(OutboxEvent.processed_at).is_(None),
            col(OutboxEvent.parked_at).is_(None),
            OutboxEvent.available_at <= now,
            or_(col(OutboxEvent.claimed_until).is_(None), col(OutboxEvent.claimed_until) < now),
        )
        .order_by(col(OutboxEvent.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    with transaction(engine) as session:
        ids = sorted(session.execute(due).scalars())
        if ids:
            until = now + timedelta(seconds=CLAIM_SECONDS)
            mark = update(OutboxEvent).where(col(OutboxEvent.id).in_(ids)).values(claimed_until=until)
            session.execute(mark.execution_options(synchronize_session=False))
        return ids


def process_batch(engine: Engine, handlers: dict[str, Handler], limit: int = 100) -> int:
    """Run a batch of due events this worker claimed, each in its own transaction (so a crash repeats at most
    the one being run). A failure is retried later with exponential back-off."""
    done = 0
    for event_id in claim(engine, handlers.keys(), limit):
        try:
            with transaction(engine) as session:
                event = session.get(OutboxEvent, event_id)
                if event is None or event.processed_at is not None:
                    continue
                handlers[event.topic](session, event.payload)
                event.processed_at, event.claimed_until = utcnow(), None
                done += 1
        except Exception as exc:  # the worker must outlive any one bad event
            log.warning("outbox event %s failed: %s", event_id, exc)
            with transaction(engine) as session:
                event = session.get(OutboxEvent, event_id)
                if event is not None:
                    record_failure(event, exc)
                    event.claimed_until = None
    return done


def record_failure(event: OutboxEvent, exc: Exception, *, counts: bool = True) -> None:
    """Retry later with exponential back-off. A failure that `counts` (the event's own fault, not an
    unreachable service) parks the event after MAX_ATTEMPTS."""
    event.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    if counts:
        event.attempts += 1
        if event.attempts >= MAX_ATTEMPTS:
            event.parked_at = utcnow()
            log.error("outbox event %s parked after %s attempts: %s", event.id, event.attempts, exc)
            return
    delay = min(2 ** max(event.attempts, 1), MAX_BACKOFF_SECONDS)
    event.available_at = utcnow() + timedelta(seconds=delay)


def run_worker(
    processors: list[Callable[[], int]], poll_seconds: float = 0.25, stop: Callable[[], bool] = lambda: False
) -> None:
    """Run each processor (a function doing one batch of work and returning how much) until `stop`."""
    while not stop():
        done = 0
        for processor in processors:
            try:
                done += processor()
            except Exception:  # a broken database connection must not kill the worker thread
                log.exception("worker batch failed")
        if done == 0:
            time.sleep(poll_seconds)
