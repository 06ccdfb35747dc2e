"""The embedded (SQLite FTS5) engine on its own: text matching, filters, facets, sorts, geo, pages,
highlighting, writes, the zero-downtime rebuild and suggestions."""

from __future__ import annotations

import os
import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from market.catalog.models import Listing, ListingStatus
from market.catalog.search_documents import listing_document
from market.organizations.models import Organization
from search.embedded import EmbeddedEngine
from search.engine import SearchQuery, SearchResult, SearchUnavailable

T0 = datetime(2026, 1, 1, tzinfo=UTC)
OAXACA = {"lat": 17.07, "lng": -96.73}


def org(id: int, slug: str, **fields: Any) -> Organization:
    values: dict[str, Any] = {"name": slug.title(), "legal_form": "coop_produccion", "municipality": "Centro"}
    return Organization(id=id, slug=slug, updated_at=T0, **(values | fields))


ORGS = {
    "nuu": org(
        1,
        "nuu",
        name="Cooperativa Ñuu Savi",
        legal_form="comunidad",
        state="20",
        municipality="Santa María Peñoles",
        latitude=17.1,
        longitude=-96.9,
        certifications=["organico_mexico", "spp"],
    ),
    "majomut": org(
        2,
        "majomut",
        name="Unión Majomut",
        state="07",
        municipality="Chenalhó",
        latitude=16.9,
        longitude=-92.63,
        certifications=["fairtrade"],
    ),
    "kabi": org(3, "kabi", name="Kabi Habin", legal_form="sss", state="31", municipality="Maní"),
    "cocina": org(
        4,
        "cocina",
        name="Cocina Colectiva",
        legal_form="empresa_trabajadores",
        state="09",
        latitude=19.26,
        longitude=-99.1,
    ),
}


def doc(id: int, org_key: str, title: str, **fields: Any) -> dict[str, Any]:
    values: dict[str, Any] = {"category": "cafe", "unit": "kg", "price_cents": 10000, "stock": 10}
    listing = Listing(
        id=id,
        organization_id=ORGS[org_key].id or 0,
        slug=f"l{id}",
        title=title,
        status=ListingStatus.ACTIVE,
        created_at=T0 + timedelta(days=id),
        updated_at=T0 + timedelta(days=id),
        **(values | fields),
    )
    return listing_document(listing, ORGS[org_key])


CATALOG = [
    doc(1, "majomut", "Café de altura tostado", price_cents=32000, description="Arábica de sombra."),
    doc(2, "majomut", "Café verde en grano", price_cents=150000, stock=0, national_shipping=True),
    doc(3, "nuu", "Mezcal espadín", category="mezcal-destilados", price_cents=65000, delivery_states=["09"]),
    doc(4, "nuu", "Frijol negro de temporal", category="maiz-granos", price_cents=6000),
    doc(5, "kabi", "Piña deshidratada", category="frutas-verduras", price_cents=4500, pickup=False),
    doc(6, "kabi", "Miel melipona", category="miel", price_cents=35000),
    doc(
        7,
        "cocina",
        "Servicio de banquetes",
        category="servicios",
        kind="service",
        unit="servicio",
        price_cents=450000,
        stock=None,
        description="Comida para eventos de hasta 100 personas.",
    ),
]


@pytest.fixture
def search(tmp_path: Path) -> EmbeddedEngine:
    engine = EmbeddedEngine(tmp_path / "index" / "search.db")
    engine.upsert([dict(d) for d in CATALOG])
    return engine


def run(search: EmbeddedEngine, **query: Any) -> SearchResult:
    return search.search(SearchQuery(per_page=50, **query))


def ids(search: EmbeddedEngine, **query: Any) -> list[int]:
    return [hit.id for hit in run(search, **query).hits]


# --- text -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cafe", [1, 2]),  # accents are ignored
        ("CAFÉ tostado", [1, 2]),  # every word first ("tostado" is in 1's title), then the first word's
        ("pina", [5]),  # ñ matches n and ñ alike
        ("piña", [5]),
        ("ñuu", [3, 4]),  # organization name
        ("nuu savi", [3, 4]),
        ("mezc", [3]),  # prefix while typing
        ("frijoles", [4]),  # plural through a synonym
        ("mezcales", [3]),
        ("catering", [7]),  # synonym
        ("eventos", [7]),  # description
        ("chenalho", [1, 2]),  # place: municipality
        ("yucatan", [5, 6]),  # place: state name
        ("fairtrade", [1, 2]),  # certification names
        ("de la", [1, 2, 3, 4, 5, 6, 7]),  # only stop words: everything
    ],
)
def test_text_matching(search: EmbeddedEngine, text: str, expected: list[int]) -> None:
    assert sorted(ids(search, text=text)) == expected


