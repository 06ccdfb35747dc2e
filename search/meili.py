"""Meilisearch engine on the official client. Index settings are code, applied idempotently; every write
waits for its task and checks the final status (a 202 only means "enqueued")."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterable
from typing import Any

import meilisearch
import orjson
from meilisearch.errors import MeilisearchApiError, MeilisearchCommunicationError, MeilisearchTimeoutError

from search.engine import (
    FACETS,
    POST,
    PRE,
    Hit,
    IndexState,
    SearchQuery,
    SearchResult,
    SearchUnavailable,
    TaskFailed,
    marked,
)
from search.geo import distance_km
from search.language import STOP_WORDS, synonyms_map

TASK_TIMEOUT_MS = 120_000
MAX_TOTAL_HITS = 10_000
PAGE_SIZE_FOR_IDS = 1000
REFUSED_STATUSES = {"400", "413", "422"}
ERRORS = (MeilisearchApiError, MeilisearchCommunicationError, MeilisearchTimeoutError)

INDEX_SETTINGS: dict[str, Any] = {
    "searchableAttributes": [
        "title",
        "category_name",
        "organization_name",
        "certification_names",
        "municipality",
        "state_name",
        "description",
    ],
    "filterableAttributes": [
        "id",  # deletes go by filter (deleting by a list of ids is deprecated in the client)
        "category",
        "state",
        "legal_form",
        "certifications",
        "kind",
        "delivery",
        "delivery_states",
        "price_cents",
        "in_stock",
        "organization_slug",
        "women_led",
        "indigenous",
        "_geo",
    ],
    "sortableAttributes": ["price_cents", "created_at", "rating", "review_count", "_geo"],
    # "sort" right after "words": a buyer sorting by price sees every full match in price order.
    "rankingRules": ["words", "sort", "typo", "proximity", "attribute", "exactness"],
    "localizedAttributes": [{"locales": ["spa"], "attributePatterns": ["*"]}],
    "stopWords": list(STOP_WORDS),
    "synonyms": synonyms_map(),
    "typoTolerance": {"enabled": True, "minWordSizeForTypos": {"oneTypo": 5, "twoTypos": 9}},
    "faceting": {"maxValuesPerFacet": 100, "sortFacetValuesBy": {"*": "count"}},
    "pagination": {"maxTotalHits": MAX_TOTAL_HITS},
}
SORTS = {
    "price_asc": ["price_cents:asc"],
    "price_desc": ["price_cents:desc"],
    "newest": ["created_at:desc"],
    "rating": ["rating:desc", "review_count:desc"],  # equal averages: the better-known first
}


ORDERED_SETTINGS = ("searchableAttributes", "rankingRules")  # in other lists Meilisearch keeps no order


def _canonical(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def covers(expected: Any, actual: Any, key: str = "") -> bool:
    """Whether the settings Meilisearch reports include the ones we set (it adds its defaults, and sorts
    the lists whose order means nothing)."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            covers(value, actual.get(name), name) for name, value in expected.items()
        )
    if isinstance(expected, list) and key not in ORDERED_SETTINGS and isinstance(actual, list):
        return sorted(map(_canonical, expected)) == sorted(map(_canonical, actual))
    return bool(expected == actual)


def _quote(value: str) -> str:
    """A filter string literal. Values are vocabulary codes already; escaping is belt and braces."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _any_of(attribute: str, values: Iterable[str]) -> str:
    return f"{attribute} IN [{', '.join(_quote(v) for v in values)}]"


def build_filter(query: SearchQuery) -> list[str | list[str]]:
    """Meilisearch filter: a list is AND; a nested list is OR."""
    clauses: list[str | list[str]] = []
    for attribute in FACETS:  # a facet's values OR-ed, facets AND-ed
        if values := query.selected(attribute):
            clauses.append(_any_of(attribute, values))
    if query.delivers_to:
        clauses.append([f"delivery_states = {_quote(query.delivers_to)}", 'delivery = "national"'])
    if query.price_min_cents is not None:
        clauses.append(f"price_cents >= {int(query.price_min_cents)}")
    if query.price_max_cents is not None:
        clauses.append(f"price_cents <= {int(query.price_max_cents)}")
    if query.in_stock:
        clauses.append("in_stock = true")
    if query.organization:
        clauses.append(f"organization_slug = {_quote(query.organization)}")
    if query.near and query.radius_km:
        clauses.append(
            f"_geoRadius({float(query.lat or 0)}, {float(query.lng or 0)}, {int(query.radius_km * 1000)})"
        )
    return clauses


def search_params(query: SearchQuery) -> dict[str, Any]:
    """The body of Meilisearch's search request for this query (besides `q`)."""
    params: dict[str, Any] = {
        "filter": build_filter(query),
        # A facet with a selection is counted apart, without its own filter (facet_params).
        "facets": [*(name for name in FACETS if not query.selected(name)), "price_cents"],
        "page": query.page,
        "hitsPerPage": query.per_page,
        "attributesToHighlight": ["title"],
        "attributesToCrop": ["description"],
        "cropLength": 24,
        "highlightPreTag": PRE,
        "highlightPostTag": POST,
        "attributesToRetrieve": [
            "id",
            "title",
            "description",
            "price_cents",
            "unit",
            "category",
            "kind",
            "state",
            "municipality",
            "organization_slug",
            "organization_name",
            "photo",
            "in_stock",
            "rating",
            "review_count",
        ],
    }
    if query.sort == "distance" or (query.sort == "relevance" and query.near and not query.text):
        params["sort"] = [f"_geoPoint({query.lat}, {query.lng}):asc"]
    elif query.sort in SORTS:
        params["sort"] = SORTS[query.sort]
    elif query.sort == "relevance" and not query.text:
        params["sort"] = SORTS["newest"]
    if query.near:
        params["attributesToRetrieve"].append("_geo")
    return params


