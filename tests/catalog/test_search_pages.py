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
from tests.pages import (
    Html,
    Htmx,
    attr,
    checked_values,
    elements,
    flash,
    href_of,
    is_fragment,
    maybe,
    one,
    soup,
    text_of,
    texts,
    value_of,
)


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
    assert text_of(one(page, ".hits-bar .result-count")).startswith("1 resultado")
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


def test_the_api_takes_several_values_per_facet_and_counts_each_facet_without_its_own(
    client: TestClient, catalog: None
) -> None:
    both = client.get("/api/v1/search", params=[("state", "07"), ("state", "20")]).json()
    assert both["total"] == 3
    assert both["facets"]["state"] == {"07": 2, "20": 1}
    # Chiapas and mezcal: nothing; yet each facet shows what changing it would find.
    none = client.get("/api/v1/search", params=[("state", "07"), ("category", "mezcal-destilados")]).json()
    assert none["total"] == 0 and none["hits"] == []
    assert none["facets"]["state"] == {"20": 1}  # mezcal is in Oaxaca
    assert none["facets"]["category"] == {"cafe": 2}  # Chiapas has coffee
    kinds = client.get("/api/v1/search", params=[("kind", "good"), ("kind", "service")]).json()
    assert kinds["total"] == 3 and kinds["facets"]["kind"] == {"good": 3}


@pytest.mark.parametrize(
    ("params", "field", "value"),
    [
        ([("state", "07"), ("state", "99")], "state", "99"),
        ([("category", "cafe"), ("category", "cafe-de-olla")], "category", "cafe-de-olla"),
        ([("certification", "fairtrade"), ("certification", "bio")], "certification", "bio"),
        ([("legal_form", "sss"), ("legal_form", "sa")], "legal_form", "sa"),
        ([("kind", "good"), ("kind", "rental")], "kind", "rental"),
        ([("delivery", "pickup"), ("delivery", "drone")], "delivery", "drone"),
    ],
)
def test_every_value_of_a_repeated_filter_is_checked(
    client: TestClient, params: list[tuple[str, str]], field: str, value: str | None
) -> None:
    response = client.get("/api/v1/search", params=params)
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "validation_error" and body["fields"][field]
    if value:  # the message names the value it does not know
        assert f"«{value}»" in body["fields"][field]


def facet_counts(page: Html, name: str) -> dict[str, int]:
    """{value: the count beside it} of the facet whose checkboxes are named `name`."""
    counts = {}
    for box in elements(page, f".facets input[type=checkbox][name={name}]"):
        label = text_of(box.parent)
        counts[attr(box, "value") or ""] = int(label.rsplit("(", 1)[1].rstrip(")"))
    return counts


def test_facet_boxes_keep_their_state_and_count_as_if_their_own_were_off(
    client: TestClient, catalog: None, htmx: Htmx
) -> None:
    page = client.get("/buscar", params=[("state", "07")], headers=htmx.headers)
    assert checked_values(page, "state") == ["07"]
    assert facet_counts(page, "state") == {"07": 2, "20": 1}  # Oaxaca can be added: it would add one
    assert facet_counts(page, "category") == {"cafe": 2}  # the other facets follow the chosen state
    assert sorted(titles(page)) == ["Café molido <b>tradicional</b>", "Café orgánico de altura"]

    page = client.get("/buscar", params=[("state", "07"), ("state", "20")], headers=htmx.headers)
    assert checked_values(page, "state") == ["07", "20"]
    assert len(titles(page)) == 3
    assert facet_counts(page, "category") == {"cafe": 2, "mezcal-destilados": 1}


def test_clearing_every_filter_keeps_the_text(client: TestClient, catalog: None, htmx: Htmx) -> None:
    unfiltered = client.get("/buscar", params={"q": "cafe"}, headers=htmx.headers)
    assert maybe(unfiltered, ".clear-filters") is None  # nothing to clear
    params = [("q", "cafe"), ("state", "07"), ("category", "cafe"), ("in_stock", "1"), ("price_max", "250")]
    page = client.get("/buscar", params=params, headers=htmx.headers)
    clear = one(page, ".facets a.clear-filters")
    assert text_of(clear) == "Quitar todos los filtros"
    assert attr(clear, "href") == attr(clear, "hx-get") == "/buscar?q=cafe"
    assert attr(clear, "hx-target") == "#resultados"
    cleared = client.get(attr(clear, "href") or "", headers=htmx.headers)
    assert checked_values(cleared, "state") == checked_values(cleared, "category") == []
    assert checked_values(cleared, "in_stock") == [] and value_of(cleared, "price_max") == ""
    assert len(titles(cleared)) == 2 and maybe(cleared, ".clear-filters") is None

    empty = client.get("/buscar", params=[("state", "20"), ("category", "cafe")], headers=htmx.headers)
    assert titles(empty) == []
    assert href_of(one(empty, ".hits .empty"), "Quitar todos los filtros") == "/buscar"


def test_the_page_leaves_out_a_filter_value_it_does_not_know(client: TestClient, catalog: None) -> None:
    page = client.get("/buscar", params=[("state", "07"), ("state", "99"), ("category", "<x>")])
    assert page.status_code == 200
    assert flash(page, "info") == "Quitamos filtros que no reconocimos: <x>, 99."
    assert len(titles(page)) == 2 and checked_values(page, "state") == ["07"]


def test_results_announce_their_count_and_show_they_are_loading(client: TestClient, catalog: None) -> None:
    page = soup(client.get("/buscar", params={"q": "cafe"}))
    region = one(page, "#anuncio")
    assert attr(region, "aria-live") == "polite" and attr(region, "role") == "status"
    assert maybe(page, "#resultados[aria-live]") is None  # the count is announced, not the whole results
    assert maybe(page, "#resultados #anuncio") is None  # outside what htmx replaces
    form = one(page, "form#search-form")
    loading = one(page, "#buscando")  # shown while a request of the form is out (static/css/site.css)
    assert attr(form, "hx-indicator") == "#buscando" and "htmx-indicator" in (attr(loading, "class") or "")
    assert text_of(loading) == "Buscando…"
    assert maybe(page, "[hx-swap-oob]") is None  # the whole page has its region already

    fragment = soup(client.get("/buscar", params={"q": "cafe"}, headers={"HX-Request": "true"}))
    update = one(fragment, "#anuncio")
    assert attr(update, "hx-swap-oob") == "innerHTML" and text_of(update) == "2 resultados"
    one_hit = soup(client.get("/buscar", params={"q": "mezcal"}, headers={"HX-Request": "true"}))
    assert text_of(one(one_hit, "#anuncio")) == "1 resultado"
