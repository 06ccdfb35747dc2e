"""One contract, two engines: the same cases run on the embedded engine and on a real Meilisearch.
Relevance cases on a small Spanish catalog: accents, ñ, plurals, typos, synonyms."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from market.catalog.models import Listing, ListingStatus
from market.catalog.search_documents import listing_document
from market.organizations.models import Organization
from search.embedded import EmbeddedEngine
from search.engine import FACETS, SearchEngine, SearchQuery
from search.meili import MeiliEngine

T0 = datetime(2026, 1, 1, tzinfo=UTC)
ORGS = {
    "maya": Organization(
        id=1,
        slug="maya",
        name="Cooperativa Maya Vinic",
        legal_form="coop_produccion",
        state="07",
        municipality="Chenalhó",
        latitude=16.9,
        longitude=-92.63,
        certifications=["organico_mexico"],
        members_count=100,
        women_members_count=60,
        updated_at=T0,
    ),
    "xunan": Organization(
        id=2,
        slug="xunan",
        name="Meliponicultoras Xunáan Kab",
        legal_form="sss",
        state="31",
        municipality="Maní",
        latitude=20.39,
        longitude=-89.39,
        certifications=["participativa"],
        members_count=20,
        women_members_count=20,
        updated_at=T0,
    ),
    "matatlan": Organization(
        id=3,
        slug="matatlan",
        name="Mezcaleros de Matatlán",
        legal_form="ejido",
        state="20",
        municipality="Santiago Matatlán",
        latitude=16.86,
        longitude=-96.38,
        certifications=["do_mezcal"],
        members_count=40,
        women_members_count=10,
        updated_at=T0,
    ),
    "cocina": Organization(
        id=4,
        slug="cocina",
        name="Cocina Colectiva Xochimilco",
        legal_form="empresa_trabajadores",
        state="09",
        municipality="Xochimilco",
        latitude=19.26,
        longitude=-99.1,
        members_count=12,
        women_members_count=9,
        updated_at=T0,
    ),
}
LISTINGS: list[tuple[str, dict[str, Any]]] = [
    ("maya", {"title": "Café de olla orgánico", "category": "cafe", "price_cents": 28000, "stock": 50}),
    (
        "maya",
        {
            "title": "Café verde de exportación",
            "category": "cafe",
            "unit": "t",
            "price_cents": 15500000,
            "stock": 0,
            "national_shipping": True,
        },
    ),
    ("maya", {"title": "Piñón rosa tostado", "category": "maiz-granos", "price_cents": 45000, "stock": 10}),
    (
        "maya",
        {
            "title": "Frijol negro de temporal",
            "category": "maiz-granos",
            "price_cents": 6000,
            "stock": 300,
            "delivery_states": ["07", "27"],
        },
    ),
    (
        "xunan",
        {"title": "Miel melipona", "category": "miel", "unit": "ml", "price_cents": 35000, "stock": 40},
    ),
    (
        "xunan",
        {
            "title": "Jabón de miel y avena",
            "category": "cosmetica-natural",
            "unit": "pieza",
            "price_cents": 9000,
            "stock": 100,
        },
    ),
    (
        "xunan",
        {
            "title": "Vainilla de la península",
            "category": "vainilla",
            "unit": "g",
            "price_cents": 12000,
            "stock": 25,
        },
    ),
    (
        "matatlan",
        {
            "title": "Mezcal espadín joven",
            "category": "mezcal-destilados",
            "unit": "ml",
            "price_cents": 65000,
            "stock": 80,
            "national_shipping": True,
        },
    ),
    (
        "matatlan",
        {
            "title": "Mezcal tobalá silvestre",
            "category": "mezcal-destilados",
            "unit": "ml",
            "price_cents": 115000,
            "stock": 12,
        },
    ),
    (
        "cocina",
        {
            "title": "Servicio de banquetes para 100 personas",
            "category": "servicios",
            "kind": "service",
            "unit": "servicio",
            "price_cents": 4500000,
            "stock": None,
            "description": "Comida de tres tiempos.",
        },
    ),
]


def documents() -> list[dict[str, Any]]:
    docs = []
    for n, (org_key, fields) in enumerate(LISTINGS, start=1):
        org = ORGS[org_key]
        values = {"unit": "kg", "kind": "good", "description": ""} | fields
        listing = Listing(
            id=n,
            organization_id=org.id or 0,
            slug=f"l{n}",
            status=ListingStatus.ACTIVE,
            created_at=T0 + timedelta(days=n),
            updated_at=T0 + timedelta(days=n),
            **values,
        )
        docs.append(listing_document(listing, org))
    return docs


DOCUMENTS = documents()


@pytest.fixture(params=["embedded", "meilisearch"])
def search_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SearchEngine]:
    search: SearchEngine
    if request.param == "embedded":
        search = EmbeddedEngine(tmp_path / "search.db")
    else:
        server = request.getfixturevalue("meilisearch")
        search = MeiliEngine(server["url"], server["key"], f"contract_{uuid.uuid4().hex[:10]}")
    search.ensure_ready()
    search.upsert([dict(d) for d in DOCUMENTS])
    yield search


def titles(search_engine: SearchEngine, **query: Any) -> list[str]:
    return [hit.title for hit in search_engine.search(SearchQuery(per_page=50, **query)).hits]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cafe organico", "Café de olla orgánico"),  # accents are ignored
        ("CAFÉ ÓRGANICO", "Café de olla orgánico"),
        ("piñon", "Piñón rosa tostado"),  # ñ
        ("pinon", "Piñón rosa tostado"),
        ("mezcal espad", "Mezcal espadín joven"),  # prefix while typing
        ("mezcales tobala", "Mezcal tobalá silvestre"),  # plural through synonyms
        ("frijoles", "Frijol negro de temporal"),
        ("catering", "Servicio de banquetes para 100 personas"),  # synonym
        ("miel melipona", "Miel melipona"),  # the closest match first
        ("mezcal tobala", "Mezcal tobalá silvestre"),
    ],
)
def test_relevance(search_engine: SearchEngine, text: str, expected: str) -> None:
    assert titles(search_engine, text=text)[0] == expected


def test_a_typo_is_forgiven(search_engine: SearchEngine) -> None:
    assert titles(search_engine, text="vainila") == ["Vainilla de la península"]
    assert titles(search_engine, text="mezcal tobla")[0] == "Mezcal tobalá silvestre"  # tobalá, 1 typo
    assert titles(search_engine, text="pinon")[0] == "Piñón rosa tostado"
    assert titles(search_engine, text="mial") == []  # 4 letters: no typo allowed


def test_every_word_ranks_before_some_words(search_engine: SearchEngine) -> None:
    # "joven" is in one mezcal's title only; the other still comes, after it, and the first word is kept.
    assert titles(search_engine, text="mezcal joven") == ["Mezcal espadín joven", "Mezcal tobalá silvestre"]
    assert titles(search_engine, text="joven mezcal") == ["Mezcal espadín joven"]


def test_words_find_every_form(search_engine: SearchEngine) -> None:
    assert sorted(titles(search_engine, text="cafe")) == [
        "Café de olla orgánico",
        "Café verde de exportación",
    ]
    assert sorted(titles(search_engine, text="mezc")) == ["Mezcal espadín joven", "Mezcal tobalá silvestre"]
    assert sorted(titles(search_engine, text="mezcales")) == [
        "Mezcal espadín joven",
        "Mezcal tobalá silvestre",
    ]
    assert titles(search_engine, text="miel avena")[0] == "Jabón de miel y avena"


def test_filters_combine(search_engine: SearchEngine) -> None:
    assert titles(search_engine, category=["mezcal-destilados"], sort="price_asc") == [
        "Mezcal espadín joven",
        "Mezcal tobalá silvestre",
    ]
    assert sorted(titles(search_engine, state=["31"])) == [
        "Jabón de miel y avena",
        "Miel melipona",
        "Vainilla de la península",
    ]
    assert titles(search_engine, price_min_cents=9000, price_max_cents=12000, sort="price_asc") == [
        "Jabón de miel y avena",
        "Vainilla de la península",
    ]
    assert "Café verde de exportación" not in titles(search_engine, in_stock=True)
    assert titles(search_engine, kind=["service"]) == ["Servicio de banquetes para 100 personas"]
    assert sorted(titles(search_engine, certification=["do_mezcal", "participativa"], category=["miel"])) == [
        "Miel melipona"
    ]
    assert sorted(titles(search_engine, delivers_to="27")) == [
        "Café verde de exportación",
        "Frijol negro de temporal",
        "Mezcal espadín joven",
    ]
    assert sorted(titles(search_engine, delivery=["national"])) == [
        "Café verde de exportación",
        "Mezcal espadín joven",
    ]
    assert len(titles(search_engine, organization="maya")) == 4


def test_sorts(search_engine: SearchEngine) -> None:
    prices = [h.price_cents for h in search_engine.search(SearchQuery(sort="price_desc", per_page=50)).hits]
    assert prices == sorted(prices, reverse=True) and len(prices) == len(DOCUMENTS)
    assert titles(search_engine, sort="newest")[0] == "Servicio de banquetes para 100 personas"


def test_geo_radius_and_distance(search_engine: SearchEngine) -> None:
    oaxaca = {"lat": 17.07, "lng": -96.73}
    near = search_engine.search(SearchQuery(**oaxaca, radius_km=100, sort="distance"))
    assert [h.title for h in near.hits] == ["Mezcal espadín joven", "Mezcal tobalá silvestre"] or [
        h.title for h in near.hits
    ] == ["Mezcal tobalá silvestre", "Mezcal espadín joven"]
    assert all(h.distance_km is not None and 40 <= h.distance_km <= 48 for h in near.hits)
    ordered = search_engine.search(SearchQuery(**oaxaca, sort="distance", per_page=50)).hits
    distances = [h.distance_km or 0 for h in ordered]
    assert distances == sorted(distances) and ordered[-1].organization_slug == "xunan"


def test_facets_totals_and_prices(search_engine: SearchEngine) -> None:
    result = search_engine.search(SearchQuery(text="miel"))
    assert result.total == 2
    assert result.facets["state"] == {"31": 2}
    assert result.facets["category"] == {"miel": 1, "cosmetica-natural": 1}
    assert result.facets["certifications"] == {"participativa": 2}
    assert (result.price_min_cents, result.price_max_cents) == (9000, 35000)
    everything = search_engine.search(SearchQuery(per_page=3, page=2))
    assert (everything.total, len(everything.hits), everything.pages) == (len(DOCUMENTS), 3, 4)
    assert search_engine.search(SearchQuery(page=5, per_page=3)).hits == []


def test_values_of_a_facet_are_or_ed_and_facets_and_ed(search_engine: SearchEngine) -> None:
    assert sorted(titles(search_engine, state=["07", "20"], category=["cafe", "mezcal-destilados"])) == [
        "Café de olla orgánico",
        "Café verde de exportación",
        "Mezcal espadín joven",
        "Mezcal tobalá silvestre",
    ]
    assert len(titles(search_engine, state=["07", "20"])) == 6
    assert len(titles(search_engine, kind=["good", "service"])) == len(DOCUMENTS)
    shipped = titles(search_engine, delivery=["national", "delivery"], legal_form=["coop_produccion"])
    assert sorted(shipped) == [
        "Café verde de exportación",
        "Frijol negro de temporal",
    ]


def passes(doc: dict[str, Any], chosen: dict[str, list[str]], ignoring: str = "") -> bool:
    """Whether a document passes every selection but `ignoring`'s (a facet's values OR-ed)."""
    for name, values in chosen.items():
        attr = "certifications" if name == "certification" else name
        have = doc[attr] if isinstance(doc[attr], list) else [doc[attr]]
        if attr != ignoring and not set(have) & set(values):
            return False
    return True


def reference_counts(facet: str, chosen: dict[str, list[str]], ids: set[int] | None = None) -> dict[str, int]:
    """Disjunctive counts worked out by hand over DOCUMENTS (or those of `ids`, a text's matches):
    `facet` counted on the documents that pass every other facet's selection."""
    counts: dict[str, int] = {}
    for doc in DOCUMENTS:
        if (ids is None or doc["id"] in ids) and passes(doc, chosen, ignoring=facet):
            for value in doc[facet] if isinstance(doc[facet], list) else [doc[facet]]:
                counts[value] = counts.get(value, 0) + 1
    return counts


@pytest.mark.parametrize(
    "chosen",
    [
        {"state": ["07"]},
        {"state": ["07", "20"], "category": ["cafe", "mezcal-destilados"]},
        {"certification": ["participativa"], "state": ["07", "31"]},
        {"delivery": ["national"], "kind": ["good"]},
        {"legal_form": ["ejido"], "delivery": ["pickup"], "certification": ["do_mezcal", "organico_mexico"]},
    ],
)
def test_each_facet_counts_as_if_its_own_selection_were_off(
    search_engine: SearchEngine, chosen: dict[str, list[str]]
) -> None:
    result = search_engine.search(SearchQuery(per_page=50, **chosen))
    for facet in FACETS:
        assert result.facets[facet] == reference_counts(facet, chosen), facet
    # The hits and the total are those of every selection at once.
    expected = sorted(doc["id"] for doc in DOCUMENTS if passes(doc, chosen))
    assert sorted(hit.id for hit in result.hits) == expected and result.total == len(expected)


def test_disjunctive_counts_by_example(search_engine: SearchEngine) -> None:
    # One state chosen: the other states still show what choosing them would add.
    result = search_engine.search(SearchQuery(state=["07"]))
    assert result.total == 4
    assert result.facets["state"] == {"07": 4, "31": 3, "20": 2, "09": 1}
    assert result.facets["category"] == {"cafe": 2, "maiz-granos": 2}  # the other facets follow the filter
    # Two states and a category: states counted among cafés and mezcals, categories among Chiapas and Oaxaca.
    result = search_engine.search(SearchQuery(state=["07", "20"], category=["cafe"]))
    assert result.total == 2
    assert result.facets["state"] == {"07": 2}
    assert result.facets["category"] == {"cafe": 2, "maiz-granos": 2, "mezcal-destilados": 2}
    assert result.facets["legal_form"] == {"coop_produccion": 2}
    assert (result.price_min_cents, result.price_max_cents) == (28000, 15500000)  # of the hits only


def test_disjunctive_counts_keep_the_text(search_engine: SearchEngine) -> None:
    result = search_engine.search(SearchQuery(text="miel", category=["miel"]))
    assert [h.title for h in result.hits] == ["Miel melipona"]
    assert result.facets["category"] == {"miel": 1, "cosmetica-natural": 1}
    assert result.facets["state"] == {"31": 1}
    expected = reference_counts("category", {"category": ["miel"]}, ids={5, 6})
    assert result.facets["category"] == expected


def test_highlights_are_escaped_html(search_engine: SearchEngine) -> None:
    search_engine.upsert([dict(DOCUMENTS[0], id=99, title="Café <script>alert(1)</script>", version="x")])
    hit = next(h for h in search_engine.search(SearchQuery(text="cafe")).hits if h.id == 99)
    assert "<script>" not in hit.title_html and "&lt;script&gt;" in hit.title_html
    assert "<mark>Café</mark>" in hit.title_html


def test_upsert_replaces_delete_removes_and_versions_are_reported(search_engine: SearchEngine) -> None:
    search_engine.upsert([dict(DOCUMENTS[4], title="Miel melipona cosecha 2026", version="v2")])
    assert "Miel melipona cosecha 2026" in titles(search_engine, text="melipona")
    search_engine.delete([5, 6])
    assert titles(search_engine, text="miel") == []
    versions = search_engine.indexed_versions()
    assert len(versions) == len(DOCUMENTS) - 2 and 5 not in versions


def test_rebuild_swaps_only_a_complete_index(search_engine: SearchEngine) -> None:
    fresh = [dict(d, title=d["title"] + " (nuevo)") for d in DOCUMENTS[:3]]
    with pytest.raises(RuntimeError):
        search_engine.rebuild([fresh], expected=4)
    assert len(titles(search_engine)) == len(DOCUMENTS)  # the live index is untouched
    assert search_engine.rebuild([fresh[:2], fresh[2:]], expected=3) == 3
    assert sorted(titles(search_engine)) == sorted(d["title"] for d in fresh)


def test_suggestions(search_engine: SearchEngine) -> None:
    assert "Mezcal espadín joven" in search_engine.suggest("mezc")