def test_a_multi_word_synonym_is_a_phrase(search: EmbeddedEngine) -> None:
    search.upsert([doc(8, "cocina", "Comida para eventos", category="servicios", kind="service")])
    assert sorted(ids(search, text="banquete")) == [7, 8]  # "comida para eventos" is a synonym of banquete
    search.upsert([doc(8, "cocina", "Eventos con comida", category="servicios", kind="service")])
    assert ids(search, text="banquete") == [7]  # the words apart are not the phrase


def test_title_matches_rank_first(search: EmbeddedEngine) -> None:
    search.upsert([doc(9, "majomut", "Taza de barro", category="artesanias", description="Para café.")])
    assert ids(search, text="cafe")[-1] == 9


def test_words_are_dropped_from_the_end_until_something_matches(search: EmbeddedEngine) -> None:
    assert ids(search, text="mezcal xyzzy") == [3]  # Meilisearch's matchingStrategy "last"
    assert sorted(ids(search, text="cafe mezcal")) == [1, 2]  # no document has both
    assert ids(search, text="xyzzy mezcal") == []  # the first word is never dropped
    highlighted = run(search, text="mezcal xyzzy").hits[0].title_html
    assert highlighted == "<mark>Mezcal</mark> espadín"
    # Dropping words respects the filters: with them, "cafe" alone matches nothing in Oaxaca.
    assert ids(search, text="cafe verde", state=["20"]) == []


# --- typos and ranking -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("melipna", [6]),  # 7 letters: one typo (a missing letter)
        ("meilpona", [6]),  # a swap of two letters is one typo
        ("frjol", [4]),  # 5 letters: one typo
        ("mial", []),  # 4 letters: none
        ("melpna", []),  # 6 letters: not two
        ("deshidrtda", [5]),  # 10 letters: two typos
        ("deshidrtd", []),  # 9 letters: not three
        ("nelipona", []),  # a wrong first letter counts as two typos
        ("xeshidratada", [5]),  # which a word of 9 letters or more allows, with nothing else wrong
        ("xeshidratda", []),
        ("mezcal melipna", [3]),  # each word on its own: the first word is kept, the misspelled one
    ],
)
def test_a_misspelled_word_finds_the_word_it_may_be(
    search: EmbeddedEngine, text: str, expected: list[int]
) -> None:
    assert ids(search, text=text) == expected


def test_words_the_index_holds_are_not_corrected(search: EmbeddedEngine) -> None:
    search.upsert([doc(8, "kabi", "Mieles de temporada", category="miel")])
    assert ids(search, text="miele") == [8]  # a prefix of "mieles": not "miel" with a typo
    assert sorted(ids(search, text="mieels")) == [6, 8]  # corrected to "mieles", a synonym of "miel"


def test_the_corrected_word_is_highlighted(search: EmbeddedEngine) -> None:
    hit = run(search, text="melipna").hits[0]
    assert hit.title_html == "Miel <mark>melipona</mark>"
    snippet = run(search, text="evnetos").hits[0].snippet_html
    assert "<mark>eventos</mark>" in snippet


def test_every_word_ranks_before_some_and_the_title_before_the_rest(search: EmbeddedEngine) -> None:
    search.upsert(
        [
            doc(10, "nuu", "Licor artesanal", category="mezcal-destilados", description="Para el mezcal."),
            doc(11, "nuu", "Tarro artesanal", category="artesanias"),
            doc(12, "nuu", "Copa de barro", category="artesanias", price_cents=100, description="Mezcal."),
        ]
    )
    # 10 has both words; 3 and 12 the first only, 3 in its title; 11 lacks the first word.
    assert ids(search, text="mezcal artesanal") == [10, 3, 12]
    assert ids(search, text="mezcal")[0] == 3  # the title first, wherever else the word is
    # A sort orders each of those groups, as Meilisearch ranks "words" before "sort".
    assert ids(search, text="mezcal artesanal", sort="price_asc") == [10, 12, 3]
    result = run(search, text="mezcal artesanal")
    assert result.total == 3 and result.hits[0].title_html == "Licor <mark>artesanal</mark>"
    assert result.hits[0].snippet_html == "Para el <mark>mezcal</mark>."