def facet_params(query: SearchQuery, facet: str) -> dict[str, Any]:
    """A count-only query: `facet`'s distribution over the hits of `query` without that facet's filter."""
    return {"filter": build_filter(query.without(facet)), "facets": [facet], "limit": 0}


class MeiliEngine:
    name = "meilisearch"

    def __init__(self, url: str, api_key: str | None, index: str = "listings", timeout_s: int = 10) -> None:
        self.url, self.api_key, self.timeout_s = url, api_key, timeout_s
        self.uid = index
        self._local = threading.local()

    @property
    def client(self) -> meilisearch.Client:
        """One client per thread: the official client changes its shared headers on every request, so
        the request threads and the worker must not share one."""
        client: meilisearch.Client | None = getattr(self._local, "client", None)
        if client is None:
            client = self._local.client = meilisearch.Client(self.url, self.api_key, timeout=self.timeout_s)
        return client

    # --- writes -----------------------------------------------------------------------------------

    def _wait(self, task_uid: int) -> None:
        task = self.client.wait_for_task(task_uid, timeout_in_ms=TASK_TIMEOUT_MS, interval_in_ms=25)
        if task.status != "succeeded":
            raise TaskFailed(f"task {task_uid} {task.status}: {task.error}")

    def _call(self, operation: Any, *args: Any) -> Any:
        try:
            return operation(*args)
        except MeilisearchApiError as exc:
            if str(exc.status_code) in REFUSED_STATUSES:  # the request itself is wrong: the events' fault
                raise TaskFailed(str(exc)) from exc
            raise SearchUnavailable(str(exc)) from exc
        except ERRORS as exc:
            raise SearchUnavailable(str(exc)) from exc

    def _create(self, uid: str) -> None:
        try:
            self._wait(self.client.create_index(uid, {"primaryKey": "id"}).task_uid)
        except TaskFailed as exc:
            if "index_already_exists" not in str(exc):
                raise

    def _create_with_settings(self, uid: str) -> None:
        self._create(uid)
        self._wait(self.client.index(uid).update_settings(INDEX_SETTINGS).task_uid)

    def ensure_ready(self) -> None:
        self._call(self._create_with_settings, self.uid)

    def _live_index(self) -> Any:
        """The live index, which must exist: Meilisearch would create a missing one on the first document
        added, without its settings (after a restart on an empty data directory, say). SearchUnavailable
        then, until the index is rebuilt with them (market.catalog.search_index.rebuild_if_lost)."""
        return self.client.get_index(self.uid)  # 404 index_not_found: SearchUnavailable through _call

    def upsert(self, documents: list[dict[str, Any]]) -> None:
        if documents:
            self._call(lambda: self._wait(self._live_index().add_documents(documents, "id").task_uid))

    def delete(self, ids: list[int]) -> None:
        if ids:
            id_filter = f"id IN [{', '.join(str(int(i)) for i in ids)}]"
            self._call(lambda: self._wait(self._live_index().delete_documents(filter=id_filter).task_uid))

    def rebuild(self, batches: Iterable[list[dict[str, Any]]], expected: int, progress: Any = None) -> int:
        """New index -> settings -> documents -> verify the count -> swap -> delete the old one."""
        staging = f"{self.uid}_build_{int(time.time() * 1000)}"
        try:
            self._create_with_settings(staging)
            index = self.client.index(staging)
            tasks = []
            for batch in batches:  # enqueue while the next batch is built; Meilisearch indexes meanwhile
                tasks.append(index.add_documents_raw(orjson.dumps(batch), "id", "application/json").task_uid)
                if progress:
                    progress(len(batch))
            for task_uid in tasks:
                self._wait(task_uid)
            count = index.get_stats().number_of_documents
            if count != expected:
                raise RuntimeError(f"the new index holds {count} documents, the database {expected}")
            self._create(self.uid)  # the live index must exist to be swapped; its settings are replaced too
            self._wait(self.client.swap_indexes([{"indexes": [self.uid, staging]}]).task_uid)
        except ERRORS as exc:
            raise SearchUnavailable(str(exc)) from exc
        finally:
            with contextlib.suppress(*ERRORS):
                self.client.delete_index(staging)  # after the swap this holds the old documents
        return count

    # --- reads ------------------------------------------------------------------------------------

    def healthy(self) -> bool:
        try:
            return bool(self.client.is_healthy())
        except ERRORS:
            return False

    def index_state(self) -> IndexState:
        try:
            index = self.client.get_index(self.uid)
        except MeilisearchApiError as exc:
            if exc.code == "index_not_found":
                return IndexState(exists=False, settings_current=False, documents=0)
            raise SearchUnavailable(str(exc)) from exc
        except ERRORS as exc:
            raise SearchUnavailable(str(exc)) from exc
        try:
            settings, stats = index.get_settings(), index.get_stats()
        except ERRORS as exc:
            raise SearchUnavailable(str(exc)) from exc
        return IndexState(
            exists=True,
            settings_current=covers(INDEX_SETTINGS, settings),
            documents=stats.number_of_documents,
        )

    def indexed_versions(self) -> dict[int, str]:
        versions: dict[int, str] = {}
        index = self.client.index(self.uid)
        offset = 0
        try:
            while True:
                page = index.get_documents(
                    {"fields": ["id", "version"], "limit": PAGE_SIZE_FOR_IDS, "offset": offset}
                )
                for document in page.results:
                    data = dict(document)
                    versions[int(data["id"])] = str(data.get("version", ""))
                offset += PAGE_SIZE_FOR_IDS
                if offset >= page.total:
                    return versions
        except ERRORS as exc:
            raise SearchUnavailable(str(exc)) from exc

    def search(self, query: SearchQuery) -> SearchResult:
        # One request: the hits, plus (disjunctive facets) one count-only query per facet with a
        # selection, on every filter but that facet's own.
        chosen = [name for name in FACETS if query.selected(name)]
        queries = [{"indexUid": self.uid, "q": query.text, **search_params(query)}]
        queries += [{"indexUid": self.uid, "q": query.text, **facet_params(query, name)} for name in chosen]
        started = time.perf_counter()
        try:
            raw, *counted = self.client.multi_search(queries)["results"]
        except ERRORS as exc:
            raise SearchUnavailable(str(exc)) from exc
        took_ms = (time.perf_counter() - started) * 1000
        facets = raw.get("facetDistribution", {})
        for name, counts in zip(chosen, counted, strict=True):
            facets[name] = counts.get("facetDistribution", {}).get(name, {})
        price_stats = raw.get("facetStats", {}).get("price_cents", {})
        return SearchResult(
            hits=[self._hit(h, query) for h in raw["hits"]],
            total=raw.get("totalHits", 0),
            page=query.page,
            per_page=query.per_page,
            facets={name: facets.get(name, {}) for name in FACETS},
            price_min_cents=int(price_stats["min"]) if "min" in price_stats else None,
            price_max_cents=int(price_stats["max"]) if "max" in price_stats else None,
            engine=self.name,
            took_ms=round(took_ms, 2),
        )

    @staticmethod
    def _hit(raw: dict[str, Any], query: SearchQuery) -> Hit:
        formatted = raw.get("_formatted", {})
        distance = raw.get("_geoDistance")
        if distance is None and query.near and raw.get("_geo"):
            distance = 1000 * distance_km(
                query.lat or 0, query.lng or 0, raw["_geo"]["lat"], raw["_geo"]["lng"]
            )
        return Hit(
            id=int(raw["id"]),
            title=raw["title"],
            title_html=marked(formatted.get("title", raw["title"])),
            snippet_html=marked(formatted.get("description", raw.get("description", ""))),
            price_cents=raw["price_cents"],
            unit=raw["unit"],
            category=raw["category"],
            kind=raw["kind"],
            state=raw["state"],
            municipality=raw["municipality"],
            organization_slug=raw["organization_slug"],
            organization_name=raw["organization_name"],
            photo=raw.get("photo"),
            in_stock=raw["in_stock"],
            rating=raw.get("rating") or 0.0,
            review_count=raw.get("review_count") or 0,
            distance_km=round(distance / 1000, 1) if distance is not None else None,
        )

    def suggest(self, prefix: str, limit: int = 8) -> list[str]:
        try:
            raw = self.client.index(self.uid).search(
                prefix, {"limit": limit * 2, "attributesToRetrieve": ["title"]}
            )
        except ERRORS as exc:
            raise SearchUnavailable(str(exc)) from exc
        titles: list[str] = []
        for hit in raw["hits"]:
            if hit["title"] not in titles:
                titles.append(hit["title"])
        return titles[:limit]
