"""How `market serve` protects itself from clients: a limit on requests being worked on, not on open
connections, and connections that send nothing closed after a while.

uvicorn's own `limit_concurrency` counts open connections: 200 idle sockets (a slow network, a careless
client, an attacker) made every request a 503, /healthz included, for as long as they stayed open — and they
could stay open forever, since uvicorn arms its keep-alive timer only after a first request. Here the limit
counts requests in the app (503 with Retry-After beyond it; liveness is always answered), and a connection
is closed when it sends nothing for `timeout_keep_alive` seconds from the moment it opens. A client that
trickles its headers is the proxy's to cut off (deploy/Caddyfile), as in any real deployment."""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

ALWAYS_ANSWERED = ("/healthz/live",)  # a busy process is alive: a probe must not have it restarted


class RequestLimit:
    """ASGI middleware: at most `limit` HTTP requests in the app at once; more get a 503 straight away."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit, self.active = app, limit, 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in ALWAYS_ANSWERED:
            await self.app(scope, receive, send)
            return
        if self.active >= self.limit:  # one event loop: no other request changes `active` in between
            await send(
                {
                    "type": "http.response.start",
                    "status": 503,
                    "headers": [(b"content-type", b"application/json"), (b"retry-after", b"1")],
                }
            )
            await send({"type": "http.response.body", "body": b'{"error":"busy","detail":"Try again."}'})
            return
        self.active += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.active -= 1


class HeadAsGet:
    """ASGI middleware: HEAD is answered as GET would be, headers only (FastAPI's routes answer HEAD with a
    405, so link checkers, uptime monitors and caches asking for a page's headers were refused)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body"):
                    return
                message = {"type": "http.response.body", "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)


class IdleClosingProtocol(HttpToolsProtocol):
    """uvicorn's HTTP protocol, with the keep-alive timer armed when the connection opens too: a connection
    that never sends a request is closed like one that went quiet after its last response."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.timeout_keep_alive_task = self.loop.call_later(
            self.timeout_keep_alive, self.timeout_keep_alive_handler
        )
