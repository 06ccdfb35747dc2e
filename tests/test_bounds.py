"""Every integer that comes from outside is bounded where it is parsed: ids past the columns' range are a
404, like an id that does not exist, and numbers past a field's range are a 422 naming the field."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient

from tests.helpers import api_token, csrf_of, log_in
from tests.pages import error_fields

HUGE_IDS = (2**31, 2**63)
PARAM = re.compile(r"{(\w+)}")


def int_path_routes(app: FastAPI) -> Iterator[tuple[str, str, set[str]]]:
    """(method, path template, names of its integer path parameters) for every route, JSON and HTML."""
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if not isinstance(route, APIRoute):
            continue
        ints = {p.name for p in context.dependant.path_params if p.field_info.annotation is int}
        if ints and context.path:
            for method in sorted(context.methods or ()):
                yield method, context.path, ints


def filled(template: str, ints: set[str], value: int) -> str:
    """The path with `value` for each integer parameter (and "x" for any other)."""
    return PARAM.sub(lambda m: str(value) if m.group(1) in ints else "x", template)


def test_the_walk_finds_the_json_and_html_routes_with_ids(app: FastAPI) -> None:
    paths = {path for _, path, _ in int_path_routes(app)}

    assert "/api/v1/listings/{listing_id}" in paths
    assert "/pedidos/{order_id}/partes/{fulfillment_id}" in paths
    assert len(paths) > 40


@pytest.mark.parametrize("huge", HUGE_IDS)
def test_an_id_past_the_columns_range_is_not_found_on_every_route(
    app: FastAPI, make_user: Any, huge: int
) -> None:
    client = TestClient(app, follow_redirects=False, raise_server_exceptions=False)
    admin = make_user("admin@example.mx", is_admin=True)
    log_in(client, admin.email)
    headers = api_token(client, admin.email) | {"x-csrf-token": csrf_of(client, "/panel")}
    failures = []
    for method, template, ints in int_path_routes(app):
        path = filled(template, ints, huge)
        body: dict[str, Any] = {"json": {}} if template.startswith("/api/") and method != "GET" else {}
        response = client.request(method, path, headers=headers, **body)
        if response.status_code != 404:
            failures.append(f"{method} {path} -> {response.status_code}")

    assert failures == [], "\n".join(failures)


HUGE = 2**63


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/listings?page={n}", "page"),
        ("/api/v1/listings?per_page={n}", "per_page"),
        ("/api/v1/organizations?page={n}", "page"),
        ("/api/v1/admin/audit?page={n}", "page"),
        ("/api/v1/search?page={n}", "page"),
        ("/api/v1/search?price_min_cents={n}", "price_min_cents"),
        ("/api/v1/impacto?year={n}", "year"),
    ],
)
def test_a_query_number_past_its_range_is_a_422_naming_it(
    app: FastAPI, make_user: Any, path: str, field: str
) -> None:
    client = TestClient(app, follow_redirects=False, raise_server_exceptions=False)
    headers = api_token(client, make_user("admin@example.mx", is_admin=True).email)

    response = client.get(path.format(n=HUGE), headers=headers)

    assert response.status_code == 422, response.text
    assert field in response.json()["fields"]


@pytest.mark.parametrize("path", ["/catalogo", "/productores", "/admin/auditoria", "/admin/disputas"])
def test_a_page_number_past_its_range_is_a_422_page(app: FastAPI, make_user: Any, path: str) -> None:
    client = TestClient(app, follow_redirects=False, raise_server_exceptions=False)
    log_in(client, make_user("admin@example.mx", is_admin=True).email)

    response = client.get(path, params={"page": HUGE})

    assert response.status_code == 422
    assert error_fields(response)["page"] == "Debe ser como máximo 10000."
    assert client.get(path, params={"page": 2}).status_code == 200


def test_numbers_in_a_json_body_past_their_range_are_a_422_naming_them(
    app: FastAPI, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    client = TestClient(app, follow_redirects=False, raise_server_exceptions=False)
    owner = make_user()
    listing = make_listing(make_org(owner))
    headers = api_token(client, owner.email)

    def fields(method: str, path: str, body: Any) -> set[str]:
        response = client.request(method, path, json=body, headers=headers)
        assert response.status_code == 422, response.text
        return set(response.json()["fields"])

    assert fields("PUT", f"/api/v1/cart/items/{listing.id}", {"quantity": HUGE}) == {"quantity"}
    assert fields("POST", "/api/v1/orders", {"items": [{"listing_id": HUGE, "quantity": 1}]}) == {
        "items.0.listing_id"
    }
    checkout = {"items": [{"listing_id": listing.id, "quantity": 1}], "delivery": {str(HUGE): "pickup"}}
    assert f"delivery.{HUGE}.[key]" in fields("POST", "/api/v1/orders", checkout)
    assert fields("PATCH", f"/api/v1/listings/{listing.id}", {"price_cents": HUGE}) == {"price_cents"}
    assert fields(
        "POST", "/api/v1/demands/1/award", {"allocations": [{"quote_id": HUGE, "quantity": 1}]}
    ) == {"allocations.0.quote_id"}
