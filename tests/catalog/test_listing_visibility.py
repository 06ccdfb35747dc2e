"""A producer who saves a new listing is told at once whether anyone sees it: published (visible in the
catalogue, or once the organization is verified) or a draft nobody sees, with the button that publishes
it, on the message, the listing's form and its page."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from market.catalog.models import Listing
from tests.helpers import LISTING_FORM, csrf_of, log_in
from tests.pages import Htmx, buttons, flash, form_to, is_fragment, one, text_of, value_of

FORM = LISTING_FORM
DRAFT = "Borrador: nadie lo ve hasta que lo publiques."
PUBLISHED = "Publicado: visible en el catálogo."
AWAITING = "Publicado: se verá en el catálogo cuando verifiquemos tu organización."


def create(client: TestClient, slug: str, status: str) -> Any:
    path = f"/panel/o/{slug}/productos/nuevo"
    return client.post(path, data=FORM | {"status": status, "csrf_token": csrf_of(client, path)})


def visibility(page: Any) -> str:
    return text_of(one(page, "#visibilidad"))


def test_a_new_draft_says_nobody_sees_it_and_offers_to_publish_it(
    client: TestClient, make_user: Any, make_org: Any, session: Session
) -> None:
    org = make_org(make_user("ana@example.mx"))
    log_in(client, "ana@example.mx")

    created = create(client, org.slug, "draft")

    listing = session.exec(select(Listing)).one()
    edit = f"/panel/productos/{listing.id}"
    assert created.status_code == 303 and created.headers["location"] == edit
    form = client.get(edit)
    assert flash(form, "success") == f"Guardamos «Miel multifloral 1 kg». {DRAFT}"
    assert visibility(form) == DRAFT
    assert "Publicar" in buttons(one(form, "#status-box"))

    preview = client.get(f"/productos/{listing.id}/{listing.slug}")
    notice = one(preview, "#vista-previa")
    assert DRAFT in text_of(notice)
    publish = form_to(notice, f"/panel/productos/{listing.id}/estado")
    assert value_of(publish, "status") == "active" and buttons(publish) == ["Publicar"]

    token = csrf_of(client, edit)
    published = client.post(str(publish["action"]), data={"status": "active", "csrf_token": token})
    assert published.headers["location"] == edit
    assert visibility(client.get(edit)) == PUBLISHED
    assert "vista-previa" not in client.get(f"/productos/{listing.id}/{listing.slug}").text


@pytest.mark.parametrize(("verification", "said"), [("verified", PUBLISHED), ("pending", AWAITING)])
def test_a_new_published_listing_says_whether_the_catalogue_shows_it(
    client: TestClient, make_user: Any, make_org: Any, session: Session, verification: str, said: str
) -> None:
    org = make_org(make_user("ana@example.mx"), status=verification)
    log_in(client, "ana@example.mx")

    created = create(client, org.slug, "active")

    form = client.get(created.headers["location"])
    assert flash(form, "success") == f"Guardamos «Miel multifloral 1 kg». {said}"
    assert visibility(form) == said


def test_a_status_change_by_htmx_says_the_new_visibility(
    client: TestClient, make_user: Any, make_org: Any, make_listing: Any, htmx: Htmx
) -> None:
    listing = make_listing(make_org(make_user("ana@example.mx")), status="draft")
    log_in(client, "ana@example.mx")
    edit = f"/panel/productos/{listing.id}"

    changed = client.post(
        f"{edit}/estado", data={"status": "active", "csrf_token": csrf_of(client, edit)}, headers=htmx.headers
    )

    if htmx.on:
        assert is_fragment(changed) and visibility(changed) == PUBLISHED
    else:
        assert visibility(client.get(changed.headers["location"])) == PUBLISHED
