"""GET /api/v1/search: the same query as the search page, as JSON."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from market.catalog.search_schemas import SearchQuery, SearchResult
from market.deps import SearchDep
from market.errors import SearchDown
from search.engine import SearchUnavailable

router = APIRouter(tags=["search"])


@router.get("/search", response_model=SearchResult)
def search(query: Annotated[SearchQuery, Query()], engine: SearchDep) -> SearchResult:
    """Full-text search of active listings with filters, facets, price statistics, sorting and geo.
    Filters take codes: `category` slugs, `state` INEGI codes (repeat a parameter for several values)."""
    try:
        found = engine.search(query)
    except SearchUnavailable:
        raise SearchDown() from None
    return SearchResult.model_validate(found, from_attributes=True)  # in the catalog's codes


@router.get("/search/suggestions", response_model=list[str])
def suggestions(q: Annotated[str, Query(min_length=1, max_length=100)], engine: SearchDep) -> list[str]:
    try:
        return engine.suggest(q)
    except SearchUnavailable:
        raise SearchDown() from None
