"""Ratings reach search: documents carry the average and the count, sorting by rating puts the best rated
first (ties: more reviews first) on the embedded engine and on a real Meilisearch, and an index file from
before reviews is upgraded in place."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from market.app import create_app
from market.catalog import search_documents
from market.catalog.search_index import check
from market.config import Settings
from market.db import transaction
from market.reviews import service
from search.embedded import EmbeddedEngine
from search.engine import SearchQuery
from search.meili import INDEX_SETTINGS
from tests.helpers import run_search_worker
from tests.pages import elements, one, soup, text_of, value_of
from tests.reviews.conftest import Buy


@pytest.fixture(params=["embedded", "meilisearch"])
def search_app(request: pytest.FixtureRequest, settings: Settings) -> FastAPI:
    if request.param == "meilisearch":
        settings = request.getfixturevalue("meili_settings")  # a real server (skips without its binary)
    app = create_app(settings)
    app.state.search.ensure_ready()
    assert app.state.search.name == request.param
    return app


def test_sorting_by_rating_puts_the_best_rated_first(
    search_app: FastAPI,
    engine: Engine,
    session: Session,
    shop: dict[str, Any],
    buy: Buy,
    make_listing: Any,
) -> None:
    coffee, honey = shop["coffee"], shop["honey"]
    cacao = make_listing(shop["organization"], title="Cacao criollo", category="cacao-chocolate")
    vanilla = make_listing(shop["organization"], title="Vainilla de Papantla", category="vainilla")
    mezcal = make_listing(shop["organization"], title="Mezcal espadín", category="mezcal-destilados")
    # Two ties, each broken by the number of reviews: once for the older listing, once for the newer, so
    # that neither engine's own tie-break (newest first here, first indexed in Meilisearch) passes for it.
    ratings = {coffee.id: [5, 4, 5, 4], cacao.id: [4, 5], honey.id: [4], vanilla.id: [4, 4, 4]}
    listings = {coffee.id: coffee, honey.id: honey, cacao.id: cacao, vanilla.id: vanilla}
    parts = [(buy([listings[listing_id]]), n) for listing_id, stars in ratings.items() for n in stars]
    run_search_worker(search_app)  # the index is current, without ratings
    assert check(session, search_app.state.search).total == 0

    for part, stars in parts:
        with transaction(engine) as tx:
            service.create(tx, shop["buyer"], part.id or 0, stars, "")
    # A review changes the rating, not the listing: the version stamp still tells the index is behind.
    assert check(session, search_app.state.search).stale == sorted(ratings)
    run_search_worker(search_app)
    assert check(session, search_app.state.search).total == 0

    by_rating = search_app.state.search.search(SearchQuery(sort="rating"))
    assert [hit.title for hit in by_rating.hits] == [
        "Café de altura",  # 4.5, four reviews
        "Cacao criollo",  # 4.5, two reviews
        "Vainilla de Papantla",  # 4.0, three reviews
        "Miel multifloral",  # 4.0, one review
        "Mezcal espadín",  # no reviews yet
    ]
    assert mezcal.id == by_rating.hits[-1].id
    assert [(hit.rating, hit.review_count) for hit in by_rating.hits] == [
        (4.5, 4),
        (4.5, 2),
        (4.0, 3),
        (4.0, 1),
        (0.0, 0),
    ]
    with TestClient(search_app) as client:
        page = soup(client.get("/buscar", params={"sort": "rating"}))
    assert value_of(page, "sort") == "rating"
    assert text_of(one(page, "select[name=sort] option[selected]")) == "Mejor calificados"
    cards = {text_of(one(card, "h3")): card for card in elements(page, ".listing-card")}
    rated = [title for title, card in cards.items() if elements(card, ".rating-line .stars")]
    assert len(cards) == 5 and sorted(rated) == sorted(set(cards) - {"Mezcal espadín"})  # none on the mezcal
    # Every listing matches "café" (the organization's name): the sort still decides the order.
    with_text = search_app.state.search.search(SearchQuery(text="café", sort="rating"))
    assert [hit.id for hit in with_text.hits] == [hit.id for hit in by_rating.hits]


def test_documents_carry_the_average_and_the_count(
    engine: Engine, session: Session, shop: dict[str, Any], buy: Buy
) -> None:
    both = buy([shop["coffee"], shop["honey"]])  # one part, one review: it counts for both listings
    alone = buy([shop["coffee"]])
    for part, stars in ((both, 4), (alone, 5)):
        with transaction(engine) as tx:
            service.create(tx, shop["buyer"], part.id or 0, stars, "")
    docs = {doc["id"]: doc for batch in search_documents.public_documents(session) for doc in batch}
    assert (docs[shop["coffee"].id]["rating"], docs[shop["coffee"].id]["review_count"]) == (4.5, 2)
    assert (docs[shop["honey"].id]["rating"], docs[shop["honey"].id]["review_count"]) == (4.0, 1)
    only_honey = [
        doc for batch in search_documents.public_documents(session, [shop["honey"].id]) for doc in batch
    ]
    assert [(d["rating"], d["review_count"]) for d in only_honey] == [(4.0, 1)]


def test_meilisearch_settings_make_rating_and_review_count_sortable() -> None:
    assert {"rating", "review_count"} <= set(INDEX_SETTINGS["sortableAttributes"])


def test_an_embedded_index_from_before_reviews_is_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "search.db"
    EmbeddedEngine(path).ensure_ready()
    with sqlite3.connect(path) as db:  # as the file was before reviews
        db.execute("DROP INDEX docs_rating")
        db.execute("ALTER TABLE docs DROP COLUMN review_count")
        db.execute("CREATE INDEX docs_rating ON docs (rating)")

    search = EmbeddedEngine(path)
    search.ensure_ready()
    base: dict[str, Any] = {
        "category": "cafe",
        "category_name": "Café",
        "state": "07",
        "legal_form": "ejido",
        "kind": "good",
        "price_cents": 100,
        "in_stock": True,
        "organization_slug": "ejido",
        "created_at": 1,
        "title": "Café",
        "unit": "kg",
        "municipality": "Chenalhó",
        "organization_name": "Ejido",
    }
    search.upsert([base | {"id": 1, "rating": 4.5, "review_count": 9}, base | {"id": 2, "rating": 4.5}])
    assert [hit.id for hit in search.search(SearchQuery(sort="rating")).hits] == [1, 2]
    with sqlite3.connect(path) as db:
        columns = [row[2] for row in db.execute("PRAGMA index_info(docs_rating)")]
    assert columns == ["rating", "review_count"]
