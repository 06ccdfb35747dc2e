"""Oversized request bodies are refused with a 413 before they are spooled, declared or streamed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi.testclient import TestClient

from market.config import Settings
from tests.helpers import TOKENS, api_token
from tests.pages import one, text_of


def test_a_declared_oversized_upload_is_a_413(
    client: TestClient, settings: Settings, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    owner = make_user()
    listing = make_listing(make_org(owner))
    headers = api_token(client, owner.email)
    too_big = b"\0" * (settings.max_upload_bytes + 2 * 1024 * 1024)
    response = client.post(
        f"/api/v1/listings/{listing.id}/photos",
        files={"file": ("a.png", too_big, "image/png")},
        headers=headers,
    )
    assert response.status_code == 413
    assert response.json()["error"] == "request_too_large"


def test_a_streamed_body_without_length_is_cut_off(client: TestClient, settings: Settings) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(settings.max_upload_bytes // (1024 * 1024) + 3):
            yield b"x" * 1024 * 1024

    response = client.post(TOKENS, content=chunks(), headers={"Content-Type": "application/json"})
    assert response.status_code == 413


def test_a_page_form_over_the_limit_gets_an_error_page(client: TestClient, settings: Settings) -> None:
    response = client.post("/entrar", data={"email": "a" * (settings.max_upload_bytes + 2 * 1024 * 1024)})
    assert response.status_code == 413
    assert "pesa más de" in text_of(one(response, "main h1 + p"))
