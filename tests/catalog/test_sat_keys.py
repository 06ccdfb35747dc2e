"""A listing's SAT keys (ClaveProdServ, ClaveUnidad, objeto de impuesto): suggested from its category and
unit, chosen with a search over the SAT's catalogues, refused when the catalogue does not have them."""

from __future__ import annotations

import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from satcfdi.catalogs import select
from sqlalchemy import insert
from sqlalchemy.engine import Engine
from sqlmodel import Session
from sqlmodel import select as select_rows

from market.catalog import sat_keys
from market.catalog.models import Listing
from market.catalog.taxonomy import CATEGORIES, GOOD_UNITS, SAT_UNIT_KEYS, SERVICE_UNITS, UNITS
from market.organizations.models import Organization
from tests.helpers import LISTING_DEFAULTS, LISTING_FORM, api_token, csrf_of, database_state, fresh, log_in
from tests.pages import field_error, one, option_values, soup, text_of, value_of

LISTINGS = "/api/v1/listings"
NEW_LISTING = {k: v for k, v in LISTING_DEFAULTS.items() if k != "status"}


# --- the suggestions -------------------------------------------------------------------------------


@pytest.mark.parametrize("category", CATEGORIES, ids=[c.slug for c in CATEGORIES])
def test_every_category_suggests_a_product_key_of_the_sat_catalogue(category: Any) -> None:
    assert select("C756_c_ClaveProdServ", category.sat_product_key) is not None


def test_the_suggested_keys_are_the_ones_their_names_say() -> None:
    described = {c.slug: sat_keys.product_keys().describe(c.sat_product_key) for c in CATEGORIES}
    assert described["cafe"] == "Café"
    assert described["miel"] == "Miel"
    assert described["mezcal-destilados"] == "Licor destilado"
    units = {unit: sat_keys.unit_keys().describe(key) for unit, key in SAT_UNIT_KEYS.items()}
    assert units == {
        "kg": "Kilogramo",
        "g": "Gramo",
        "t": "Tonelada (tonelada métrica)",
        "l": "Litro",
        "ml": "Mililitro",
        "pieza": "Pieza",
        "caja": "Caja",
        "servicio": "Unidad de servicio",
        "hora": "Hora",
        "persona": "Personas",
    }


def test_every_unit_has_a_unit_key_of_the_sat_catalogue() -> None:
    assert set(SAT_UNIT_KEYS) == set(UNITS)
    assert all(select("C756_c_ClaveUnidad", key) is not None for key in SAT_UNIT_KEYS.values())


# --- the search ------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["cafe", "Café", "CAFÉ", "  café "])
def test_the_product_search_finds_coffee_whatever_the_accents_and_case(query: str) -> None:
    found = sat_keys.product_keys().search(query)
    assert found[0] == sat_keys.SatKey(code="50201706", description="Café")
    assert len(found) <= sat_keys.MAX_RESULTS


def test_the_unit_search_finds_the_kilogram_by_part_of_its_name_or_by_its_code() -> None:
    assert "KGM" in [key.code for key in sat_keys.unit_keys().search("kilo")]
    assert sat_keys.unit_keys().search("kgm")[0].code == "KGM"
    assert sat_keys.unit_keys().search("pieza")[0] == sat_keys.SatKey(code="H87", description="Pieza")


def test_a_search_holds_every_word_and_stops_at_twenty() -> None:
    found = sat_keys.product_keys().search("miel organica")
    assert found and all(
        "miel" in sat_keys.fold(key.description) and "organica" in sat_keys.fold(key.description)
        for key in found
    )
    assert len(sat_keys.product_keys().search("a")) == sat_keys.MAX_RESULTS
    by_code = [key.code for key in sat_keys.product_keys().search("5020170")]  # a code's beginning
    assert "50201700" in by_code and all(code.startswith("5020170") for code in by_code)
    assert sat_keys.product_keys().search("   ") == []
    assert sat_keys.product_keys().search("xyzzy") == []


def test_searching_after_the_first_load_is_quick() -> None:
    sat_keys.product_keys()  # loaded once per process
    started = time.perf_counter()
    for query in ("cafe", "miel", "servicios de", "50"):
        sat_keys.product_keys().search(query)
    assert time.perf_counter() - started < 2  # four searches over 52,000 keys, no database


def test_the_api_searches_both_catalogues(client: TestClient) -> None:
    products = client.get("/api/v1/sat/product-keys", params={"q": "cafe"})
    units = client.get("/api/v1/sat/unit-keys", params={"q": "kilo"})

    assert products.status_code == 200 and units.status_code == 200
    assert products.json()[0] == {"code": "50201706", "description": "Café"}
    assert {"code": "KGM", "description": "Kilogramo"} in units.json()
    assert len(products.json()) <= 20 and len(units.json()) <= 20
    assert client.get("/api/v1/sat/unit-keys").json() == []
    assert client.get("/api/v1/sat/unit-keys", params={"q": "x" * 101}).status_code == 422


