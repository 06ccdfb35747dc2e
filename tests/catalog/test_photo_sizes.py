"""A listing photo is stored at three sizes (400, 800 and at most 1600 px) so a phone loads the one its
screen needs: the listing page offers them all (srcset), cards the thumbnail, each with its size declared
and loaded when scrolled to. Photos stored before the medium size existed are offered at the two they have,
never at one that is missing."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from fastapi.testclient import TestClient
from PIL import Image
from sqlmodel import Session

from market import media
from market.catalog.models import ListingPhoto
from market.config import Settings
from market.storage import storage_for
from tests.helpers import api_token, run_search_worker
from tests.pages import attr, elements


def photo(size: tuple[int, int]) -> bytes:
    buffer = BytesIO()
    Image.new("RGB", size, (30, 120, 60)).save(buffer, "JPEG")
    return buffer.getvalue()


def width_of(client: TestClient, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    return Image.open(BytesIO(response.content)).width


def test_the_listing_page_offers_each_size_of_a_photo(
    client: TestClient, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    org = make_org(make_user("ana@example.mx"))
    listing = make_listing(org)
    headers = api_token(client, "ana@example.mx")
    for size in ((2400, 1800), (1200, 900)):
        added = client.post(
            f"/api/v1/listings/{listing.id}/photos",
            files={"file": ("f.jpg", photo(size), "image/jpeg")},
            headers=headers,
        )
        assert added.status_code == 201, added.text

    page = client.get(f"/productos/{listing.id}/{listing.slug}")

    first, second = elements(page, ".gallery img")
    candidates = [item.rsplit(" ", 1) for item in (attr(first, "srcset") or "").split(", ")]
    assert [descriptor for _url, descriptor in candidates] == ["400w", "800w", "1600w"]
    assert [width_of(client, url) for url, _descriptor in candidates] == [400, 800, 1600]
    assert attr(first, "src") == candidates[1][0]  # a browser without srcset gets the medium one
    assert attr(first, "sizes") and (attr(first, "width"), attr(first, "height")) == ("800", "600")
    assert attr(first, "loading") is None and attr(second, "loading") == "lazy"  # the first is seen at once


def test_a_photo_stored_before_the_medium_size_is_offered_at_the_sizes_it_has(
    client: TestClient, make_user: Any, make_org: Any, make_listing: Any, session: Session, settings: Settings
) -> None:
    listing = make_listing(make_org(make_user()))
    storage = storage_for(settings)
    storage.put("listings/0123456789abcdef.jpg", photo((1600, 1200)), "image/jpeg")
    storage.put("listings/0123456789abcdef-thumb.jpg", photo((400, 300)), "image/jpeg")
    session.add(
        ListingPhoto(
            listing_id=listing.id,
            path="listings/0123456789abcdef.jpg",
            thumb_path="listings/0123456789abcdef-thumb.jpg",
        )
    )
    session.commit()

    [img] = elements(client.get(f"/productos/{listing.id}/{listing.slug}"), ".gallery img")

    assert attr(img, "srcset") == (
        "/media/listings/0123456789abcdef-thumb.jpg 400w, /media/listings/0123456789abcdef.jpg 1600w"
    )
    assert attr(img, "src") == "/media/listings/0123456789abcdef.jpg"
    assert media.sizes_of("listings/0123456789abcdef.jpg", "listings/0123456789abcdef-thumb.jpg") == [
        ("listings/0123456789abcdef-thumb.jpg", 400),
        ("listings/0123456789abcdef.jpg", 1600),
    ]


def test_cards_load_the_thumbnail_when_scrolled_to_with_its_size_declared(
    app: Any, client: TestClient, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    org = make_org(make_user("ana@example.mx"))
    listing = make_listing(org)
    added = client.post(
        f"/api/v1/listings/{listing.id}/photos",
        files={"file": ("f.jpg", photo((1600, 1200)), "image/jpeg")},
        headers=api_token(client, "ana@example.mx"),
    )
    thumb = added.json()["photos"][0]["thumb_url"]
    run_search_worker(app)

    for path in ("/", "/catalogo", "/buscar?q=cafe"):
        images = [img for img in elements(client.get(path), "img") if attr(img, "src") == thumb]
        assert images, path
        for img in images:
            assert attr(img, "loading") == "lazy", path
            assert (attr(img, "width"), attr(img, "height")) == ("400", "300"), path
    assert width_of(client, thumb) == 400
