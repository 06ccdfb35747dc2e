"""The search contract: typed queries and results, and the protocol every engine implements. It knows the
attributes of a listing's document (category, state, price...) but none of the product's vocabularies:
`market.catalog.search_schemas` narrows the query and the hits to them, for the API and the pages."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, field_validator

# Highlight sentinels: engines wrap matches in them, then `marked` escapes the text and turns them into
# <mark>, so that a listing's own text can never inject markup.
PRE, POST = "\x02", "\x03"


def marked(text: str) -> str:
    return html.escape(text).replace(PRE, "<mark>").replace(POST, "</mark>")


Sort = Literal["relevance", "price_asc", "price_desc", "newest", "rating", "distance"]
Delivery = Literal["pickup", "delivery", "national"]
MAX_PER_PAGE = 100
MAX_PAGE = 1000
# Facets every result reports counts for (document attribute -> what the query filters on).
FACETS = ("category", "state", "legal_form", "certifications", "kind", "delivery")
# The query's filter on each facet. Its values are OR-ed, facets AND-ed; a facet's counts are computed as if
# its own filter were off (disjunctive facets), so that a buyer who chose one state sees what a second adds.
FACET_FILTERS = {
    "category": "category",
    "state": "state",
    "legal_form": "legal_form",
    "certifications": "certification",
    "kind": "kind",
    "delivery": "delivery",
}


class SearchQuery(BaseModel):
    """What an engine is asked. Filters take codes and slugs (filters are accent-sensitive; codes are not);
    which codes exist, and whether the parts of a query agree, is checked by the product's query
    (`market.catalog.search_schemas.SearchQuery`), which every request builds."""

    # The text is the parameter `q`, as on the search page (`text`, its old name, still reads).
    model_config = ConfigDict(
        str_strip_whitespace=True, extra="forbid", validate_by_alias=True, validate_by_name=True
    )

    text: str = Field(default="", max_length=200, alias="q")
    category: list[str] = Field(default_factory=list)
    state: list[str] = Field(default_factory=list)
    legal_form: list[str] = Field(default_factory=list)
    certification: list[str] = Field(default_factory=list)
    kind: list[str] = Field(default_factory=list)
    delivery: list[Delivery] = Field(default_factory=list)
    delivers_to: str | None = None  # producers that deliver to (or ship nationally to) this state
    price_min_cents: int | None = Field(default=None, ge=0)
    price_max_cents: int | None = Field(default=None, ge=0)
    in_stock: bool = False
    organization: str | None = Field(default=None, max_length=80, pattern=r"^[a-z0-9-]+$")
    lat: float | None = Field(default=None, ge=-90, le=90)
    lng: float | None = Field(default=None, ge=-180, le=180)
    radius_km: float | None = Field(default=None, gt=0, le=5000)
    sort: Sort = "relevance"
    page: int = Field(default=1, ge=1, le=MAX_PAGE)
    per_page: int = Field(default=24, ge=1, le=MAX_PER_PAGE)

    @field_validator(*FACET_FILTERS.values(), mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value  # `kind="service"` as well as a list

    @property
    def near(self) -> bool:
        return self.lat is not None and self.lng is not None

    def selected(self, facet: str) -> list[str]:
        """The values chosen for `facet` (a name in FACETS)."""
        return list(getattr(self, FACET_FILTERS[facet]))

    def without(self, facet: str) -> SearchQuery:
        """This query with no filter on `facet`: what that facet's counts are computed on."""
        return self.model_copy(update={FACET_FILTERS[facet]: []})


class Hit(BaseModel):
    id: int
    title: str
    title_html: str  # HTML-escaped, matches wrapped in <mark>
    snippet_html: str
    price_cents: int
    unit: str
    category: str
    kind: str
    state: str
    municipality: str
    organization_slug: str
    organization_name: str
    photo: str | None = None
    in_stock: bool
    rating: float = 0.0  # the average of the listing's reviews; 0 before the first
    review_count: int = 0
    distance_km: float | None = None


class SearchResult(BaseModel):
    hits: Sequence[Hit]  # a sequence, so that the product's result may narrow it to its own hits
    total: int
    page: int
    per_page: int
    facets: dict[str, dict[str, int]]
    price_min_cents: int | None
    price_max_cents: int | None
    engine: str
    took_ms: float

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


class SearchUnavailable(Exception):
    """The engine cannot be reached or failed; callers degrade gracefully (never a 500)."""


class TaskFailed(Exception):
    """The engine accepted a write but could not apply it (a bad document): retried alone, then parked."""


@dataclass(frozen=True)
class IndexState:
    """What the engine holds, to tell an index that lost its data or its settings (a server restarted on
    an empty data directory) from one that is merely behind."""

    exists: bool
    settings_current: bool
    documents: int


class SearchEngine(Protocol):
    name: str

    def ensure_ready(self) -> None:
        """Create the index with its settings if needed (idempotent)."""

    def search(self, query: SearchQuery) -> SearchResult: ...

    def suggest(self, prefix: str, limit: int = 8) -> list[str]: ...

    def upsert(self, documents: list[dict[str, Any]]) -> None:
        """Add or replace documents; returns only when they are searchable (or raises)."""

    def delete(self, ids: list[int]) -> None: ...

    def indexed_versions(self) -> dict[int, str]:
        """{listing id: version stamp} of everything in the index, for consistency checks."""
        ...

    def rebuild(self, batches: Iterable[list[dict[str, Any]]], expected: int, progress: Any = None) -> int:
        """Build a fresh index from `batches`, verify it holds `expected` documents, then swap it in."""
        ...

    def healthy(self) -> bool: ...

    def index_state(self) -> IndexState:
        """The live index's state; SearchUnavailable when the engine cannot say."""
        ...
