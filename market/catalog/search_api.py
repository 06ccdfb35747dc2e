"""GET /api/v1/search: the same query as the search page, as JSON."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from market.errors import SearchDown
from search.engine import SearchQuery, SearchResult, SearchUnavailable

router = APIRouter(tags=["search"])


@router.get(
    "/search",
    response_model=SearchResult,
    responses={
        422: {"description": "Malformed parameters"},
        503: {"description": "Search engine unavailable"},
    },
)
def search(request: Request, query: Annotated[SearchQuery, Query()]) -> SearchResult:
    """Full-text search of active listings with filters, facets, price statistics, sorting and geo.
    Filters take codes: `category` slugs, `state` INEGI codes (repeat a parameter for several values)."""
    try:
        result: SearchResult = request.app.state.search.search(query)
        return result
    except SearchUnavailable:
        raise SearchDown() from None


@router.get("/search/suggestions", response_model=list[str])
def suggestions(request: Request, q: Annotated[str, Query(min_length=1, max_length=100)]) -> list[str]:
    try:
        titles: list[str] = request.app.state.search.suggest(q)
        return titles
    except SearchUnavailable:
        raise SearchDown() from None
