"""The search page: a query box that updates results as you type (htmx), facets, price range, sort,
pagination, "near me / near a state". Without JavaScript it is a plain GET form."""

from __future__ import annotations

from typing import Any, get_origin
from urllib.parse import urlencode

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import ValidationError
from pydantic.fields import FieldInfo
from starlette.datastructures import QueryParams

from market.catalog.search_schemas import FACET_VALUES, SearchQuery, known_facet_values
from market.catalog.taxonomy import CATEGORIES
from market.deps import PageDep, SearchDep
from market.i18n import N_
from market.i18n import gettext as _
from market.mexico import STATES_BY_CODE
from market.money import parse_pesos
from market.validation import field_errors
from search.engine import FACET_FILTERS, SearchUnavailable

router = APIRouter(include_in_schema=False)
DEFAULT_RADIUS_KM = 100
SORT_LABELS = {
    "relevance": N_("Más relevantes"),
    "price_asc": N_("Precio: menor a mayor"),
    "price_desc": N_("Precio: mayor a menor"),
    "newest": N_("Más recientes"),
    "rating": N_("Mejor calificados"),
    "distance": N_("Más cercanos"),
}


def _is_list(field: FieldInfo) -> bool:
    return get_origin(field.annotation) is list


# The API's parameters, by the names it takes (`q` for the text).
QUERY_PARAMS = {field.alias or name: _is_list(field) for name, field in SearchQuery.model_fields.items()}


def query_from_params(params: QueryParams) -> tuple[dict[str, Any], dict[str, str]]:
    """The page takes the parameters of GET /api/v1/search, by the same names, plus what a person types:
    `price_min` / `price_max` in pesos, and `near` (a state's INEGI code, or `location` with `lat` and
    `lng`). Empty fields are left out; errors for prices that cannot be read are returned apart."""
    fields: dict[str, Any] = {}
    for name, many in QUERY_PARAMS.items():
        if values := [v for v in params.getlist(name) if v.strip()]:
            fields[name] = values if many else values[0]
    errors: dict[str, str] = {}
    for param in ("price_min", "price_max"):
        if raw := params.get(param, "").strip():
            try:
                fields[f"{param}_cents"] = parse_pesos(raw)
            except ValueError:
                errors[param] = _("Escribe el precio en pesos, por ejemplo 185.50.")
    if "near" in params:  # the form's place selector decides; its radius and position count only with it
        near = params["near"]
        if near in STATES_BY_CODE:
            fields["lat"], fields["lng"] = STATES_BY_CODE[near].lat, STATES_BY_CODE[near].lng
        elif near != "location" or not ("lat" in fields and "lng" in fields):  # no position (yet)
            for name in ("lat", "lng", "radius_km"):
                fields.pop(name, None)
        if "lat" in fields:
            fields.setdefault("radius_km", DEFAULT_RADIUS_KM)
    return fields, errors


# What the search page filters by, by parameter name (the text and the order are not filters; the radius
# counts with a place only, which `near` and `lat` stand for).
FILTERS = (
    *FACET_FILTERS.values(),
    *("price_min", "price_max", "price_min_cents", "price_max_cents", "in_stock", "delivers_to"),
    *("organization", "near", "lat"),
)


def has_filters(params: QueryParams) -> bool:
    return any(value.strip() for name in FILTERS for value in params.getlist(name))


def clear_filters_query(params: QueryParams) -> str:
    """The address's query once every filter is cleared: the text and the order stay."""
    return urlencode([(k, v) for k, v in params.multi_items() if k in ("q", "sort") and v.strip()])


@router.get("/buscar", name="catalog.search_page")
def search_page(page: PageDep, search: SearchDep) -> Response:
    params = page.request.query_params
    fields, errors = query_from_params(params)
    # A facet value no vocabulary has (an old link) is left out, and said so; the API answers 422.
    fields, ignored = known_facet_values(fields)
    result, unavailable, query = None, False, None
    try:
        query = SearchQuery(**fields)
    except ValidationError as exc:
        errors |= field_errors(exc)
    if query and not errors:
        try:
            result = search.search(query)
        except SearchUnavailable:
            unavailable = True
    context = {
        "params": params,
        "query": query,
        "result": result,
        "errors": errors,
        "unavailable": unavailable,
        "sort_labels": SORT_LABELS,
        "popular": CATEGORIES[:6],
        "page_query": urlencode([(k, v) for k, v in params.multi_items() if k != "page"]),
        "chosen": {name: fields.get(name, []) for name in FACET_VALUES},
        "ignored": ignored,
        "filtered": has_filters(params),
        "clear_query": clear_filters_query(params),
        "fragment": page.is_htmx,
    }
    # htmx asks for the results alone, to swap them under the query box it keeps.
    template = "search/_results.html" if page.is_htmx else "search/page.html"
    return page.render(template, context, 503 if unavailable else 200)


@router.get("/buscar/sugerencias", name="catalog.suggestions")
def suggestions(page: PageDep, search: SearchDep, q: str = "") -> Response:
    """<option>s for the query box's <datalist>."""
    titles: list[str] = []
    if 2 <= len(q.strip()) <= 100:
        try:
            titles = search.suggest(q.strip())
        except SearchUnavailable:
            titles = []
    return page.render("search/_suggestions.html", {"titles": titles})
