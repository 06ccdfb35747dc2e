"""Operations: /metrics in Prometheus' format and a request id on every request and log line."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from market.app import create_app
from market.config import Settings
from market.metrics import RequestIdFilter


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_requests_are_counted_by_route_and_timed(
    client: TestClient, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    listing = make_listing(make_org(make_user()))
    client.get(f"/productos/{listing.id}/{listing.slug}")
    client.get("/productos/999999/nada")
    client.get("/no-existe/en/ningun/lado")
    found = samples(client.get("/metrics").text)
    route = "/productos/{listing_id}/{slug}"
    assert found[("market_requests_total", (("method", "GET"), ("route", route), ("status", "200")))] == 1
    assert found[("market_requests_total", (("method", "GET"), ("route", route), ("status", "404")))] == 1
    assert (
        found[("market_requests_total", (("method", "GET"), ("route", "unmatched"), ("status", "404")))] == 1
    )
    assert found[("market_request_seconds_count", (("method", "GET"), ("route", route)))] == 2


def test_backlog_lag_and_payments_come_from_the_database(
    client: TestClient, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    make_listing(make_org(make_user()))  # a search update that no worker has applied yet
    found = samples(client.get("/metrics").text)
    assert found[("market_outbox_backlog", (("topic", "search"),))] >= 1
    assert found[("market_search_sync_lag_seconds", ())] >= 0
    assert found[("market_outbox_parked", ())] == 0
    assert not any(name == "market_payments" for name, _labels in found)  # no provider payment yet


def test_every_response_and_log_line_carries_the_request_id(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.handler.addFilter(RequestIdFilter())
    with caplog.at_level(logging.INFO, logger="market.requests"):
        given = client.get("/healthz", headers={"X-Request-ID": "proxy-abc-12345"})
        made = client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"})
    assert given.headers["x-request-id"] == "proxy-abc-12345"
    assert len(made.headers["x-request-id"]) == 32 and made.headers["x-request-id"] != "bad id with spaces"
    lines = [r for r in caplog.records if r.name == "market.requests"]
    assert [r.request_id for r in lines] == ["proxy-abc-12345", made.headers["x-request-id"]]  # type: ignore[attr-defined]
    assert "route=/healthz status=200" in lines[0].getMessage()


def test_a_metrics_token_keeps_the_endpoint_private(settings: Settings) -> None:
    with TestClient(create_app(settings.model_copy(update={"metrics_token": "s3cret-token"}))) as client:
        assert client.get("/metrics").status_code == 403
        assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
        allowed = client.get("/metrics", headers={"Authorization": "Bearer s3cret-token"})
        assert allowed.status_code == 200 and "market_requests_total" in allowed.text