# --- filters, facets and prices -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"category": ["cafe", "miel"]}, [1, 2, 6]),
        ({"state": ["31"]}, [5, 6]),
        ({"legal_form": ["comunidad", "sss"]}, [3, 4, 5, 6]),
        ({"certification": ["spp"]}, [3, 4]),
        ({"certification": ["spp", "fairtrade"]}, [1, 2, 3, 4]),  # any of
        ({"kind": "service"}, [7]),
        ({"delivery": ["national"]}, [2]),
        ({"delivery": ["delivery", "national"]}, [2, 3]),
        ({"delivery": ["pickup"]}, [1, 2, 3, 4, 6, 7]),
        ({"delivers_to": "09"}, [2, 3]),  # delivers there, or ships nationally
        ({"delivers_to": "31"}, [2]),
        ({"price_min_cents": 6000, "price_max_cents": 35000}, [1, 4, 6]),  # inclusive
        ({"in_stock": True}, [1, 3, 4, 5, 6, 7]),  # made to order (stock None) is available
        ({"organization": "kabi"}, [5, 6]),
        ({"state": ["07", "20"], "certification": ["spp"], "price_max_cents": 10000}, [4]),  # AND
        ({"text": "cafe", "in_stock": True}, [1]),
    ],
)
def test_filters(search: EmbeddedEngine, query: dict[str, Any], expected: list[int]) -> None:
    assert sorted(ids(search, **query)) == expected


def test_facets_count_the_hits_of_the_whole_query(search: EmbeddedEngine) -> None:
    result = run(search, text="cafe")
    assert result.total == 2
    assert result.facets == {
        "category": {"cafe": 2},
        "state": {"07": 2},
        "legal_form": {"coop_produccion": 2},
        "certifications": {"fairtrade": 2},
        "kind": {"good": 2},
        "delivery": {"pickup": 2, "national": 1},
    }
    everything = run(search)
    assert everything.facets["state"] == {"07": 2, "20": 2, "31": 2, "09": 1}  # by count, then value
    assert everything.facets["certifications"] == {"fairtrade": 2, "organico_mexico": 2, "spp": 2}
    assert everything.facets["delivery"] == {"pickup": 6, "delivery": 1, "national": 1}
    assert everything.facets["kind"] == {"good": 6, "service": 1}
    # Filters apply to the counts too, as in Meilisearch's facetDistribution.
    filtered = run(search, state=["20", "31"], price_max_cents=10000)
    assert filtered.facets["state"] == {"20": 1, "31": 1}
    assert filtered.facets["certifications"] == {"organico_mexico": 1, "spp": 1}
    assert filtered.facets["delivery"] == {"pickup": 1}


def test_price_range_of_the_hits(search: EmbeddedEngine) -> None:
    assert (run(search).price_min_cents, run(search).price_max_cents) == (4500, 450000)
    cafe = run(search, text="cafe")
    assert (cafe.price_min_cents, cafe.price_max_cents) == (32000, 150000)
    none = run(search, text="xyzzy")
    assert (none.total, none.price_min_cents, none.price_max_cents) == (0, None, None)
    assert all(counts == {} for counts in none.facets.values()) and none.hits == []


# --- sorts, geo and pages -----------------------------------------------------------------------------


def test_sorts(search: EmbeddedEngine) -> None:
    assert ids(search, sort="price_asc") == [5, 4, 1, 6, 3, 2, 7]
    assert ids(search, sort="price_desc") == [7, 2, 3, 6, 1, 4, 5]
    assert ids(search, sort="newest") == [7, 6, 5, 4, 3, 2, 1]
    assert ids(search) == [7, 6, 5, 4, 3, 2, 1]  # relevance without text: newest first
    rated = [dict(d, rating=r) for d, r in zip(CATALOG, [4.5, 3.0, 5.0, 0.0, 4.5, 1.0, 2.0], strict=True)]
    search.upsert(rated)
    assert ids(search, sort="rating") == [3, 5, 1, 2, 7, 6, 4]  # ties: the newer first
    search.upsert([dict(CATALOG[0], id=10, price_cents=32000)])
    assert ids(search, sort="price_asc")[2:4] == [10, 1]  # equal prices: the higher id first


def test_geo_radius_and_distance(search: EmbeddedEngine) -> None:
    near = run(search, **OAXACA, radius_km=100, sort="distance")
    assert [h.id for h in near.hits] == [4, 3] and near.total == 2  # same point: the higher id first
    assert all(h.distance_km is not None and 18 <= h.distance_km <= 20 for h in near.hits)
    wider = run(search, **OAXACA, radius_km=500, sort="distance")
    assert [h.id for h in wider.hits] == [4, 3, 7, 2, 1]  # Chenalhó is ~440 km away, Mexico City ~280
    everything = run(search, **OAXACA, sort="distance")
    assert [h.id for h in everything.hits][-2:] == [6, 5]  # without coordinates: last
    assert [h.distance_km for h in everything.hits][-2:] == [None, None]
    distances = [h.distance_km for h in everything.hits if h.distance_km is not None]
    assert distances == sorted(distances)
    assert ids(search, **OAXACA) == [h.id for h in everything.hits]  # relevance with a point: nearest
    assert ids(search, **OAXACA, radius_km=100, text="mezcal") == [3]


