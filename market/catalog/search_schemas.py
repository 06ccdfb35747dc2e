"""The search query and results in the catalog's vocabularies: the engines' contract (`search.engine`),
narrowed to the codes the product knows. Every filter is checked against its vocabulary, so nothing typed
reaches a filter string, and the OpenAPI document lists the codes as enums. The API and the pages build
this query; an engine takes it as its own (it is one)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import Field, ValidationInfo, field_validator, model_validator

from market.bounds import MAX_PRICE_CENTS
from market.catalog.taxonomy import (
    CATEGORIES_BY_SLUG,
    DELIVERY_LABELS,
    LISTING_KINDS,
    CategorySlug,
    ListingKind,
    UnitCode,
)
from market.mexico import CERTIFICATIONS, LEGAL_FORMS, STATES_BY_CODE, Certification, LegalForm, StateCode
from market.validation import invalid
from search import engine

# What each filter may hold: codes and slugs from the product's vocabularies, nothing else.
VOCABULARIES: dict[str, Iterable[str]] = {
    "category": CATEGORIES_BY_SLUG,
    "state": STATES_BY_CODE,
    "delivers_to": STATES_BY_CODE,
    "legal_form": LEGAL_FORMS,
    "certification": CERTIFICATIONS,
    "kind": LISTING_KINDS,
    "delivery": DELIVERY_LABELS,
}

# The values each facet's filter takes (by the query's parameter names).
FACET_VALUES = {name: VOCABULARIES[name] for name in engine.FACET_FILTERS.values()}


def known_facet_values(fields: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """`fields` without the facet values no vocabulary has, and those values: the search page drops them
    (an old link, a category since renamed) and says so, where the API answers 422."""
    kept, unknown = dict(fields), []
    for name, vocabulary in FACET_VALUES.items():
        values = fields.get(name)
        if isinstance(values, list):
            kept[name] = [v for v in values if v in vocabulary]
            unknown += [v for v in values if v not in vocabulary]
    return kept, unknown


class SearchQuery(engine.SearchQuery):
    """What a buyer asks for. Filters take codes and slugs only (filters are accent-sensitive; codes are
    not), and every value is checked against its vocabulary, so nothing typed reaches a filter string."""

    category: list[CategorySlug] = Field(default_factory=list)
    state: list[StateCode] = Field(default_factory=list)
    legal_form: list[LegalForm] = Field(default_factory=list)
    certification: list[Certification] = Field(default_factory=list)
    kind: list[ListingKind] = Field(default_factory=list)
    delivers_to: StateCode | None = None  # producers that deliver to (or ship nationally to) this state
    price_min_cents: int | None = Field(default=None, ge=0, le=MAX_PRICE_CENTS)
    price_max_cents: int | None = Field(default=None, ge=0, le=MAX_PRICE_CENTS)

    @field_validator(*VOCABULARIES, mode="before")
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


class Hit(engine.Hit):
    unit: UnitCode
    category: CategorySlug
    kind: ListingKind
    state: StateCode


# A page of results as the API answers it: the engine's, with each hit in the catalog's codes. (No
# docstring: it would become the schema's description in the OpenAPI document.)
class SearchResult(engine.SearchResult):
    hits: list[Hit]
