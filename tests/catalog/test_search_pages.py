"""GET /api/v1/search and the search page: validation, results, and a graceful outage."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from market.app import create_app
from market.config import Settings
from market.mexico import STATES_BY_CODE
from search.geo import distance_km
from tests.helpers import free_port, run_search_worker
from tests.pages import Html, Htmx, attr, elements, flash, is_fragment, maybe, one, soup, text_of, texts


@pytest.fixture
def catalog(client: TestClient, make_user: Any, make_org: Any, make_listing: Any) -> None:
    chiapas = make_org(make_user(), latitude=16.9, longitude=-92.6)
    oaxaca = make_org(
        make_user("eva@example.mx"),
        name="Mezcaleras de Matatlán",
        state="20",
        latitude=16.86,
        longitude=-96.38,
    )
    make_listing(chiapas, title="Café orgánico de altura", price_cents=32000)
    make_listing(chiapas, title="Café molido <b>tradicional</b>", price_cents=18000)
    make_listing(
        oaxaca,
        title="Mezcal espadín joven",
        description="Agave espadín de Santiago Matatlán.",
        category="mezcal-destilados",
        unit="ml",
        price_cents=65000,
    )
    run_search_worker(client.app)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"sort": "cheapest"}, "sort"),
        ({"page": "-1"}, "page"),
        ({"per_page": "101"}, "per_page"),
        ({"state": "OAX' OR 1=1"}, "state"),
        ({"category": 'cafe" OR category = "miel'}, "category"),
        ({"price_min_cents": "5000", "price_max_cents": "100"}, "price_min_cents"),
        ({"lat": "19.4"}, "lng"),
        ({"radius_km": "50"}, "radius_km"),
        ({"sort": "distance"}, "sort"),
        ({"q": "x" * 201}, "q"),
    ],
)
def test_malformed_search_parameters_are_a_clear_422(
    client: TestClient, params: dict[str, str], field: str
) -> None:
    response = client.get("/api/v1/search", params=params)
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "validation_error"
    assert field in body["fields"] and body["fields"][field]


def test_search_api_returns_hits_facets_and_prices(client: TestClient, catalog: None) -> None:
    response = client.get("/api/v1/search", params={"q": "cafe", "sort": "price_asc"})
    assert response.status_code == 200
    body = response.json()
    assert body["engine"] == "embedded" and body["total"] == 2
    assert [h["price_cents"] for h in body["hits"]] == [18000, 32000]
    assert body["facets"]["state"] == {"07": 2}
    assert (body["price_min_cents"], body["price_max_cents"]) == (18000, 32000)
    assert "<mark>" in body["hits"][0]["title_html"] and "<b>" not in body["hits"][0]["title_html"]

    by_state = client.get(
        "/api/v1/search", params=[("state", "20"), ("state", "07"), ("category", "mezcal-destilados")]
    )
    assert [h["title"] for h in by_state.json()["hits"]] == ["Mezcal espadín joven"]


def hit_ids(page: Html) -> list[str]:
    """The ids of the listings found, in the page's order (from their links)."""
    links = elements(page, ".hits a.card-link")
    return [(attr(link, "href") or "").removeprefix("/productos/") for link in links]


def titles(page: Html) -> list[str]:
    return texts(page, ".hits .listing-card h3")


@pytest.mark.parametrize(
    "query",
    [
        "q=cafe",
        "q=cafe&sort=price_asc",
        "state=20",
        "category=cafe&category=mezcal-destilados&sort=price_desc",
        "price_min_cents=20000&price_max_cents=70000&sort=price_asc",
        "lat=16.86&lng=-96.38&radius_km=300&sort=distance",
        "sort=price_asc&per_page=1&page=2",
        "in_stock=true&kind=good&sort=newest",
    ],
)
def test_the_search_page_and_the_api_take_the_same_parameters(
    client: TestClient, catalog: None, query: str, htmx: Htmx
) -> None:
    api = client.get(f"/api/v1/search?{query}")
    page = client.get(f"/buscar?{query}", headers=htmx.headers)
    assert api.status_code == page.status_code == 200, api.text
    assert [str(hit["id"]) for hit in api.json()["hits"]] == hit_ids(page)
    assert api.json()["hits"]  # each query finds something: the comparison compares


