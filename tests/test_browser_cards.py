"""Listing cards on a phone (390 × 844, an iPhone 12-15's viewport) in a real Chromium: the search page
and the catalogue show at least two results on the first screen, and nothing makes the page scroll
sideways."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session

from market import demo_pictures, media
from market.catalog.models import ListingPhoto
from market.config import Settings
from tests.helpers import run_search_worker

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
# Long titles and names: the cards must stay compact whatever the producer typed.
TITLES = [
    "Café de altura tostado en grano, variedad típica y bourbon de la sierra, bolsa de 1 kg",
    "Café molido para cafetera de filtro",
    "Café verde pergamino para tostadores, saco de 69 kg",
    "Café soluble liofilizado",
    "Café de olla con canela y piloncillo",
    "Café orgánico descafeinado",
]


@pytest.fixture
def catalog(
    app: Any, session: Session, settings: Settings, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    org = make_org(
        make_user(), name="Unión de Cooperativas Cafetaleras Tosepan Titataniske de la Sierra Norte"
    )
    for n, title in enumerate(TITLES):
        listing = make_listing(org, title=title, description="Cosecha 2026. " * 20)
        if n % 3 != 2:  # some without a photo: their placeholder takes the same room
            path, thumb = media.store_drawn(demo_pictures.draw(title, "cafe"), settings.media_dir, "listings")
            session.add(ListingPhoto(listing_id=listing.id, path=path, thumb_path=thumb, position=0))
    session.commit()
    run_search_worker(app)


def first_screen_cards(page: Any, selector: str) -> int:
    """How many cards are wholly inside the first screen."""
    count: int = page.evaluate(
        """(selector) => [...document.querySelectorAll(selector)].filter((card) => {
               const box = card.getBoundingClientRect();
               return box.top >= 0 && box.left >= 0 && box.bottom <= innerHeight && box.right <= innerWidth;
           }).length""",
        selector,
    )
    return count


@pytest.mark.parametrize(
    ("path", "selector"),
    [("/buscar?q=cafe", ".results .listing-card"), ("/catalogo", ".grid .listing-card")],
    ids=["search", "catalogue"],
)
def test_a_phone_shows_two_results_on_the_first_screen_without_sideways_scroll(
    browser: Any, live_server: str, catalog: None, path: str, selector: str
) -> None:
    context = browser.new_context(locale="es-MX", viewport=PHONE, device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    page.goto(f"{live_server}{path}")
    page.locator(selector).first.wait_for()

    assert page.locator(selector).count() == len(TITLES)
    assert first_screen_cards(page, selector) >= 2
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # each card's picture says its size and loads only when scrolled near
    for image in page.locator(f"{selector} img").all():
        assert image.get_attribute("loading") == "lazy"
        assert image.get_attribute("width") and image.get_attribute("height")
    context.close()