@pytest.mark.parametrize(
    ("path", "name"), [("claves-producto", "sat_product_key"), ("claves-unidad", "sat_unit_key")]
)
def test_the_form_suggests_keys_as_the_producer_types(client: TestClient, path: str, name: str) -> None:
    """htmx sends the input by its own name; the answer is the <option>s of its <datalist>."""
    typed = {"sat_product_key": "café", "sat_unit_key": "kilogramo"}[name]
    response = client.get(f"/panel/sat/{path}", params={name: typed}, headers={"HX-Request": "true"})

    assert response.status_code == 200
    options = soup(response).find_all("option")
    expected = {"sat_product_key": "50201706", "sat_unit_key": "KGM"}[name]
    assert options[0]["value"] == expected
    assert len(options) <= 20


# --- the API --------------------------------------------------------------------------------------


@pytest.fixture
def owner(client: TestClient, make_user: Any, make_org: Any) -> tuple[Organization, dict[str, str]]:
    org = make_org(make_user(email="ana@example.mx"))
    return org, api_token(client, "ana@example.mx")


def test_a_listing_created_without_keys_gets_those_of_its_category_and_unit(
    client: TestClient, owner: tuple[Organization, dict[str, str]]
) -> None:
    org, headers = owner
    response = client.post(f"/api/v1/organizations/{org.slug}/listings", json=NEW_LISTING, headers=headers)

    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["sat_product_key"], body["sat_unit_key"], body["tax_object"]) == ("50201706", "KGM", "02")
    assert body["iva_bps"] == 0  # coffee: basic food
    public = client.get(f"{LISTINGS}/{body['id']}", headers=headers).json()
    assert (public["sat_product_key"], public["sat_unit_key"]) == ("50201706", "KGM")


def test_a_listing_keeps_the_keys_its_producer_chose(
    client: TestClient, owner: tuple[Organization, dict[str, str]], session: Session
) -> None:
    org, headers = owner
    chosen = {"sat_product_key": "50201709", "sat_unit_key": "xbx", "tax_object": "01"}
    response = client.post(
        f"/api/v1/organizations/{org.slug}/listings", json=NEW_LISTING | chosen, headers=headers
    )

    assert response.status_code == 201, response.text
    listing = fresh(session, Listing, response.json()["id"])
    assert (listing.sat_product_key, listing.sat_unit_key, listing.tax_object) == ("50201709", "XBX", "01")


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("sat_product_key", "99999999", "no está en el catálogo de productos"),
        ("sat_product_key", "5020", "8 dígitos"),
        ("sat_product_key", "café", "8 dígitos"),
        ("sat_unit_key", "ZZZ", "no está en el catálogo de unidades"),
        ("sat_unit_key", "kilogramo", "2 o 3 letras"),
        ("tax_object", "03", "objeto de impuesto"),
    ],
)
def test_unknown_keys_are_refused_by_name_and_nothing_is_written(
    client: TestClient,
    owner: tuple[Organization, dict[str, str]],
    engine: Engine,
    field: str,
    value: str,
    fragment: str,
) -> None:
    org, headers = owner
    before = database_state(engine)
    response = client.post(
        f"/api/v1/organizations/{org.slug}/listings", json=NEW_LISTING | {field: value}, headers=headers
    )

    assert response.status_code == 422, response.text
    assert fragment in response.json()["fields"][field]
    assert database_state(engine) == before


def test_editing_changes_the_keys_and_refuses_unknown_ones(
    client: TestClient, owner: tuple[Organization, dict[str, str]], engine: Engine
) -> None:
    org, headers = owner
    created = client.post(f"/api/v1/organizations/{org.slug}/listings", json=NEW_LISTING, headers=headers)
    url = f"{LISTINGS}/{created.json()['id']}"

    changed = client.patch(url, json={"sat_product_key": "50201708"}, headers=headers)
    assert changed.status_code == 200 and changed.json()["sat_product_key"] == "50201708"

    before = database_state(engine)
    refused = client.patch(url, json={"sat_unit_key": "QQQ"}, headers=headers)
    assert refused.status_code == 422
    assert "QQQ" in refused.json()["fields"]["sat_unit_key"]
    assert database_state(engine) == before

    back = client.patch(url, json={"sat_product_key": None}, headers=headers)
    assert back.json()["sat_product_key"] == "50201706"  # null: the category's suggestion again


def test_a_suggested_key_follows_a_new_category_and_a_chosen_one_stays(
    client: TestClient, owner: tuple[Organization, dict[str, str]]
) -> None:
    org, headers = owner
    listings = f"/api/v1/organizations/{org.slug}/listings"
    suggested = client.post(listings, json=NEW_LISTING, headers=headers).json()
    chosen = client.post(listings, json=NEW_LISTING | {"sat_product_key": "50201709"}, headers=headers).json()

    moved = [
        client.patch(f"{LISTINGS}/{listing['id']}", json={"category": "miel", "unit": "l"}, headers=headers)
        for listing in (suggested, chosen)
    ]

    assert [(m.json()["sat_product_key"], m.json()["sat_unit_key"]) for m in moved] == [
        ("50192403", "LTR"),
        ("50201709", "LTR"),
    ]


