"""Every response carries the security headers, and the pages need no inline script for the
Content-Security-Policy to allow: an injected script cannot run, nor can the site be framed."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from tests.helpers import ROOT

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)


def test_every_kind_of_response_carries_the_security_headers(
    client: TestClient, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    listing = make_listing(make_org(make_user()))
    for path in (
        "/",
        f"/productos/{listing.id}/{listing.slug}",
        "/buscar?q=cafe",
        "/impacto",
        "/api/v1/listings",
        "/static/css/site.css",
        "/no-existe",
        "/api/v1/no-existe",
    ):
        headers = client.get(path).headers
        assert headers["x-content-type-options"] == "nosniff", path
        assert headers["x-frame-options"] == "DENY", path
        assert headers["referrer-policy"] == "strict-origin-when-cross-origin", path
        policy = headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy, path
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, path


def test_no_template_has_an_inline_script_or_event_handler() -> None:
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text()
        assert not INLINE_SCRIPT.search(text), template
        assert not INLINE_HANDLER.search(text), template
