"""The star form in a real Chromium: clicking a star chooses it and lights the ones before it, and the
review is posted through htmx without leaving the order page."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.fixtures.browser import SignIn
from tests.reviews.conftest import Buy

pytestmark = pytest.mark.browser
LIT = "rgb(201, 138, 0)"


def test_the_buyer_picks_four_stars_and_posts_the_review_in_place(
    sign_in: SignIn, live_server: str, shop: dict[str, Any], buy: Buy
) -> None:
    part = buy([shop["coffee"]])
    page = sign_in(shop["buyer"].email)
    order_url = f"{live_server}/pedidos/{part.order_id}"
    page.goto(order_url)

    page.locator(f'label[for="estrellas-{part.id}-4"]').click()
    expect(page.get_by_label("4 estrellas")).to_be_checked()
    page.mouse.move(0, 0)  # stop pointing, so only the choice lights the stars

    def color(n: int) -> str:
        label = page.locator(f'label[for="estrellas-{part.id}-{n}"]')
        return str(label.evaluate("element => getComputedStyle(element).color"))

    assert [color(n) == LIT for n in range(1, 6)] == [True, True, True, True, False]

    page.get_by_label("Comentario (opcional)").fill("Tostado perfecto.")
    page.get_by_role("button", name="Publicar reseña").click()
    expect(page.get_by_text("Gracias por tu reseña.")).to_be_visible()
    expect(page.get_by_role("img", name="4 de 5 estrellas")).to_be_visible()
    expect(page.get_by_text("Tostado perfecto.")).to_be_visible()
    assert page.url == order_url  # swapped in place, not a new page
    expect(page.get_by_role("button", name="Publicar reseña")).to_have_count(0)
