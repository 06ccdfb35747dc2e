"""`market serve` under clients that hold connections: idle sockets cost nothing, only requests being worked
on count against the limit, and a connection that never sends anything is closed."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import httpx
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from market.app import create_app
from market.cli import server_options
from market.config import Settings
from tests.fixtures.app import served
from tests.helpers import TOKENS


@contextmanager
def serving(settings: Settings, **changes: object) -> Iterator[tuple[str, int]]:
    changed = settings.model_copy(update=changes)
    with served(create_app(changed), changed) as url:
        yield url, int(url.rsplit(":", 1)[1])


def idle_sockets(port: int, count: int, stack: ExitStack) -> list[socket.socket]:
    return [stack.enter_context(socket.create_connection(("127.0.0.1", port))) for _ in range(count)]


def test_idle_connections_do_not_make_the_app_refuse_requests(settings: Settings, engine: Engine) -> None:
    with serving(settings, max_concurrent_requests=5) as (url, port), ExitStack() as stack:
        idle_sockets(port, 40, stack)  # eight times the limit, sending nothing

        statuses = [httpx.get(f"{url}/healthz", timeout=5).status_code for _ in range(10)]

    assert statuses == [200] * 10


def test_a_connection_that_sends_nothing_is_closed(settings: Settings, engine: Engine) -> None:
    with serving(settings, idle_timeout_seconds=1) as (url, port), ExitStack() as stack:
        [idle] = idle_sockets(port, 1, stack)
        idle.settimeout(10)

        assert idle.recv(1) == b""  # the server closed it (a timeout here would raise instead)
        assert httpx.get(f"{url}/healthz/live").status_code == 200


def start_slow_request(port: int, stack: ExitStack) -> socket.socket:
    """A log-in whose body never finishes arriving: a request in the app, waiting for its body."""
    [slow] = idle_sockets(port, 1, stack)
    slow.sendall(
        f"POST {TOKENS} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        "Content-Length: 200\r\n\r\n{".encode()
    )
    return slow


def test_requests_beyond_the_limit_are_refused_at_once_and_liveness_still_answers(
    settings: Settings, engine: Engine
) -> None:
    with serving(settings, max_concurrent_requests=2) as (url, port), ExitStack() as stack:
        slow = [start_slow_request(port, stack) for _ in range(2)]
        time.sleep(0.5)  # both reach the app

        refused = httpx.get(f"{url}/healthz/ready", timeout=5)
        alive = httpx.get(f"{url}/healthz/live", timeout=5)
        for connection in slow:
            connection.close()  # the two requests end (the client went away)
        for _ in range(50):
            if (served_again := httpx.get(f"{url}/healthz/ready", timeout=5)).status_code == 200:
                break
            time.sleep(0.1)

    assert refused.status_code == 503
    assert refused.headers["retry-after"] == "1"
    assert alive.status_code == 200
    assert served_again.status_code == 200


def test_head_is_answered_as_get_without_a_body(client: TestClient) -> None:
    for path in ("/", "/catalogo", "/healthz/live", "/no-existe"):
        with client.stream("GET", path) as got:
            sent = b"".join(got.iter_raw())  # as it travelled: compressed, for a page
        head = client.head(path)

        assert head.status_code == got.status_code, path
        assert head.content == b""
        assert head.headers["content-type"] == got.headers["content-type"]
        assert head.headers.get("content-encoding") == got.headers.get("content-encoding")
        assert int(head.headers["content-length"]) == len(sent)


def test_market_serve_logs_each_request_once(settings: Settings) -> None:
    """The app's own line (route, status, time, request id: market.metrics) and not uvicorn's as well."""
    assert server_options(settings)["access_log"] is False
