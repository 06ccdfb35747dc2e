"""What a buyer on a slow rural connection downloads: the home page, a search and a listing page, each with
the CSS and JS it links, measured in bytes on the wire from the app served by uvicorn (compressed as a browser
asks: gzip, the weakest encoding every browser takes) on the demo marketplace. A first visit stays within
40 KB without photos; the next one, with the assets in the browser's cache, within 15 KB."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urljoin

import httpx
import pytest
from fastapi import FastAPI
from sqlmodel import Session

from market.config import Settings
from market.seed import load_demo
from tests.fixtures.app import served
from tests.helpers import run_search_worker
from tests.pages import attr, elements, soup

FIRST_VISIT_BUDGET = 40 * 1024
NEXT_VISIT_BUDGET = 15 * 1024
MAX_AGE = re.compile(r"max-age=(\d+)")


@pytest.fixture
def demo_site(app: FastAPI, session: Session, settings: Settings) -> Iterator[str]:
    load_demo(session, settings)
    session.commit()
    run_search_worker(app)
    with served(app, settings) as url:
        yield url


def on_the_wire(response: httpx.Response, body: bytes) -> int:
    """Status line, headers and body as HTTP/1.1 sends them (the body as it travelled, compressed)."""
    status = len(f"HTTP/1.1 {response.status_code} {response.reason_phrase}\r\n")
    headers = sum(len(name) + len(value) + 4 for name, value in response.headers.raw)
    return status + headers + 2 + len(body)


@dataclass
class Browser:
    """Enough of a browser to weigh a visit: it sends its cookies and Accept-Encoding, keeps what the site
    said it may keep (fresh for max-age: not asked again; otherwise asked with If-None-Match)."""

    http: httpx.Client
    cache: dict[str, httpx.Headers] = field(default_factory=dict)

    def fetch(self, url: str) -> tuple[httpx.Response, bytes, int]:
        headers = {}
        if (kept := self.cache.get(url)) is not None:
            if MAX_AGE.search(kept.get("cache-control", "")) and "no-cache" not in kept["cache-control"]:
                return httpx.Response(200, headers=kept), b"", 0  # from the cache: nothing on the wire
            if "etag" in kept:
                headers["if-none-match"] = kept["etag"]
        with self.http.stream("GET", url, headers=headers) as response:
            body = b"".join(response.iter_raw())
        keeps = "cache-control" in response.headers or "etag" in response.headers
        if (
            response.status_code == 200
            and keeps
            and "no-store" not in response.headers.get("cache-control", "")
        ):
            self.cache[url] = response.headers
        return response, body, on_the_wire(response, body)

    def visit(self, url: str) -> tuple[int, dict[str, int]]:
        """Bytes of the page and of each stylesheet and script it links (not its photos)."""
        page, body, size = self.fetch(url)
        assert page.status_code == 200, url
        html = soup(httpx.Response(200, content=body, headers=page.headers).text)
        assets = [attr(link, "href") for link in elements(html, "link[rel=stylesheet]")]
        assets += [attr(script, "src") for script in elements(html, "script[src]")]
        weights = {}
        for asset in assets:
            assert asset, url
            response, _body, weights[asset] = self.fetch(urljoin(url, asset))
            assert response.status_code in (200, 304), asset
        return size, weights


def the_pages(base: str) -> dict[str, str]:
    search = f"{base}/buscar?q=cafe"
    listing = next(
        href
        for href in (attr(a, "href") or "" for a in elements(soup(httpx.get(search)), "a[href]"))
        if href.startswith("/productos/")
    )
    listing_page = httpx.get(f"{base}{listing}", follow_redirects=True)  # its address with the slug
    return {"home": f"{base}/", "search": search, "listing": str(listing_page.url)}


@pytest.mark.parametrize("accepted", ["gzip", "gzip, deflate, br"])  # the least a browser takes; Chrome's
def test_a_first_and_a_next_visit_stay_within_the_budget(demo_site: str, accepted: str) -> None:
    pages = the_pages(demo_site)
    weighed: dict[str, tuple[int, int]] = {}
    for name, url in pages.items():
        with httpx.Client(headers={"accept-encoding": accepted}, timeout=10) as http:  # a visitor of its own
            browser = Browser(http)
            page, assets = browser.visit(url)
            assert len(assets) >= 3, f"{name} links its stylesheet and scripts: {assets}"
            again, assets_again = browser.visit(url)
            weighed[name] = (page + sum(assets.values()), again + sum(assets_again.values()))

    report = {
        name: f"{first / 1024:.1f} KB, then {next_ / 1024:.1f} KB" for name, (first, next_) in weighed.items()
    }
    print(report)  # with -s: the figures
    assert all(first <= FIRST_VISIT_BUDGET for first, _next in weighed.values()), report
    assert all(next_ <= NEXT_VISIT_BUDGET for _first, next_ in weighed.values()), report
