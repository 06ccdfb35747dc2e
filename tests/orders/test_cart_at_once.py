"""Several changes to one cart at once (a double tap, two tabs, a retried request) each get an answer, and
the cart ends with one line per listing."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from fastapi.testclient import TestClient

from tests.helpers import api_token


def test_the_same_listing_put_in_a_new_cart_from_several_requests_at_once(
    client: TestClient, live_server: str, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    listing = make_listing(make_org(make_user("cafe@example.mx")), stock=20)
    buyer = api_token(client, make_user("lucia@example.mx").email)  # no cart yet: the first request makes it

    def put(quantity: int) -> int:
        url = f"{live_server}/api/v1/cart/items/{listing.id}"
        return httpx.put(url, headers=buyer, json={"quantity": quantity}, timeout=30).status_code

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(put, [2] * 8))

    assert answers == [200] * 8
    cart = client.get("/api/v1/cart", headers=buyer).json()
    lines = [line for group in cart["groups"] for line in group["lines"]]
    assert [(line["listing_id"], line["quantity"]) for line in lines] == [(listing.id, 2)]