def test_the_openapi_document_gives_the_shape_of_the_keys(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    assert schemas["ProductKey"]["pattern"] == "^[0-9]{8}$"
    assert schemas["TaxObject"]["enum"] == ["02", "01"]


# --- the form --------------------------------------------------------------------------------------

FORM = LISTING_FORM | {"status": "active"}


@pytest.fixture
def producer(client: TestClient, make_user: Any, make_org: Any) -> Organization:
    org: Organization = make_org(make_user("ana@example.mx"))
    log_in(client, "ana@example.mx")
    return org


def test_the_form_saves_the_suggested_keys_when_left_empty_and_the_chosen_ones_otherwise(
    client: TestClient, producer: Organization, session: Session
) -> None:
    path = f"/panel/o/{producer.slug}/productos/nuevo"
    form = soup(client.get(path))
    assert value_of(form, "sat_product_key") in (None, "") and value_of(form, "tax_object") == "02"
    assert option_values(form, "tax_object") == ["02", "01"]

    empty = FORM | {"sat_product_key": "", "sat_unit_key": "", "csrf_token": csrf_of(client, path)}
    chosen = FORM | {"title": "Miel en panal", "sat_product_key": "50192403", "sat_unit_key": "h87"}
    assert client.post(path, data=empty).status_code == 303
    assert client.post(path, data=chosen | {"csrf_token": csrf_of(client, path)}).status_code == 303

    keys = session.exec(
        select_rows(Listing.title, Listing.sat_product_key, Listing.sat_unit_key).order_by(Listing.id)  # type: ignore[arg-type]
    ).all()
    assert [tuple(row) for row in keys] == [
        ("Miel multifloral 1 kg", "50192403", "KGM"),
        ("Miel en panal", "50192403", "H87"),
    ]


def test_the_edit_form_shows_the_keys_what_they_are_and_the_iva(
    client: TestClient, producer: Organization, make_listing: Any
) -> None:
    listing = make_listing(producer, category="cacao-chocolate", unit="pieza")
    page = client.get(f"/panel/productos/{listing.id}")

    assert value_of(page, "sat_product_key") == "50161511"
    assert value_of(page, "sat_unit_key") == "H87"
    sat = one(page, "#sat")
    assert "Chocolate o sustituto de chocolate" in text_of(sat) and "Pieza" in text_of(sat)
    assert "16 %" in text_of(one(page, "#sat #iva"))  # chocolate is taxed at 16 %, as checkout charges it


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("sat_product_key", "12345678", "no está en el catálogo de productos y servicios del SAT"),
        ("sat_product_key", "miel", "8 dígitos"),
        ("sat_unit_key", "ZZZ", "no está en el catálogo de unidades del SAT"),
    ],
)
def test_the_form_refuses_an_unknown_key_beside_its_field_and_writes_nothing(
    client: TestClient,
    producer: Organization,
    engine: Engine,
    make_listing: Any,
    field: str,
    value: str,
    fragment: str,
) -> None:
    listing = make_listing(producer)
    new, edit = f"/panel/o/{producer.slug}/productos/nuevo", f"/panel/productos/{listing.id}"
    before = database_state(engine)

    for path in (new, edit):
        response = client.post(path, data=FORM | {field: value, "csrf_token": csrf_of(client, path)})
        assert response.status_code == 422
        assert fragment in (field_error(response, field) or "")
        assert value_of(response, field) == value  # what was typed, to correct
    assert database_state(engine) == before


# --- rows written without the schemas -------------------------------------------------------------


def test_a_row_inserted_without_keys_gets_the_suggested_ones(
    session: Session, make_user: Any, make_org: Any
) -> None:
    """A bulk load (market/seed.py) or a test's listing: the insert itself fills the keys."""
    org = make_org(make_user())
    rows = [
        {"category": c, "unit": u, "kind": k}
        for c, u, k in [("cafe", "kg", "good"), ("ecoturismo", "persona", "service")]
    ]
    common = {"organization_id": org.id, "slug": "x", "title": "X", "price_cents": 100, "delivery_states": []}
    session.execute(insert(Listing), [common | row for row in rows])
    session.add(
        Listing(organization_id=org.id, slug="y", title="Y", category="miel", unit="g", price_cents=1)
    )
    session.commit()

    found = session.exec(select_rows(Listing.category, Listing.sat_product_key, Listing.sat_unit_key)).all()
    assert sorted(tuple(row) for row in found) == [
        ("cafe", "50201706", "KGM"),
        ("ecoturismo", "90121501", "IE"),
        ("miel", "50192403", "GRM"),
    ]
    assert set(GOOD_UNITS) | set(SERVICE_UNITS) == set(SAT_UNIT_KEYS)
