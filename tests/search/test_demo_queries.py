"""The queries the product was specified with, on the demo catalog and a real Meilisearch."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from market.catalog.search_index import reindex
from market.config import Settings
from market.seed import load_demo
from search.engine import SearchQuery
from search.meili import MeiliEngine


@pytest.fixture
def demo_index(engine: Engine, session: Session, meili_settings: Settings) -> MeiliEngine:
    load_demo(session)
    session.commit()
    search = MeiliEngine(
        meili_settings.meili_url or "", meili_settings.meili_master_key, meili_settings.meili_index
    )
    search.ensure_ready()
    reindex(engine, search)
    return search


SPECIFIED = [  # (query, category, state, words of the top hit's title)
    ("cafe organico chiapas", "cafe", "07", ["café", "orgánico"]),
    ("miel melipona", "miel", "31", ["melipona"]),
    ("vainila", "vainilla", "30", ["vainilla"]),  # a typo
    ("mezcal espadin oaxaca", "mezcal-destilados", "20", ["mezcal", "espadín"]),
    ("servicio de banquetes cdmx", "servicios", "09", ["banquetes"]),  # cdmx: a synonym of the state's name
]


def test_specified_queries_find_what_a_buyer_means(demo_index: MeiliEngine) -> None:
    for text, category, state, words in SPECIFIED:  # one test: the demo catalog is loaded once
        top = demo_index.search(SearchQuery(text=text, per_page=3)).hits[0]
        assert (top.category, top.state) == (category, state), text
        assert all(word in top.title.lower() for word in words), (text, top.title)
