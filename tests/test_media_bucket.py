"""Media in a bucket (a real S3-protocol server on loopback): two app replicas on different machines (each
its own disk) serve what either stored. When the server stops answering, an upload is refused with a 503
saying so in Spanish, on the API and on the page, and writes nothing; serving answers 503 too; deletions wait
for the server to come back. With S3_PUBLIC_URL, browsers are sent to the CDN instead of through the app."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from market.app import create_app
from market.catalog.models import ListingPhoto
from market.config import Settings
from market.db import utcnow
from market.outbox import OutboxEvent, process_batch
from market.storage import DISCARD_TOPIC, discard_handler
from tests.fixtures.s3 import S3Server, settings_on, stored_keys
from tests.helpers import api_token, csrf_of, database_state, log_in
from tests.pages import flash, one

DOWN = "No pudimos guardar ni leer archivos en este momento: el almacenamiento de imágenes no responde."


def photo() -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (640, 480), (200, 80, 10)).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def on_bucket(settings: Settings, own_s3_server: S3Server) -> Settings:
    return settings_on(settings, own_s3_server)


@pytest.fixture
def bucket_client(on_bucket: Settings, engine: Engine) -> Iterator[TestClient]:
    app = create_app(on_bucket)
    with TestClient(app, follow_redirects=False) as client:
        yield client
    app.state.engine.dispose()


@pytest.fixture
def seller(make_user: Any, make_org: Any, make_listing: Any) -> dict[str, Any]:
    org = make_org(make_user("ana@example.mx"))
    return {"email": "ana@example.mx", "listing": make_listing(org)}


def test_a_photo_uploaded_through_one_replica_is_served_by_another_on_another_machine(
    on_bucket: Settings, engine: Engine, seller: dict[str, Any], tmp_path: Path
) -> None:
    machines = [
        create_app(on_bucket.model_copy(update={"media_dir": tmp_path / name / "media"}))
        for name in ("maquina-a", "maquina-b")
    ]
    with TestClient(machines[0]) as first, TestClient(machines[1]) as second:
        added = first.post(
            f"/api/v1/listings/{seller['listing'].id}/photos",
            files={"file": ("a.jpg", photo(), "image/jpeg")},
            headers=api_token(first, seller["email"]),
        )
        assert added.status_code == 201, added.text
        thumb = added.json()["photos"][0]["thumb_url"]
        served = second.get(thumb)
    for app in machines:
        app.state.engine.dispose()

    assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
    assert Image.open(BytesIO(served.content)).size == (400, 300)
    assert not (tmp_path / "maquina-a").exists()  # nothing on either machine's disk


def test_an_api_upload_while_the_bucket_is_down_is_a_503_that_writes_nothing(
    bucket_client: TestClient,
    own_s3_server: S3Server,
    on_bucket: Settings,
    seller: dict[str, Any],
    engine: Engine,
) -> None:
    headers = api_token(bucket_client, seller["email"])
    url = f"/api/v1/listings/{seller['listing'].id}/photos"
    assert (
        bucket_client.post(url, files={"file": ("a.jpg", photo(), "image/jpeg")}, headers=headers).status_code
        == 201
    )
    kept, before = stored_keys(on_bucket), database_state(engine)

    own_s3_server.stop()
    refused = bucket_client.post(url, files={"file": ("b.jpg", photo(), "image/jpeg")}, headers=headers)

    assert refused.status_code == 503, refused.text
    assert refused.json()["error"] == "storage_unavailable"
    assert refused.json()["detail"].startswith(DOWN)
    assert refused.headers["Retry-After"] == "60"
    assert database_state(engine) == before  # no photo row, and the upload is not counted against the hour
    own_s3_server.start()
    assert stored_keys(on_bucket) == kept  # nothing new, not even half an upload


def test_a_page_upload_while_the_bucket_is_down_says_so_on_the_listing_page(
    bucket_client: TestClient, own_s3_server: S3Server, seller: dict[str, Any], engine: Engine
) -> None:
    log_in(bucket_client, seller["email"])
    page = f"/panel/productos/{seller['listing'].id}"
    token = csrf_of(bucket_client, page)
    before = database_state(engine)

    own_s3_server.stop()
    refused = bucket_client.post(
        f"{page}/fotos", data={"csrf_token": token}, files={"photo": ("foto.jpg", photo(), "image/jpeg")}
    )

    assert refused.status_code == 503
    assert flash(refused, "error").startswith(DOWN)
    assert one(refused, "#fotos")  # the listing's own page, to try again from
    assert database_state(engine) == before


def test_a_stored_photo_cannot_be_served_while_the_bucket_is_down_and_can_after(
    bucket_client: TestClient, own_s3_server: S3Server, seller: dict[str, Any]
) -> None:
    headers = api_token(bucket_client, seller["email"])
    added = bucket_client.post(
        f"/api/v1/listings/{seller['listing'].id}/photos",
        files={"file": ("a.jpg", photo(), "image/jpeg")},
        headers=headers,
    )
    thumb = added.json()["photos"][0]["thumb_url"]

    own_s3_server.stop()
    assert bucket_client.get(thumb).status_code == 503
    own_s3_server.start()
    assert bucket_client.get(thumb).status_code == 200


def test_a_removed_photo_is_deleted_from_the_bucket_once_it_is_back(
    bucket_client: TestClient,
    own_s3_server: S3Server,
    on_bucket: Settings,
    seller: dict[str, Any],
    engine: Engine,
    session: Session,
) -> None:
    log_in(bucket_client, seller["email"])
    page = f"/panel/productos/{seller['listing'].id}"
    bucket_client.post(
        f"{page}/fotos",
        data={"csrf_token": csrf_of(bucket_client, page)},
        files={"photo": ("foto.jpg", photo(), "image/jpeg")},
    )
    [row] = session.exec(select(ListingPhoto)).all()
    removed = bucket_client.post(
        f"{page}/fotos/{row.id}/borrar", data={"csrf_token": csrf_of(bucket_client, page)}
    )
    assert removed.status_code == 303  # the row goes at once, the bucket does not have to answer
    handlers = {DISCARD_TOPIC: discard_handler(on_bucket)}

    own_s3_server.stop()
    assert process_batch(engine, handlers) == 0
    [event] = session.exec(select(OutboxEvent).where(OutboxEvent.topic == DISCARD_TOPIC)).all()
    assert event.attempts == 1 and event.processed_at is None
    own_s3_server.start()
    event.available_at = utcnow() - timedelta(seconds=1)  # its back-off over
    session.add(event)
    session.commit()

    assert process_batch(engine, handlers) == 1
    assert stored_keys(on_bucket) == set()


def test_with_a_public_url_browsers_are_sent_to_it(on_bucket: Settings, engine: Engine) -> None:
    public = on_bucket.model_copy(update={"s3_public_url": "https://cdn.example.mx/medios/"})
    app = create_app(public)
    with TestClient(app, follow_redirects=False) as client:
        response = client.get("/media/listings/0123456789abcdef-thumb.jpg")
    app.state.engine.dispose()

    assert response.status_code == 302
    assert response.headers["location"] == "https://cdn.example.mx/medios/listings/0123456789abcdef-thumb.jpg"
    assert response.headers["cache-control"] == "public, max-age=86400"
