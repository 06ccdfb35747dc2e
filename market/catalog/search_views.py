"""The search page: a query box that updates results as you type (htmx), facets, price range, sort,
pagination, "near me / near a state". Without JavaScript it is a plain GET form."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.datastructures import QueryParams

from market.accounts.models import User
from market.catalog.taxonomy import CATEGORIES
from market.i18n import N_
from market.i18n import gettext as _
from market.mexico import STATES_BY_CODE
from market.money import parse_pesos
from market.validation import field_errors
from market.web import current_user, render
from search.engine import SearchQuery, SearchUnavailable

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


def query_from_params(params: QueryParams) -> tuple[dict[str, Any], dict[str, str]]:
    """Spanish URL parameters (what the form sends) -> SearchQuery fields, plus errors for prices that
    cannot be read."""
    fields: dict[str, Any] = {
        "text": params.get("q", ""),
        "category": params.getlist("categoria"),
        "state": params.getlist("estado"),
        "legal_form": params.getlist("forma"),
        "certification": params.getlist("cert"),
        "delivery": params.getlist("entrega"),
        "kind": params.get("tipo") or None,
        "delivers_to": params.get("entrega_en") or None,
        "in_stock": params.get("disponible") in ("1", "on"),
        "organization": params.get("productor") or None,
        "sort": params.get("orden") or "relevance",
        "page": params.get("pagina") or 1,
    }
    errors: dict[str, str] = {}
    for param, field in (("precio_min", "price_min_cents"), ("precio_max", "price_max_cents")):
        if raw := params.get(param, "").strip():
            try:
                fields[field] = parse_pesos(raw)
            except ValueError:
                errors[param] = _("Escribe el precio en pesos, por ejemplo 185.50.")
    near = params.get("cerca", "")
    if near == "ubicacion" and params.get("lat") and params.get("lng"):
        fields["lat"], fields["lng"] = params.get("lat"), params.get("lng")
    elif near in STATES_BY_CODE:
        fields["lat"], fields["lng"] = STATES_BY_CODE[near].lat, STATES_BY_CODE[near].lng
    if "lat" in fields:
        fields["radius_km"] = params.get("radio") or DEFAULT_RADIUS_KM
    return fields, errors


@router.get("/buscar")
def search_page(request: Request, user: User | None = Depends(current_user)) -> Response:
    params = request.query_params
    fields, errors = query_from_params(params)
    result, unavailable, query = None, False, None
    try:
        query = SearchQuery(**fields)
    except ValidationError as exc:
        errors |= field_errors(exc)
    if query and not errors:
        try:
            result = request.app.state.search.search(query)
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
        "page_query": urlencode([(k, v) for k, v in params.multi_items() if k != "pagina"]),
    }
    template = "search/_results.html" if request.headers.get("hx-request") else "search/page.html"
    return render(request, template, context, 503 if unavailable else 200, user)


@router.get("/buscar/sugerencias")
def suggestions(request: Request, q: str = "") -> Response:
    """<option>s for the query box's <datalist>."""
    titles: list[str] = []
    if 2 <= len(q.strip()) <= 100:
        try:
            titles = request.app.state.search.suggest(q.strip())
        except SearchUnavailable:
            titles = []
    return render(request, "search/_suggestions.html", {"titles": titles})
