"""Uploaded media through the storage interface, on both backends: files under MEDIA_DIR (the embedded
default) and a bucket on a real S3-protocol server on loopback (moto). A photo or a logo goes in through the
real API or page, is served back from /media with its type and long-lived caching, and its objects are
deleted (after commit, by the worker) when the photo is removed or the logo replaced."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from market import media
from market.catalog.models import ListingPhoto
from market.config import Settings
from market.errors import StorageUnavailable
from market.organizations.models import Organization
from market.outbox import process_batch
from market.storage import (
    CACHE_FOREVER,
    DISCARD_TOPIC,
    LocalStorage,
    S3Storage,
    Storage,
    StoredObject,
    discard_handler,
    storage_for,
)
from tests.fixtures.s3 import settings_on, stored_keys
from tests.helpers import api_token, csrf_of, database_state, log_in
from tests.pages import elements, flash


@pytest.fixture(params=["disk", "s3"])
def settings(request: pytest.FixtureRequest, settings: Settings) -> Settings:
    """Every test here runs on the embedded default and on a bucket."""
    if request.param == "disk":
        return settings
    return settings_on(settings, request.getfixturevalue("s3_server"))


def picture(size: tuple[int, int], fmt: str = "PNG") -> bytes:
    buffer = BytesIO()
    Image.new("RGB", size, (30, 120, 60)).save(buffer, fmt)
    return buffer.getvalue()


def run_discards(app: FastAPI) -> int:
    return process_batch(app.state.engine, {DISCARD_TOPIC: discard_handler(app.state.settings)})


@pytest.fixture
def seller(make_user: Any, make_org: Any, make_listing: Any) -> dict[str, Any]:
    org = make_org(make_user("ana@example.mx"))
    return {"email": "ana@example.mx", "org": org, "listing": make_listing(org)}


def served_image(client: TestClient, url: str) -> Image.Image:
    response = client.get(url)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/jpeg"
    image = Image.open(BytesIO(response.content))
    image.load()
    return image


def test_the_settings_choose_the_backend(settings: Settings) -> None:
    storage = storage_for(settings)

    assert isinstance(storage, S3Storage if settings.s3_bucket else LocalStorage)
    storage.put("listings/prueba.jpg", b"\xff\xd8\xff datos", "image/jpeg")
    assert storage.exists("listings/prueba.jpg")
    stored = storage.get("listings/prueba.jpg")
    assert stored is not None and (stored.data, stored.content_type) == (b"\xff\xd8\xff datos", "image/jpeg")
    storage.delete("listings/prueba.jpg")
    storage.delete("listings/prueba.jpg")  # twice is no error
    assert not storage.exists("listings/prueba.jpg") and storage.get("listings/prueba.jpg") is None


def test_a_photo_uploaded_through_the_api_is_stored_with_its_thumbnail_and_served_cacheable(
    client: TestClient, settings: Settings, seller: dict[str, Any], session: Session
) -> None:
    headers = api_token(client, seller["email"])
    listing_id = seller["listing"].id

    response = client.post(
        f"/api/v1/listings/{listing_id}/photos",
        files={"file": ("foto.png", picture((1200, 800)), "image/png")},
        headers=headers,
    )

    assert response.status_code == 201, response.text
    [photo] = response.json()["photos"]
    [row] = session.exec(select(ListingPhoto)).all()
    medium = row.thumb_path.replace("-400.jpg", "-800.jpg")
    assert stored_keys(settings) == {row.path, medium, row.thumb_path}
    assert photo["url"] == f"/media/{row.path}" and photo["thumb_url"] == f"/media/{row.thumb_path}"
    assert photo["medium_url"] == f"/media/{medium}"
    assert served_image(client, photo["url"]).size == (1200, 800)
    assert served_image(client, photo["medium_url"]).size == (800, 533)
    assert served_image(client, photo["thumb_url"]).size == (400, 267)
    first = client.get(photo["thumb_url"])
    assert first.headers["cache-control"] == CACHE_FOREVER
    again = client.get(photo["thumb_url"], headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


def test_a_photo_removed_on_the_page_has_its_objects_deleted_after_commit(
    client: TestClient, app: FastAPI, settings: Settings, seller: dict[str, Any], session: Session
) -> None:
    log_in(client, seller["email"])
    page = f"/panel/productos/{seller['listing'].id}"
    added = client.post(
        f"{page}/fotos",
        data={"csrf_token": csrf_of(client, page)},
        files={"photo": ("foto.jpg", picture((640, 480), "JPEG"), "image/jpeg")},
    )
    assert added.status_code == 303
    [row] = session.exec(select(ListingPhoto)).all()
    shown = client.get(page)
    assert [img["src"] for img in elements(shown, "#fotos img")] == [f"/media/{row.thumb_path}"]
    assert served_image(client, f"/media/{row.thumb_path}").size == (400, 300)

    removed = client.post(f"{page}/fotos/{row.id}/borrar", data={"csrf_token": csrf_of(client, page)})

    assert removed.status_code == 303
    # Every size of it, until the worker runs, after commit.
    assert stored_keys(settings) == {row.path, row.thumb_path.replace("-400.jpg", "-800.jpg"), row.thumb_path}
    assert run_discards(app) == 1
    assert stored_keys(settings) == set()
    assert client.get(f"/media/{row.path}").status_code == 404


def test_a_new_logo_replaces_the_old_one_whose_object_is_deleted(
    client: TestClient, app: FastAPI, settings: Settings, seller: dict[str, Any], session: Session
) -> None:
    log_in(client, seller["email"])
    slug = seller["org"].slug
    page = f"/panel/o/{slug}"

    def upload(size: tuple[int, int]) -> str:
        response = client.post(
            f"{page}/logo",
            data={"csrf_token": csrf_of(client, page)},
            files={"logo": ("logo.png", picture(size), "image/png")},
        )
        assert response.status_code == 303
        session.expire_all()
        org = session.get(Organization, seller["org"].id)
        assert org is not None and org.logo_path
        return org.logo_path

    old = upload((1200, 900))
    assert stored_keys(settings) == {old}  # a logo has no thumbnail
    assert served_image(client, f"/media/{old}").size == (400, 300)  # shown at 120 px at most: no bigger
    new = upload((200, 200))
    assert stored_keys(settings) == {old, new}  # until the worker runs, after commit
    assert run_discards(app) == 1

    assert stored_keys(settings) == {new}
    profile = client.get(f"/productores/{slug}")
    assert [img["src"] for img in elements(profile, "img.logo")] == [f"/media/{new}"]
    assert served_image(client, f"/media/{new}").size == (200, 200)


def test_a_refused_picture_stores_nothing(
    client: TestClient, settings: Settings, seller: dict[str, Any], engine: Engine
) -> None:
    log_in(client, seller["email"])
    page = f"/panel/productos/{seller['listing'].id}"
    before = database_state(engine)

    response = client.post(
        f"{page}/fotos",
        data={"csrf_token": csrf_of(client, page)},
        files={"photo": ("foto.jpg", b"\xff\xd8\xff no es una foto" * 20, "image/jpeg")},
    )

    assert response.status_code == 303
    assert "no es una imagen JPEG, PNG o WebP" in flash(client.get(page), "error")
    assert database_state(engine) == before and stored_keys(settings) == set()


@pytest.mark.parametrize(
    "path", ["/media/../README.md", "/media/listings/../../README.md", "/media/listings/.oculto", "/media/x"]
)
def test_only_media_keys_are_served(client: TestClient, settings: Settings, path: str) -> None:
    storage_for(settings).put("listings/guardada.jpg", b"x", "image/jpeg")  # the folder exists

    assert client.get(path).status_code == 404


class ThumbnailsFail:
    """The settings' storage, but the thumbnail's put fails (the store went down between the two)."""

    def __init__(self, inner: Storage) -> None:
        self.inner = inner

    def put(self, key: str, data: bytes, content_type: str) -> None:
        if key.endswith("-400.jpg"):  # the last of the photo's sizes
            raise StorageUnavailable()
        self.inner.put(key, data, content_type)

    def get(self, key: str) -> StoredObject | None:
        return self.inner.get(key)

    def delete(self, key: str) -> None:
        self.inner.delete(key)

    def exists(self, key: str) -> bool:
        return self.inner.exists(key)

    def public_url(self, key: str) -> str | None:
        return self.inner.public_url(key)


def test_a_photo_whose_thumbnail_cannot_be_stored_leaves_nothing_behind(settings: Settings) -> None:
    upload = media.inspect(picture((800, 600)), settings.max_upload_bytes)

    with pytest.raises(StorageUnavailable):
        media.store(upload, ThumbnailsFail(storage_for(settings)), "listings")

    assert stored_keys(settings) == set()
