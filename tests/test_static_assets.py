"""The site's CSS and JS are linked by URLs that name their content: a browser keeps them for a year without
asking again, and a changed file gets a new URL; any other URL of a static file is revalidated (304)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from market.app import STATIC_DIR, create_app
from market.assets import CACHE_FOREVER, StaticAssets, VersionedStaticFiles
from market.config import Settings
from tests.helpers import ROOT
from tests.pages import attr, elements, soup

VERSIONED = re.compile(r"^/static/[\w./-]+\?v=[0-9a-f]{12}$")


def linked_assets(html: str) -> list[str]:
    page = soup(html)
    links = [attr(link, "href") or "" for link in elements(page, "link[rel=stylesheet]")]
    return links + [attr(script, "src") or "" for script in elements(page, "script[src]")]


def test_pages_link_versioned_assets_a_browser_keeps_for_a_year(
    client: TestClient, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    listing = make_listing(make_org(make_user()))
    for path in ("/", "/buscar?q=cafe", f"/productos/{listing.id}/{listing.slug}"):
        assets = linked_assets(client.get(path).text)
        assert len(assets) >= 3, path
        for url in assets:
            assert VERSIONED.match(url), url
            response = client.get(url)
            assert response.status_code == 200, url
            assert response.headers["cache-control"] == "public, max-age=31536000, immutable", url
    assert "/static/js/search.js?v=" in " ".join(linked_assets(client.get("/buscar?q=cafe").text))


def test_the_version_is_the_files_content(client: TestClient) -> None:
    css = next(url for url in linked_assets(client.get("/").text) if "site.css" in url)
    served = client.get(css).content
    assert served == (STATIC_DIR / "css/site.css").read_bytes()
    assert css.endswith(StaticAssets(STATIC_DIR).versions["css/site.css"])


def test_a_static_file_without_its_current_version_is_revalidated(client: TestClient) -> None:
    for url in ("/static/css/site.css", "/static/css/site.css?v=000000000000"):
        first = client.get(url)
        assert first.status_code == 200
        assert first.headers["cache-control"] == "public, no-cache", url  # kept, but asked about each time
        assert "last-modified" in first.headers

        again = client.get(url, headers={"if-none-match": first.headers["etag"]})

        assert again.status_code == 304, url
        assert again.content == b""
        assert again.headers["cache-control"] == "public, no-cache", url


def test_a_changed_file_gets_a_new_url_and_the_old_one_is_no_longer_kept(tmp_path: Path) -> None:
    static = tmp_path / "static"
    (static / "css").mkdir(parents=True)
    (static / "css/site.css").write_text("body { color: green; }")
    before = StaticAssets(static)
    old_url = before.url("css/site.css")

    (static / "css/site.css").write_text("body { color: maroon; }")  # the next deploy
    after = StaticAssets(static)
    new_url = after.url("css/site.css")

    assert new_url != old_url
    assert old_url.split("?")[0] == new_url.split("?")[0] == "/static/css/site.css"
    client = TestClient(VersionedStaticFiles(after))
    path = new_url.removeprefix("/static")
    assert client.get(path).headers["cache-control"] == CACHE_FOREVER
    stale = client.get(old_url.removeprefix("/static"))  # a page of the last version, still in a cache
    assert stale.text == "body { color: maroon; }"
    assert stale.headers["cache-control"] == "public, no-cache"  # never kept a year under the old name


def test_a_file_that_does_not_exist_is_a_templates_mistake() -> None:
    with pytest.raises(LookupError):
        StaticAssets(STATIC_DIR).url("css/no-existe.css")


def test_every_static_file_has_its_version_when_the_app_starts(settings: Settings) -> None:
    app = create_app(settings)
    assets = app.state.static_assets
    assert set(assets.versions) == {
        path.relative_to(STATIC_DIR).as_posix() for path in STATIC_DIR.rglob("*") if path.is_file()
    }
    app.state.engine.dispose()


def test_every_template_links_static_files_through_static_url() -> None:
    templates = ROOT / "templates"
    for template in templates.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert not re.search(r"""["']/static/|url_for\(\s*["']static["']""", text), template.name
