"""Photos on a listing's first save: the new-listing form takes several image files with the listing, all or
nothing. A file that is no image, too big or one too many is refused beside the field, in Spanish, and
neither the listing nor any file is kept."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from market import media
from market.catalog.models import Listing, ListingPhoto
from market.catalog.service import MAX_PHOTOS
from market.config import Settings
from market.organizations.models import Organization
from tests.fixtures.s3 import stored_keys
from tests.helpers import LISTING_FORM, csrf_of, database_state, log_in
from tests.pages import attr, field_error, one, soup
from tests.test_images import png_declaring

Files = list[tuple[str, tuple[str, bytes, str]]]


def picture(size: tuple[int, int] = (800, 600), fmt: str = "JPEG") -> bytes:
    buffer = BytesIO()
    Image.new("RGB", size, (150, 90, 40)).save(buffer, fmt)
    return buffer.getvalue()


def photos(*contents: bytes) -> Files:
    return [("photos", (f"foto-{n}.jpg", data, "image/jpeg")) for n, data in enumerate(contents)]


@pytest.fixture
def producer(client: TestClient, make_user: Any, make_org: Any) -> Organization:
    org: Organization = make_org(make_user("ana@example.mx"))
    log_in(client, "ana@example.mx")
    return org


def create(client: TestClient, org: Organization, files: Files) -> Any:
    path = f"/panel/o/{org.slug}/productos/nuevo"
    form = LISTING_FORM | {"status": "active", "csrf_token": csrf_of(client, path)}
    return client.post(path, data=form, files=files)


def test_the_new_listing_form_takes_several_photos(client: TestClient, producer: Organization) -> None:
    page = client.get(f"/panel/o/{producer.slug}/productos/nuevo")
    form = one(page, "form[enctype='multipart/form-data']")
    chooser = one(form, "input[name='photos']")
    assert (attr(chooser, "type"), attr(chooser, "accept")) == ("file", "image/*")
    assert chooser.has_attr("multiple")


def test_photos_are_saved_with_the_listing_on_the_first_save(
    client: TestClient, producer: Organization, settings: Settings, session: Session
) -> None:
    response = create(client, producer, photos(picture((1200, 900)), picture((600, 800), "PNG")))

    assert response.status_code == 303, response.text
    listing = session.exec(select(Listing)).one()
    saved = session.exec(select(ListingPhoto).order_by(col(ListingPhoto.position))).all()
    assert [(p.listing_id, p.position) for p in saved] == [(listing.id, 0), (listing.id, 1)]
    assert stored_keys(settings) == {
        key for p in saved for key, _side in media.sizes_of(p.path, p.thumb_path)
    }
    assert client.get(f"/media/{saved[0].thumb_path}").status_code == 200
    # the listing's public page shows them
    assert client.get(f"/productos/{listing.id}/{listing.slug}").text.count(f"/media/{saved[0].path}") >= 1


def heavy(settings: Settings) -> bytes:
    """A real JPEG a little under the limit of one file (the bytes after its end are no part of it)."""
    data = picture((640, 480))
    return data + b"\0" * (settings.max_upload_bytes - len(data) - 1024)


def test_several_photos_of_a_phone_s_size_fit_in_one_save(
    client: TestClient, producer: Organization, settings: Settings, session: Session
) -> None:
    # more than one upload's worth in one request: the new-listing form takes a request that big, and
    # only that form (any other page keeps the limit of one file, tests/test_limits.py)
    response = create(client, producer, photos(*[heavy(settings)] * 3))

    assert response.status_code == 303, response.text
    assert len(session.exec(select(ListingPhoto)).all()) == 3
    too_many = create(client, producer, photos(*[heavy(settings)] * (MAX_PHOTOS + 1)))
    assert too_many.status_code == 413  # past what the most photos a listing takes can weigh
    listing = session.exec(select(Listing)).one()
    edit = f"/panel/productos/{listing.id}/fotos"
    token = csrf_of(client, f"/panel/productos/{listing.id}")
    two_at_once = client.post(
        edit, data={"csrf_token": token}, files=photos(heavy(settings), heavy(settings))
    )
    assert two_at_once.status_code == 413


def test_a_listing_saved_without_choosing_photos_has_none(
    client: TestClient, producer: Organization, settings: Settings, session: Session
) -> None:
    # what a browser sends when no file was chosen: one part with no name and no bytes
    response = create(client, producer, [("photos", ("", b"", "application/octet-stream"))])

    assert response.status_code == 303, response.text
    assert session.exec(select(Listing)).one()
    assert session.exec(select(ListingPhoto)).all() == [] and stored_keys(settings) == set()


def truncated_jpeg() -> bytes:
    """Its header reads well; it fails only when decoded, after the photo before it was stored."""
    data = picture((800, 600))
    return data[: len(data) // 2]


@pytest.mark.parametrize(
    ("files", "status", "message"),
    [
        (
            lambda settings: photos(picture(), b"esto no es una imagen"),
            422,
            "El archivo no es una imagen JPEG, PNG o WebP válida.",
        ),
        (
            lambda settings: photos(picture(), truncated_jpeg()),
            422,
            "El archivo no es una imagen JPEG, PNG o WebP válida.",
        ),
        (
            # one byte over the limit of a file (the request as a whole may carry a little more)
            lambda settings: photos(picture() + b"\0" * (settings.max_upload_bytes - len(picture()) + 1)),
            422,
            "La imagen pesa más de 5 MB.",
        ),
        (
            lambda settings: photos(picture(), png_declaring(6000, 6000)),
            422,
            "La imagen mide 6000 × 6000 px; el máximo es 16 megapíxeles",
        ),
        (
            lambda settings: photos(*[picture((40, 30))] * (MAX_PHOTOS + 1)),
            422,
            f"Cada producto admite hasta {MAX_PHOTOS} fotos.",
        ),
    ],
    ids=["not-an-image", "truncated", "too-heavy", "too-many-pixels", "too-many-files"],
)
def test_a_refused_photo_saves_nothing_and_says_why_beside_the_field(
    client: TestClient,
    producer: Organization,
    settings: Settings,
    engine: Engine,
    files: Any,
    status: int,
    message: str,
) -> None:
    before = database_state(engine)

    response = create(client, producer, files(settings))

    assert response.status_code == status, response.text
    page = soup(response)
    assert message in (field_error(page, "photos") or "")
    assert "No se guardó nada" in (field_error(page, "photos") or "")
    assert one(page, "input[name='title']")["value"] == "Miel multifloral 1 kg"  # the rest stays typed
    assert database_state(engine) == before  # no listing, no photo row, no upload counted
    assert stored_keys(settings) == set()  # and no file, not even of the good photo before the bad one


def test_photos_over_the_hourly_limit_save_nothing(
    client: TestClient, producer: Organization, settings: Settings, engine: Engine
) -> None:
    settings.uploads_per_hour = 1
    before = database_state(engine)

    response = create(client, producer, photos(picture(), picture()))

    assert response.status_code == 429
    assert "Ya subiste el máximo de imágenes por hora (1)." in (field_error(response, "photos") or "")
    assert database_state(engine) == before and stored_keys(settings) == set()