def test_a_radius_across_the_antimeridian(tmp_path: Path) -> None:
    engine = EmbeddedEngine(tmp_path / "search.db")
    engine.upsert(
        [dict(CATALOG[0], _geo={"lat": 0.0, "lng": -179.9}), dict(CATALOG[1], _geo={"lat": 0, "lng": 10})]
    )
    assert ids(engine, lat=0, lng=179.9, radius_km=50) == [1]


def test_pages_and_exact_totals(search: EmbeddedEngine) -> None:
    pages = [search.search(SearchQuery(per_page=3, page=n, sort="price_asc")) for n in (1, 2, 3, 4)]
    assert [p.total for p in pages] == [7, 7, 7, 7] and pages[0].pages == 3
    assert [[h.id for h in p.hits] for p in pages] == [[5, 4, 1], [6, 3, 2], [7], []]
    relevance = [search.search(SearchQuery(text="cafe", per_page=1, page=n)) for n in (1, 2)]
    assert {relevance[0].hits[0].id, relevance[1].hits[0].id} == {1, 2}
    assert relevance[0].total == 2 and relevance[0].engine == "embedded" and relevance[0].took_ms >= 0


# --- highlighting -------------------------------------------------------------------------------------


def test_highlights_are_escaped_html(search: EmbeddedEngine) -> None:
    search.upsert(
        [
            dict(
                CATALOG[0],
                id=20,
                title="Café <script>alert(1)</script> \x02x\x03",
                description="<b>Café</b> & más",
            )
        ]
    )
    hit = next(h for h in run(search, text="cafe").hits if h.id == 20)
    assert hit.title_html == "<mark>Café</mark> &lt;script&gt;alert(1)&lt;/script&gt; x"
    assert hit.snippet_html == "&lt;b&gt;<mark>Café</mark>&lt;/b&gt; &amp; más"
    plain = next(h for h in run(search).hits if h.id == 20)
    assert plain.title_html == "Café &lt;script&gt;alert(1)&lt;/script&gt; \x02x\x03"
    assert plain.snippet_html == "&lt;b&gt;Café&lt;/b&gt; &amp; más"


def test_synonyms_and_prefixes_are_highlighted(search: EmbeddedEngine) -> None:
    assert run(search, text="frijoles").hits[0].title_html == "<mark>Frijol</mark> negro de temporal"
    assert run(search, text="mezc").hits[0].title_html == "<mark>Mezcal</mark> espadín"
    assert "<mark>eventos</mark>" in run(search, text="eventos").hits[0].snippet_html


def test_snippets_are_short(search: EmbeddedEngine) -> None:
    long_text = "palabra " * 100 + "final"
    search.upsert([dict(CATALOG[0], description=long_text)])
    plain = next(h for h in run(search).hits if h.id == 1)
    assert plain.snippet_html.endswith("…") and len(plain.snippet_html) <= 161
    matched = next(h for h in run(search, text="final").hits if h.id == 1)
    assert matched.snippet_html.endswith("<mark>final</mark>") and matched.snippet_html.count("palabra") < 30


# --- writes -------------------------------------------------------------------------------------------


def test_upsert_replaces_every_part_of_a_document(search: EmbeddedEngine) -> None:
    before = run(search)  # fills the summary cache; the write must retire it
    changed = dict(
        CATALOG[2], title="Sotol norteño", category="servicios", category_name="Servicios", certifications=[]
    )
    changed["delivery"] = []
    search.upsert([changed])
    assert ids(search, text="mezcal") == [] and ids(search, text="sotol") == [3]
    assert ids(search, category=["mezcal-destilados"]) == []
    assert ids(search, certification=["spp"]) == [4] and ids(search, delivery=["delivery"]) == []
    after = run(search)
    assert after.total == before.total == 7
    assert after.facets["category"]["servicios"] == 2 and "mezcal-destilados" not in after.facets["category"]
    assert run(search, text="sotol").hits[0].title == "Sotol norteño"


