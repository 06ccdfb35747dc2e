"""Pages are reached by name (`url_for`), so every page route has one, and a name means one page."""

from __future__ import annotations

from fastapi import FastAPI, routing

from market.openapi import mounted_routes
from market.urls import path_for


def _page_routes(app: FastAPI) -> list[routing.RouteContext]:
    routes = [r for r in mounted_routes(app) if not r.path.startswith(("/api/", "/webhooks/", "/docs"))]
    assert len(routes) > 100  # every page of the site, not an empty list that passes any check
    return [r for r in routes if r.name not in ("openapi", "redoc_html")]


def test_every_page_route_is_named_by_its_domain(app: FastAPI) -> None:
    unnamed = [
        r.path
        for r in _page_routes(app)
        if "." not in (r.name or "") and r.path != "/metrics" and not (r.path or "").startswith("/healthz")
    ]
    assert unnamed == [], "name page routes '<domain>.<action>'"


def test_a_name_belongs_to_one_endpoint(app: FastAPI) -> None:
    """Two paths may share a name only as two ways to one page (a listing with or without its slug)."""
    endpoints: dict[str, set[object]] = {}
    for route in _page_routes(app):
        endpoints.setdefault(route.name or "", set()).add(route.endpoint)
    assert {name for name, found in endpoints.items() if len(found) > 1} == set()


def test_url_for_gives_the_path_of_a_named_page(app: FastAPI) -> None:
    assert app.url_path_for("catalog.listing", listing_id="3") == "/productos/3"
    assert app.url_path_for("catalog.listing", listing_id="3", slug="cafe") == "/productos/3/cafe"
    assert app.url_path_for("orders.cart") == "/carrito"


def test_services_name_the_same_paths_without_a_request(app: FastAPI) -> None:
    """Links in e-mails and notices are built where no request is at hand, from the same route names."""
    assert path_for("orders.order_page", order_id=7) == app.url_path_for("orders.order_page", order_id="7")
    assert path_for("accounts.confirm", token="abc") == "/correo/confirmar/abc"