def test_the_page_adds_prices_in_pesos_and_a_place_and_the_api_still_reads_text(
    client: TestClient, catalog: None
) -> None:
    htmx = {"HX-Request": "true"}
    in_pesos = client.get("/buscar?price_min=200&price_max=700&sort=price_asc", headers=htmx)
    in_cents = client.get("/api/v1/search?price_min_cents=20000&price_max_cents=70000&sort=price_asc")
    assert hit_ids(in_pesos) == [str(hit["id"]) for hit in in_cents.json()["hits"]]
    near = client.get("/buscar?near=20&radius_km=50", headers=htmx)
    assert titles(near) == ["Mezcal espadín joven"]
    anywhere = client.get("/buscar?near=&radius_km=50&lat=1&lng=1", headers=htmx)
    assert len(hit_ids(anywhere)) == 3  # "all of Mexico": the form's radius and old position wait
    assert client.get("/api/v1/search?text=mezcal").json()["total"] == 1  # its name before q


def test_search_page_works_without_javascript_and_as_an_htmx_fragment(
    client: TestClient, catalog: None, htmx: Htmx
) -> None:
    page = soup(client.get("/buscar", params={"q": "mezcal"}, headers=htmx.headers))
    if htmx:  # the results alone, swapped into the form's #resultados
        assert is_fragment(page) and maybe(page, "form#search-form") is None
    else:  # the whole page: the form around the results
        assert not is_fragment(page) and one(page, "form#search-form #resultados .hits")
    assert text_of(one(page, ".hits-bar [role=status]")).startswith("1 resultado")
    [title] = elements(page, ".listing-card h3")
    assert text_of(title) == "Mezcal espadín joven" and texts(title, "mark") == ["Mezcal"]

    page = soup(client.get("/buscar", params={"q": "cafe", "state": "07"}, headers=htmx.headers))
    assert is_fragment(page) == bool(htmx)
    assert sorted(titles(page)) == ["Café molido <b>tradicional</b>", "Café orgánico de altura"]
    assert elements(page, ".listing-card h3 b") == []  # a title's markup is shown, never run


def test_search_page_explains_bad_prices_and_empty_results(client: TestClient, catalog: None) -> None:
    bad = client.get("/buscar", params={"price_min": "mucho"})
    assert bad.status_code == 200
    assert texts(one(bad, ".hits .flash.error"), "li") == ["Escribe el precio en pesos, por ejemplo 185.50."]
    reversed_range = client.get("/buscar", params={"price_min": "500", "price_max": "100"})
    problems = texts(reversed_range, ".hits .flash.error li")
    assert "El precio mínimo no puede ser mayor que el máximo." in problems
    empty = client.get("/buscar", params={"q": "zzzyyyxxx"})
    assert hit_ids(empty) == []
    assert text_of(one(empty, ".hits .empty strong")) == "No encontramos productos con esa búsqueda."


def test_near_a_state_orders_by_distance(client: TestClient, catalog: None) -> None:
    response = client.get("/buscar", params={"near": "20", "radius_km": "800", "sort": "distance"})
    found = titles(response)
    assert found.index("Mezcal espadín joven") < found.index("Café orgánico de altura")
    oaxaca = STATES_BY_CODE["20"]
    cards = {text_of(one(card, "h3")): card for card in elements(response, ".listing-card")}
    mezcal = cards["Mezcal espadín joven"]
    where = text_of(one(mezcal, "p.muted.small"))  # Matatlán from the capital
    assert where.endswith(f" · a {round(distance_km(oaxaca.lat, oaxaca.lng, 16.86, -96.38))} km")


def test_suggestions_are_datalist_options(client: TestClient, catalog: None, htmx: Htmx) -> None:
    response = client.get("/buscar/sugerencias", params={"q": "mez"}, headers=htmx.headers)
    assert response.status_code == 200 and is_fragment(response)  # what htmx puts in the <datalist>
    assert [attr(option, "value") for option in elements(response, "option")] == ["Mezcal espadín joven"]


def test_search_down_is_a_503_page_and_the_catalog_still_works(
    settings: Settings, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    make_listing(make_org(make_user()), title="Café orgánico de altura")
    app: FastAPI = create_app(settings.model_copy(update={"meili_url": f"http://127.0.0.1:{free_port()}"}))
    client = TestClient(app)
    page = client.get("/buscar", params={"q": "cafe"})
    assert page.status_code == 503
    assert flash(page, "warn").startswith("La búsqueda no está disponible por ahora.")
    api = client.get("/api/v1/search", params={"q": "cafe"})
    assert api.status_code == 503 and api.json()["error"] == "search_unavailable"
    catalog = client.get("/catalogo")
    assert catalog.status_code == 200 and texts(catalog, ".listing-card h3") == ["Café orgánico de altura"]
