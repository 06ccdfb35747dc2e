"""The shared relevance set on the demo catalogue, on both engines: each must find what a buyer means for
most queries (typos, missing accents, plurals, places, organizations, several words). `pytest -s` prints
each engine's score; bench/relevance.py prints both as one JSON line."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from market.catalog.search_index import reindex
from market.seed import load_demo
from search.embedded import EmbeddedEngine
from search.engine import SearchEngine, SearchQuery
from search.meili import MeiliEngine
from tests.search.relevance import CASES, K, score, slugs_by_id

# Both engines reach it; a change that makes either find less for buyers fails here.
MINIMUM_FOUND_AT_K = 0.9
KINDS = {"typo", "accents", "plural", "place", "organization", "multi-word", "product", "service"}


def test_the_set_covers_what_buyers_type() -> None:
    assert len(CASES) >= 40
    assert {case["kind"] for case in CASES} == KINDS
    assert len({case["q"] for case in CASES}) == len(CASES)


@pytest.fixture(params=["embedded", "meilisearch"])
def demo_search(
    request: pytest.FixtureRequest, engine: Engine, session: Session, tmp_path: Path
) -> SearchEngine:
    load_demo(session)
    session.commit()
    search: SearchEngine
    if request.param == "embedded":
        search = EmbeddedEngine(tmp_path / "search.db")
    else:
        settings = request.getfixturevalue("meili_settings")
        search = MeiliEngine(settings.meili_url or "", settings.meili_master_key, settings.meili_index)
    search.ensure_ready()
    reindex(engine, search)
    return search


def test_both_engines_find_what_buyers_mean(demo_search: SearchEngine, engine: Engine) -> None:
    slugs = slugs_by_id(engine)
    assert all(set(case["expected"]) <= set(slugs.values()) for case in CASES)  # the demo still has them
    result = score(demo_search, slugs)
    print(
        f"\n{demo_search.name}: found@{K} {result.found_at_k:.3f}, precision@{K} {result.precision_at_k:.3f},"
        f" {len(CASES)} queries; missed: {result.misses}"
    )
    assert result.found_at_k >= MINIMUM_FOUND_AT_K, result.misses


def test_the_issues_queries(demo_search: SearchEngine) -> None:
    """ "vainila" finds vainilla; "mezcal artesanal" shows the mezcales before the two liqueurs of the
    "Mezcal y destilados" category that mention "artesanal" (which it no longer finds at all)."""
    assert demo_search.search(SearchQuery(text="vainila", per_page=3)).hits[0].category == "vainilla"
    titles = [hit.title for hit in demo_search.search(SearchQuery(text="mezcal artesanal", per_page=50)).hits]
    mezcales = [n for n, title in enumerate(titles) if title.startswith("Mezcal")]
    liqueurs = [n for n, title in enumerate(titles) if title.startswith("Licor")]
    assert len(mezcales) == 10 and mezcales[0] == 0
    assert all(n > mezcales[-1] for n in liqueurs)
