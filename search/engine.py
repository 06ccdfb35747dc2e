"""The search contract: typed queries and results, and the protocol every engine implements."""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from market.bounds import MAX_PRICE_CENTS
from market.catalog.taxonomy import CATEGORIES_BY_SLUG, CategorySlug, ListingKind, UnitCode
from market.mexico import CERTIFICATIONS, LEGAL_FORMS, STATES_BY_CODE, Certification, LegalForm, StateCode
from market.validation import invalid

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


# What each filter may hold: codes and slugs from the product's vocabularies, nothing else.
VOCABULARIES: dict[str, Iterable[str]] = {
    "category": CATEGORIES_BY_SLUG,
    "state": STATES_BY_CODE,
    "delivers_to": STATES_BY_CODE,
    "legal_form": LEGAL_FORMS,
    "certification": CERTIFICATIONS,
}


class SearchQuery(BaseModel):
    """What a buyer asks for. Filters take codes and slugs only (filters are accent-sensitive; codes are
    not), and every value is checked against its vocabulary, so nothing typed reaches a filter string."""

    # The text is the parameter `q`, as on the search page (`text`, its old name, still reads).
    model_config = ConfigDict(
        str_strip_whitespace=True, extra="forbid", validate_by_alias=True, validate_by_name=True
    )

    text: str = Field(default="", max_length=200, alias="q")
    category: list[CategorySlug] = Field(default_factory=list)
    state: list[StateCode] = Field(default_factory=list)
    legal_form: list[LegalForm] = Field(default_factory=list)
    certification: list[Certification] = Field(default_factory=list)
    kind: ListingKind | None = None
    delivery: list[Delivery] = Field(default_factory=list)
    delivers_to: StateCode | None = None  # producers that deliver to (or ship nationally to) this state
    price_min_cents: int | None = Field(default=None, ge=0, le=MAX_PRICE_CENTS)
    price_max_cents: int | None = Field(default=None, ge=0, le=MAX_PRICE_CENTS)
    in_stock: bool = False
    organization: str | None = Field(default=None, max_length=80, pattern=r"^[a-z0-9-]+$")
    lat: float | None = Field(default=None, ge=-90, le=90)
    lng: float | None = Field(default=None, ge=-180, le=180)
    radius_km: float | None = Field(default=None, gt=0, le=5000)
    sort: Sort = "relevance"
    page: int = Field(default=1, ge=1, le=MAX_PAGE)
    per_page: int = Field(default=24, ge=1, le=MAX_PER_PAGE)

    @field_validator("category", "state", "legal_form", "certification", "delivers_to", mode="before")
    @classmethod
    def _in_vocabulary(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None:
            return None
        vocabulary = VOCABULARIES[info.field_name or ""]
        values = value if isinstance(value, list) else [value]
        if unknown := [v for v in values if not isinstance(v, str) or v not in vocabulary]:
            raise invalid(
                "unknown_value",
                "Valor desconocido: «{value}». Usa una de las claves de la lista.",
                value=str(unknown[0])[:40],
            )
        return sorted(set(values)) if isinstance(value, list) else value

    @model_validator(mode="after")
    def _coherent(self) -> SearchQuery:
        low, high = self.price_min_cents, self.price_max_cents
        if low is not None and high is not None and low > high:
            raise invalid(
                "price_range", "El precio mínimo no puede ser mayor que el máximo.", field="price_min_cents"
            )
        if (self.lat is None) != (self.lng is None):
            missing = "lat" if self.lat is None else "lng"
            raise invalid("geo_incomplete", "Indica latitud y longitud juntas.", field=missing)
        if self.radius_km is not None and self.lat is None:
            raise invalid(
                "radius_without_point",
                "Para buscar en un radio indica también el punto de partida.",
                field="radius_km",
            )
        if self.sort == "distance" and self.lat is None:
            raise invalid(
                "distance_without_point", "Para ordenar por distancia indica tu ubicación.", field="sort"
            )
        return self

    @property
    def near(self) -> bool:
        return self.lat is not None and self.lng is not None


class Hit(BaseModel):
    id: int
    title: str
    title_html: str  # HTML-escaped, matches wrapped in <mark>
    snippet_html: str
    price_cents: int
    unit: UnitCode
    category: CategorySlug
    kind: ListingKind
    state: StateCode
    municipality: str
    organization_slug: str
    organization_name: str
    photo: str | None = None
    in_stock: bool
    rating: float = 0.0  # the average of the listing's reviews; 0 before the first
    review_count: int = 0
    distance_km: float | None = None


class SearchResult(BaseModel):
    hits: list[Hit]
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
