"""Query building for the embedded engine: FTS5 match expressions with synonyms, snippets, and the SQL
filters (bound parameters only: no value ever enters the SQL text)."""

from __future__ import annotations

import html
import math
import re
from collections.abc import Sequence
from typing import Any

from search.engine import FACETS, POST, PRE, SearchQuery
from search.geo import EARTH_RADIUS_KM, distance_km
from search.language import SYNONYM_GROUPS, fold

PLAIN_SNIPPET_CHARS = 160
TAGS = ("certifications", "delivery", "delivery_states")  # multi-valued attributes, in the tags table


# --- text -----------------------------------------------------------------------------------------------


def fold_key(word: str) -> str:
    """Synonyms are matched as the tokenizer compares words: folded, and ñ as n ("cabañas" ~ "cabanas")."""
    return fold(word).replace("ñ", "n")


SYNONYMS: dict[str, tuple[str, ...]] = {
    fold_key(word): tuple(other for other in group if other != word)
    for group in SYNONYM_GROUPS
    for word in group
}
TOKEN = re.compile(r"[0-9a-zñ]+")  # as language.words(), keeping stop words: "de" may be a prefix
MAX_WORDS = 10  # as Meilisearch, which ignores the words of a query after its tenth


def alternatives(word: str, variants: Sequence[str] = ()) -> str:
    """What one query word matches: itself as a prefix and its synonyms, or else (a word the index does not
    hold) the indexed words within the typos it allows, and theirs."""
    # words() yields [0-9a-zñ]+ only, so the quotes cannot be broken; synonyms are phrases, not prefixes.
    phrases = [f'"{word}"*', *(f'"{a}"' for a in SYNONYMS.get(fold_key(word), ()))]
    for variant in variants:
        phrases += [f'"{variant}"', *(f'"{a}"' for a in SYNONYMS.get(variant, ()))]
    unique = list(dict.fromkeys(phrases))
    return unique[0] if len(unique) == 1 else "(" + " OR ".join(unique) + ")"


def exactly(word: str, variants: Sequence[str] = ()) -> str:
    """The word as typed (or the words its typos stand for): no prefix, no synonym, for "exactness"."""
    phrases = list(dict.fromkeys(f'"{w}"' for w in (word, *variants)))
    return phrases[0] if len(phrases) == 1 else "(" + " OR ".join(phrases) + ")"


def match_expression(groups: Sequence[str]) -> str:
    """Documents that have every word (each group is one word's alternatives)."""
    return " AND ".join(groups)


def ranking_expression(groups: Sequence[str]) -> str:
    """Documents that have the first word, as Meilisearch's matchingStrategy "last" finds them (it drops
    words from the end, never the first), with every word's phrases in the expression so that bm25 scores
    and highlight() marks them all. The first word appears twice, so its matches weigh double: the
    earlier words matter more, as that strategy has it."""
    if len(groups) <= 1:
        return match_expression(groups)
    return f"{groups[0]} AND ({' OR '.join(groups)})"


def plain_snippet(description: str) -> str:
    if len(description) <= PLAIN_SNIPPET_CHARS:
        return html.escape(description)
    cut = description[:PLAIN_SNIPPET_CHARS].rsplit(" ", 1)[0] or description[:PLAIN_SNIPPET_CHARS]
    return html.escape(cut.rstrip(" ,.;:")) + "…"


def without_sentinels(text: str) -> str:
    return text.replace(PRE, "").replace(POST, "")  # a stored sentinel would become a stray <mark>


def unit_vector(lat: float, lng: float) -> tuple[float, float, float]:
    phi, lam = math.radians(lat), math.radians(lng)
    return math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi)


def haversine(lat: float | None, lng: float | None, lat0: float, lng0: float) -> float | None:
    return None if lat is None or lng is None else distance_km(lat, lng, lat0, lng0)


# --- filters --------------------------------------------------------------------------------------------


class Where:
    """An AND of SQL conditions over `docs d`, with their bound parameters (values never enter the SQL)."""

    def __init__(self, clauses: Sequence[str] = (), params: Sequence[Any] = ()) -> None:
        self.clauses, self.params = list(clauses), list(params)

    def add(self, clause: str, *params: Any) -> None:
        self.clauses.append(clause)
        self.params.extend(params)

    def plus(self, clause: str, *params: Any) -> Where:
        return Where([*self.clauses, clause], [*self.params, *params])

    @property
    def sql(self) -> str:
        return " AND ".join(self.clauses) or "1"


def placeholders(values: Sequence[Any]) -> str:
    return ", ".join("?" * len(values))


def filters(query: SearchQuery) -> Where:
    where = Where()
    for attr in FACETS:  # a facet's values OR-ed, facets AND-ed
        if not (values := query.selected(attr)):
            continue
        if attr in TAGS:
            sql = f"d.id IN (SELECT doc_id FROM tags WHERE attr = ? AND value IN ({placeholders(values)}))"
            where.add(sql, attr, *values)
        else:
            where.add(f"d.{attr} IN ({placeholders(values)})", *values)
    if query.delivers_to:
        where.add(
            "d.id IN (SELECT doc_id FROM tags WHERE (attr = ? AND value = ?) OR (attr = ? AND value = ?))",
            *("delivery_states", query.delivers_to, "delivery", "national"),
        )
    if query.price_min_cents is not None:
        where.add("d.price_cents >= ?", query.price_min_cents)
    if query.price_max_cents is not None:
        where.add("d.price_cents <= ?", query.price_max_cents)
    if query.in_stock:
        where.add("d.in_stock = 1")
    if query.organization:
        where.add("d.organization_slug = ?", query.organization)
    if query.lat is not None and query.lng is not None and query.radius_km:
        _within(where, query.lat, query.lng, query.radius_km)
    return where


def _within(where: Where, lat: float, lng: float, radius_km: float) -> None:
    # A bounding box on indexed columns first, so that the exact distance (Python) runs on few rows.
    angle = radius_km / EARTH_RADIUS_KM
    dlat = math.degrees(angle)
    where.add("d.lat BETWEEN ? AND ?", lat - dlat, lat + dlat)
    if abs(lat) + dlat < 90:  # the circle does not reach a pole
        dlng = math.degrees(math.asin(min(1.0, math.sin(angle) / math.cos(math.radians(lat)))))
        if lng - dlng >= -180 and lng + dlng <= 180:  # nor cross the antimeridian
            where.add("d.lng BETWEEN ? AND ?", lng - dlng, lng + dlng)
    where.add("haversine(d.lat, d.lng, ?, ?) <= ?", lat, lng, radius_km)