def test_delete_and_versions(search: EmbeddedEngine) -> None:
    assert search.indexed_versions() == {d["id"]: d["version"] for d in CATALOG}
    search.delete([3, 4, 404])
    assert ids(search, text="mezcal") == [] and run(search).total == 5
    assert set(search.indexed_versions()) == {1, 2, 5, 6, 7}
    assert ids(search, certification=["spp"]) == [] and run(search).facets["certifications"] == {
        "fairtrade": 2
    }
    search.delete([])
    search.upsert([])


def test_ready_healthy_and_unavailable(tmp_path: Path) -> None:
    engine = EmbeddedEngine(tmp_path / "search.db")
    engine.ensure_ready()
    engine.ensure_ready()  # idempotent
    assert engine.healthy() and run(engine).total == 0
    (tmp_path / "blocked").write_text("a file where a directory should be")
    broken = EmbeddedEngine(tmp_path / "blocked" / "search.db")
    assert not broken.healthy()
    with pytest.raises(SearchUnavailable):
        broken.search(SearchQuery())
    with pytest.raises(SearchUnavailable):
        broken.upsert([dict(CATALOG[0])])


def test_threads_read_while_one_writes(search: EmbeddedEngine) -> None:
    errors: list[BaseException] = []

    def read() -> None:
        try:
            for _ in range(20):
                assert run(search, text="cafe").total >= 2
        except BaseException as exc:
            errors.append(exc)

    readers = [threading.Thread(target=read) for _ in range(4)]
    for thread in readers:
        thread.start()
    for n in range(20):
        search.upsert([dict(CATALOG[0], id=100 + n)])
    for thread in readers:
        thread.join()
    assert errors == [] and run(search, text="cafe").total == 22


# --- rebuild ------------------------------------------------------------------------------------------


def test_rebuild_swaps_in_a_complete_index(search: EmbeddedEngine) -> None:
    live = Path(os.path.realpath(search.path))
    reader = sqlite3.connect(live)  # a connection open during the swap keeps reading the old index
    reader.execute("BEGIN")
    assert reader.execute("SELECT count(*) FROM docs").fetchone() == (7,)
    added: list[int] = []
    fresh = [dict(d, title=d["title"] + " nuevo") for d in CATALOG[:3]]
    assert search.rebuild(iter([fresh[:2], fresh[2:]]), expected=3, progress=added.append) == 3
    assert added == [2, 1]
    assert sorted(ids(search, text="nuevo")) == [1, 2, 3] and run(search).total == 3
    assert reader.execute("SELECT count(*) FROM docs").fetchone() == (7,)
    reader.close()
    generation = Path(os.path.realpath(search.path))
    assert search.path.is_symlink() and generation != live
    search.upsert([dict(CATALOG[5])])  # writes go to the new generation
    assert ids(search, text="miel") == [6]
    (search.path.parent / "search.db.0-shm").write_bytes(b"")  # left by a connection that raced a swap
    assert search.rebuild([CATALOG], expected=len(CATALOG)) == len(CATALOG)  # and again
    assert run(search).total == len(CATALOG)
    assert not generation.exists()  # the previous generation is removed
    leftovers = sorted(p.name for p in search.path.parent.iterdir())
    assert leftovers == sorted(["search.db", os.readlink(search.path)])


def test_rebuild_refuses_an_incomplete_index(search: EmbeddedEngine) -> None:
    before = sorted(search.path.parent.iterdir())
    with pytest.raises(RuntimeError, match=r"3 documents, expected 4"):
        search.rebuild([CATALOG[:3]], expected=4)
    assert run(search).total == len(CATALOG)  # the live index is untouched
    assert sorted(search.path.parent.iterdir()) == before  # and the new file was removed


def test_rebuild_before_first_use(tmp_path: Path) -> None:
    engine = EmbeddedEngine(tmp_path / "new" / "search.db")
    assert engine.rebuild([CATALOG], expected=len(CATALOG)) == len(CATALOG)
    assert sorted(ids(engine, text="cafe")) == [1, 2]


# --- suggestions --------------------------------------------------------------------------------------


def test_suggestions(search: EmbeddedEngine) -> None:
    search.upsert([dict(CATALOG[2], id=30), dict(CATALOG[2], id=31, title="Mezcal tobalá")])
    assert search.suggest("mez") == ["Mezcal espadín", "Mezcal tobalá"]  # distinct titles
    assert search.suggest("MEZCAL TOB") == ["Mezcal tobalá"]  # the last word is a prefix
    assert search.suggest("cafe de") == ["Café de altura tostado"]  # a stop word may be a prefix
    assert search.suggest("pina") == ["Piña deshidratada"]
    assert search.suggest("chenalho") == []  # titles only
    assert len(search.suggest("c", limit=1)) == 1
    assert search.suggest("") == [] and search.suggest("  ¿? ") == []
