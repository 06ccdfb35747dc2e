"""Responses travel compressed when that makes them smaller: pages, JSON, CSS, JS and SVG as brotli or gzip,
whichever the client takes, decompressing to exactly what an uncompressed answer holds; photos, parts of
files and small answers as they are; a streamed CSV still streams."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from io import BytesIO
from typing import Any

import anyio
import brotli
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Message

from market import csvfiles
from market.compression import Compression, chosen_encoding
from market.config import Settings
from market.storage import storage_for

DECODE = {"br": brotli.decompress, "gzip": gzip.decompress}


def raw_get(client: TestClient, path: str, accept: str, **headers: str) -> tuple[Any, bytes]:
    """The response and its body as it travelled (not decoded)."""
    with client.stream("GET", path, headers={"accept-encoding": accept, **headers}) as response:
        return response, b"".join(response.iter_raw())


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_pages_json_css_and_js_travel_compressed_and_decompress_to_the_same(
    client: TestClient, make_user: Any, make_org: Any, make_listing: Any, encoding: str
) -> None:
    listing = make_listing(make_org(make_user()))
    for path in (
        "/",
        f"/productos/{listing.id}/{listing.slug}",
        "/api/v1/listings",
        "/static/css/site.css",
        "/static/vendor/htmx-2.0.4.min.js",
        "/impacto.csv",
    ):
        plain, plain_body = raw_get(client, path, "identity")
        packed, packed_body = raw_get(client, path, encoding)

        assert plain.status_code == packed.status_code == 200, path
        assert "content-encoding" not in plain.headers, path
        assert packed.headers["content-encoding"] == encoding, path
        assert int(packed.headers["content-length"]) == len(packed_body) < len(plain_body), path
        assert "Accept-Encoding" in packed.headers["vary"] and "Accept-Encoding" in plain.headers["vary"], (
            path
        )
        if path.startswith(("/api/", "/static/", "/impacto.csv")):  # a page has a new CSRF token each time
            assert DECODE[encoding](packed_body) == plain_body, path
        else:
            assert len(DECODE[encoding](packed_body)) == len(plain_body), path


def test_brotli_is_preferred_and_an_encoding_refused_with_q0_is_not_used() -> None:
    assert chosen_encoding("gzip, deflate, br, zstd") == "br"
    assert chosen_encoding("gzip") == "gzip"
    assert chosen_encoding("br;q=0, gzip;q=0.5") == "gzip"
    assert chosen_encoding("gzip;q=0") is None
    assert chosen_encoding("identity") is None
    assert chosen_encoding("") is None
    assert chosen_encoding("gzip;q=nope, br") == "br"


def jpeg(size: tuple[int, int] = (640, 480)) -> bytes:
    buffer = BytesIO()
    Image.new("RGB", size, (200, 80, 10)).save(buffer, "JPEG")
    return buffer.getvalue()


def test_a_photo_travels_as_it_is(client: TestClient, settings: Settings) -> None:
    photo = jpeg()
    storage_for(settings).put("listings/foto.jpg", photo, "image/jpeg")

    response, body = raw_get(client, "/media/listings/foto.jpg", "gzip, br")

    assert response.status_code == 200
    assert "content-encoding" not in response.headers
    assert body == photo
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"


def test_a_part_of_a_file_and_a_small_answer_travel_as_they_are(client: TestClient) -> None:
    part, body = raw_get(client, "/static/css/site.css", "gzip, br", range="bytes=0-99")
    assert part.status_code == 206
    assert "content-encoding" not in part.headers and len(body) == 100

    small, body = raw_get(client, "/healthz/live", "gzip, br")
    assert small.status_code == 200 and len(body) < 512
    assert "content-encoding" not in small.headers


def test_a_compressed_static_file_keeps_a_weak_etag_that_still_gives_a_304(client: TestClient) -> None:
    plain, _body = raw_get(client, "/static/css/site.css", "identity")
    packed, _body = raw_get(client, "/static/css/site.css", "br")
    assert packed.headers["etag"] == f"W/{plain.headers['etag']}"  # other bytes: not the same strong tag

    again, body = raw_get(client, "/static/css/site.css", "br", **{"if-none-match": packed.headers["etag"]})

    assert again.status_code == 304 and body == b""


def middleware_app(response: Response) -> TestClient:
    async def endpoint(_request: Request) -> Response:
        return response

    return TestClient(Compression(Starlette(routes=[Route("/", endpoint)])))


@pytest.mark.parametrize(
    ("content_type", "compressed"),
    [
        ("image/svg+xml", True),
        ("text/html; charset=utf-8", True),
        ("application/json", True),
        ("text/javascript", True),
        ("image/png", False),
        ("image/webp", False),
        ("application/pdf", False),
        ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", False),
        ("text/event-stream", False),  # each event must reach the browser as it is sent
    ],
)
def test_only_text_is_compressed(content_type: str, compressed: bool) -> None:
    body = b"<svg>" + b"tianguis " * 200 + b"</svg>"
    client = middleware_app(Response(body, media_type=content_type))

    response, sent = raw_get(client, "/", "gzip")

    assert ("content-encoding" in response.headers) is compressed, content_type
    assert (gzip.decompress(sent) if compressed else sent) == body


def test_a_large_answer_compressed_away_from_the_event_loop_reads_whole() -> None:
    body = b"".join(b'{"id": %d, "title": "Caf\xc3\xa9 de altura"},' % n for n in range(10_000))
    assert len(body) > 128 * 1024
    client = middleware_app(Response(body, media_type="application/json"))

    for encoding in ("br", "gzip"):
        response, sent = raw_get(client, "/", encoding)
        assert response.headers["content-encoding"] == encoding
        assert int(response.headers["content-length"]) == len(sent) < len(body) // 5
        assert DECODE[encoding](sent) == body


def streamed_through_compression(response: Response, accept: str) -> list[Message]:
    """The messages the middleware sends for `response`, as the server receives them one by one."""
    sent: list[Message] = []

    async def receive() -> Message:  # the client stays until the end
        await anyio.sleep_forever()
        raise AssertionError("unreachable")

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": "/", "headers": [(b"accept-encoding", accept.encode())]}
    anyio.run(Compression(response), scope, receive, send)
    return sent


def test_a_streamed_csv_is_compressed_chunk_by_chunk_and_reads_whole() -> None:
    header = ["Productor", "Cantidad", "Producto"]
    rows: list[list[csvfiles.Cell]] = [[f"Productor {n}", n, "Café"] for n in range(5 * csvfiles.STREAM_ROWS)]
    expected = b"".join(csvfiles.chunks(header, iter(rows)))

    start, *bodies = streamed_through_compression(
        csvfiles.streamed("ventas.csv", csvfiles.chunks(header, iter(rows))), "gzip"
    )

    headers = dict(start["headers"])
    assert headers[b"content-encoding"] == b"gzip"
    assert b"content-length" not in headers
    assert headers[b"content-disposition"] == b'attachment; filename="ventas.csv"'
    assert len(bodies) > 2 and bodies[-1]["more_body"] is False
    # Each chunk is flushed: the first rows can be read before the last are written.
    first = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(bodies[0]["body"])
    assert len(first) > 1000 and expected.startswith(first)
    assert gzip.decompress(b"".join(message["body"] for message in bodies)) == expected


def test_a_streamed_body_in_brotli_reads_whole() -> None:
    def chunks() -> Iterator[bytes]:
        for n in range(50):
            yield f"Productor {n}, café\n".encode() * 20

    start, *bodies = streamed_through_compression(csvfiles.streamed("ventas.csv", chunks()), "br")

    assert dict(start["headers"])[b"content-encoding"] == b"br"
    assert brotli.Decompressor().process(bodies[0]["body"])  # readable before the rest arrives
    assert brotli.decompress(b"".join(message["body"] for message in bodies)) == b"".join(chunks())
