"""Responses compressed for the way there: a page, its JSON, CSS, JS and SVG travel as brotli (or gzip for
a client that takes only that), a few times smaller, which on a slow rural connection is most of the wait.

Only text is compressed (an allow-list: a JPEG, a PDF or a spreadsheet is compressed already, and doing it
again costs time for nothing), only above a small size (below one packet it saves no round trip), never a
part of a file (206) nor what is already encoded. A streamed body (a CSV export) is compressed chunk by
chunk, each flushed, so it still arrives as it is written. The levels are the ones proxies use for dynamic
content: most of the gain for a few milliseconds."""

from __future__ import annotations

import zlib
from functools import partial
from typing import Protocol

import anyio.to_thread
import brotli
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MINIMUM_SIZE = 512
COMPRESSIBLE = (
    "text/",
    "application/json",
    "application/problem+json",
    "application/javascript",
    "application/xml",
    "application/manifest+json",
    "image/svg+xml",
)
# Server-sent events would reach the browser through a compressor only as fast as it flushes, and some
# proxies hold a compressed stream back whole: they go as they are.
NEVER = ("text/event-stream",)
BROTLI_QUALITY = 5  # quality 11 saves another 7 % on htmx and costs 25 times the time
GZIP_LEVEL = 6
THREAD_MINIMUM_SIZE = 128 * 1024  # ~5 ms of brotli: a large JSON answer or export chunk


class Encoder(Protocol):
    def chunk(self, data: bytes) -> bytes: ...  # compressed so far, flushed: a reader can show it
    def last(self, data: bytes) -> bytes: ...


class Gzip:
    def __init__(self) -> None:
        self.stream = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 16 + zlib.MAX_WBITS)

    def chunk(self, data: bytes) -> bytes:
        return self.stream.compress(data) + self.stream.flush(zlib.Z_SYNC_FLUSH)

    def last(self, data: bytes) -> bytes:
        return self.stream.compress(data) + self.stream.flush()


class Brotli:
    def __init__(self) -> None:
        self.stream = brotli.Compressor(quality=BROTLI_QUALITY)

    def chunk(self, data: bytes) -> bytes:
        return bytes(self.stream.process(data)) + bytes(self.stream.flush())

    def last(self, data: bytes) -> bytes:
        return bytes(self.stream.process(data)) + bytes(self.stream.finish())


ENCODERS: dict[str, type[Gzip] | type[Brotli]] = {"br": Brotli, "gzip": Gzip}


def chosen_encoding(accept_encoding: str) -> str | None:
    """brotli if the client takes it, else gzip, else None; `q=0` refuses an encoding."""
    accepted = set()
    for item in accept_encoding.lower().split(","):
        name, *params = (part.strip() for part in item.split(";"))
        quality = next((value for key, _, value in (p.partition("=") for p in params) if key == "q"), "1")
        try:
            if float(quality) > 0:
                accepted.add(name)
        except ValueError:  # a malformed weight: as if the encoding was not named
            continue
    return next((name for name in ENCODERS if name in accepted), None)


def is_compressible(content_type: str) -> bool:
    media_type = content_type.partition(";")[0].strip().lower()
    return media_type.startswith(COMPRESSIBLE) and media_type not in NEVER


async def encoded(encoder: Encoder, body: bytes, more: bool) -> bytes:
    """The body compressed; a big one on a worker thread, so other requests are not held up meanwhile."""
    work = partial(encoder.chunk if more else encoder.last, body)
    return await anyio.to_thread.run_sync(work) if len(body) >= THREAD_MINIMUM_SIZE else work()


class Compression:
    """ASGI middleware: compresses what the client accepts and is worth it (see the module's docstring)."""

    def __init__(self, app: ASGIApp, minimum_size: int = MINIMUM_SIZE) -> None:
        self.app, self.minimum_size = app, minimum_size

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        encoding = chosen_encoding(Headers(scope=scope).get("accept-encoding", ""))
        start: Message | None = None
        encoder: Encoder | None = None
        passing = False  # the response goes out as the app wrote it

        async def compressing_send(message: Message) -> None:
            nonlocal start, encoder, passing
            if message["type"] == "http.response.start":
                headers = MutableHeaders(raw=list(message.get("headers", [])))
                message["headers"] = headers.raw
                if is_compressible(headers.get("content-type", "")):
                    headers.add_vary_header("Accept-Encoding")  # a shared cache keeps one copy per encoding
                if (
                    encoding is None
                    or message["status"] in (204, 206, 304)
                    or "content-encoding" in headers
                    or not is_compressible(headers.get("content-type", ""))
                ):
                    passing = True
                    await send(message)
                else:
                    start = message  # sent with the first body, once its headers are known
                return
            if passing or message["type"] != "http.response.body":
                if start is not None and message["type"] != "http.response.body":
                    passing = True  # trailers, early hints, a file sent by path: as they are
                    await send(start)
                    start = None
                await send(message)
                return
            body, more = message.get("body", b""), message.get("more_body", False)
            if start is not None:
                if not more and len(body) < self.minimum_size:
                    passing = True
                    await send(start)
                    await send(message)
                    return
                assert encoding is not None
                encoder = ENCODERS[encoding]()
                headers = MutableHeaders(raw=start["headers"])
                headers["Content-Encoding"] = encoding
                if (etag := headers.get("etag")) and not etag.startswith("W/"):
                    headers["ETag"] = f"W/{etag}"  # the same bytes no more: a strong tag would claim they are
                if more:
                    del headers["Content-Length"]
                body = await encoded(encoder, body, more)
                if not more:
                    headers["Content-Length"] = str(len(body))
                await send(start)
                start = None
                await send({**message, "body": body})
                return
            assert encoder is not None
            await send({**message, "body": await encoded(encoder, body, more)})

        await self.app(scope, receive, compressing_send)
