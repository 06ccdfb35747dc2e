"""Operations: `/metrics` in Prometheus' text format (requests, latencies, outbox backlog, search sync lag,
payment outcomes) and a request id on every request, in its response header and in every log line."""

from __future__ import annotations

import hmac
import logging
import re
import time
import uuid
from collections.abc import Iterator
from contextvars import ContextVar

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from market.db import utcnow
from market.deps import SettingsDep
from market.outbox import SEARCH_TOPIC, OutboxEvent
from market.payments.models import Payment
from market.state import metrics_of

log = logging.getLogger("market.requests")
request_id: ContextVar[str] = ContextVar("request_id", default="-")
ACCEPTED_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")  # a proxy's id is kept if it looks like one


class RequestIdFilter(logging.Filter):
    """Puts the current request's id on every log record (`%(request_id)s` in the format)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class Metrics:
    """The app's own registry (not the process-wide default), so several apps in one process never clash."""

    def __init__(self, engine: Engine) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "market_requests", "HTTP requests", ["method", "route", "status"], registry=self.registry
        )
        self.latency = Histogram(
            "market_request_seconds",
            "Time to answer an HTTP request",
            ["method", "route"],
            buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=self.registry,
        )
        self.registry.register(DatabaseGauges(engine))


class DatabaseGauges(Collector):
    """Read at scrape time from the database, so every process reports the same truth."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[GaugeMetricFamily]:
        pending = col(OutboxEvent.processed_at).is_(None) & col(OutboxEvent.parked_at).is_(None)
        with Session(self.engine) as session:
            backlog = session.exec(
                select(OutboxEvent.topic, func.count()).where(pending).group_by(col(OutboxEvent.topic))
            ).all()
            parked = session.exec(
                select(func.count()).select_from(OutboxEvent).where(col(OutboxEvent.parked_at).is_not(None))
            ).one()
            oldest_search = session.exec(
                select(func.min(OutboxEvent.created_at)).where(pending, OutboxEvent.topic == SEARCH_TOPIC)
            ).one()
            payments = session.exec(select(Payment.status, func.count()).group_by(col(Payment.status))).all()
        gauge = GaugeMetricFamily("market_outbox_backlog", "Outbox events waiting", labels=["topic"])
        for topic, count in backlog:
            gauge.add_metric([topic], count)
        yield gauge
        yield GaugeMetricFamily("market_outbox_parked", "Outbox events given up on", value=parked)
        lag = (utcnow() - oldest_search).total_seconds() if oldest_search else 0.0
        yield GaugeMetricFamily(
            "market_search_sync_lag_seconds",
            "Age of the oldest change not yet in the search index",
            value=lag,
        )
        outcomes = GaugeMetricFamily("market_payments", "Provider payments by status", labels=["status"])
        for status, count in payments:
            outcomes.add_metric([status], count)
        yield outcomes


class RequestObserver:
    """Gives each request an id, times it, counts it by route template (never by raw path: ids in paths
    would make a series per order) and logs one line for it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        rid = incoming if ACCEPTED_ID.match(incoming) else uuid.uuid4().hex
        token = request_id.set(rid)
        status = [500]

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", rid.encode())]
            await send(message)

        started = time.perf_counter()
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            metrics: Metrics = scope["app"].state.metrics  # the app's, looked up as the requests do
            metrics.requests.labels(scope["method"], route, str(status[0])).inc()
            metrics.latency.labels(scope["method"], route).observe(elapsed)
            log.info(
                "request method=%s path=%s route=%s status=%s ms=%.1f",
                scope["method"],
                scope["path"],
                route,
                status[0],
                elapsed * 1000,
            )
            request_id.reset(token)


router = APIRouter(include_in_schema=False)


@router.get("/metrics")
def metrics(request: Request, settings: SettingsDep) -> Response:
    """Prometheus scrape endpoint; with METRICS_TOKEN set, only for `Authorization: Bearer <token>`."""
    expected = settings.metrics_token
    given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
    if expected and not hmac.compare_digest(given.encode(), expected.encode()):
        return Response("forbidden\n", status_code=403, media_type="text/plain")
    return Response(generate_latest(metrics_of(request).registry), media_type=CONTENT_TYPE_LATEST)
