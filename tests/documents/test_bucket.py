"""Supplier documents kept in an S3 bucket (a real S3-protocol server on loopback): stored there, opened only
through their checked route, never redirected to the public CDN of S3_PUBLIC_URL."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from market.app import create_app
from market.config import Settings
from tests.documents.conftest import World, iso, later, pdf
from tests.fixtures.s3 import S3Server, settings_on, stored_keys
from tests.helpers import api_token


def test_a_document_in_the_bucket_is_served_only_through_its_checked_route(
    settings: Settings, engine: Engine, s3_server: S3Server, world: World
) -> None:
    on_bucket = settings_on(settings, s3_server).model_copy(
        update={"s3_public_url": "https://cdn.example.mx/m/"}
    )
    app = create_app(on_bucket)
    with TestClient(app, follow_redirects=False) as client:
        owner = api_token(client, world.owner.email)
        sent = client.post(
            f"/api/v1/organizations/{world.org.slug}/documents",
            data={"kind": "constancia_situacion_fiscal", "issued_on": iso(later(-2))},
            files={"file": ("constancia.pdf", pdf())},
            headers=owner,
        )
        assert sent.status_code == 201, sent.text
        [key] = [k for k in stored_keys(on_bucket) if k.startswith("documents/")]
        assert client.get(f"/media/{key}").status_code == 404  # no redirect to the public CDN
        assert client.get(sent.json()["file_url"], headers=owner).content == pdf()
        stranger = api_token(client, world.stranger.email)
        assert client.get(sent.json()["file_url"], headers=stranger).status_code == 404
    app.state.engine.dispose()
