"""What the background worker does: search index updates in batches, the other outbox events, e-mail
delivery and the producers' daily digests, expiry of unpaid reservations, and hourly housekeeping."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from sqlalchemy.engine import Engine

from market import storage
from market.accounts import emails as account_emails
from market.accounts import tokens
from market.accounts.limits import prune_login_attempts
from market.accounts.sessions import prune_sessions
from market.catalog.search_index import apply_search_events, rebuild_if_lost
from market.config import Settings
from market.db import transaction
from market.documents.reminders import remind_in as remind_documents_in
from market.housekeeping import prune_history
from market.invoicing import cancellation, commission, global_invoice, issuing
from market.invoicing.csd_store import warn_expiring_in
from market.linking import awards, demands
from market.linking.matching import match_demand
from market.mail.delivery import deliver_due
from market.mail.digest import DIGEST_SECONDS, send_digests
from market.orders.jobs import complete_due, expire_unpaid, lapse_unaccepted_pickups
from market.outbox import process_batch, run_worker
from market.payments import service as payments
from market.payments import stripe_events
from market.payments.gateway import gateway_for
from market.uploads import prune_uploads
from search.engine import SearchEngine

HOUSEKEEPING_SECONDS = 3600
EXPIRY_SECONDS = 60  # unpaid reservations are released within a minute of running out
COMPLETION_SECONDS = 600
INDEX_WATCH_SECONDS = 60  # an index that lost its data or settings is rebuilt within a minute


def every(seconds: float, job: Callable[[], object]) -> Callable[[], int]:
    """A processor that runs `job` at most once per `seconds` (and reports no work, so the loop rests)."""
    last = [float("-inf")]

    def processor() -> int:
        if time.monotonic() - last[0] >= seconds:
            last[0] = time.monotonic()
            job()
        return 0

    return processor


def processors(db: Engine, search: SearchEngine, settings: Settings) -> list[Callable[[], int]]:
    def housekeeping() -> None:
        with transaction(db) as session:
            prune_login_attempts(session, settings)
            prune_sessions(session)
            tokens.prune_expired(session)
            prune_uploads(session)
            prune_history(session, settings)

    def complete_handed_over_orders() -> None:
        with transaction(db) as session:
            complete_due(session, settings)
        with transaction(db) as session:
            demands.close_due(session)
        with transaction(db) as session:
            awards.place_due_call_offs(session, settings)

    def gather_last_month() -> None:
        # Any day: a month gathered has nothing left, so it costs one query until the next month ends.
        with transaction(db) as session:
            global_invoice.gather(session, global_invoice.previous_month())

    def release_expired_reservations() -> None:
        with transaction(db) as session:
            expire_unpaid(session)
        with transaction(db) as session:
            lapse_unaccepted_pickups(session)

    gateway = gateway_for(settings)
    handlers = (
        payments.handlers(gateway)
        | stripe_events.handlers(gateway)
        | {demands.MATCH_TOPIC: lambda session, payload: match_demand(session, search, payload["demand_id"])}
        | {account_emails.TOPIC: account_emails.handler(settings)}
        | {issuing.TOPIC: issuing.handler(settings)}
        | {cancellation.TOPIC: cancellation.handler(settings)}
        | {storage.DISCARD_TOPIC: storage.discard_handler(settings)}
    )
    return [
        lambda: apply_search_events(db, search),
        lambda: process_batch(db, handlers),
        lambda: deliver_due(db, settings),
        every(DIGEST_SECONDS, lambda: send_digests(db, settings)),
        every(EXPIRY_SECONDS, release_expired_reservations),
        every(COMPLETION_SECONDS, complete_handed_over_orders),
        every(HOUSEKEEPING_SECONDS, lambda: warn_expiring_in(db)),
        every(HOUSEKEEPING_SECONDS, lambda: remind_documents_in(db)),
        every(INDEX_WATCH_SECONDS, lambda: rebuild_if_lost(db, search)),
        every(HOUSEKEEPING_SECONDS, gather_last_month),
        every(HOUSEKEEPING_SECONDS, lambda: commission.issue_last_month(db, settings)),  # idempotent
        every(HOUSEKEEPING_SECONDS, housekeeping),
    ]


def run(
    db: Engine, search: SearchEngine, settings: Settings, stop: Callable[[], bool] = lambda: False
) -> None:
    run_worker(processors(db, search, settings), stop=stop)


def start_in_background(db: Engine, search: SearchEngine, settings: Settings) -> threading.Event:
    """The embedded mode's in-process worker; set the returned event to stop it."""
    stop = threading.Event()
    threading.Thread(
        target=run,
        args=(db, search, settings),
        kwargs={"stop": stop.is_set},
        daemon=True,
        name="outbox-worker",
    ).start()
    return stop
