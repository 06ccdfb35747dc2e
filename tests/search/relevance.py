"""The shared relevance set (relevance.json) and how an engine is scored on it: for each query a buyer might
type, whether one of the listings a good answer shows is among the first K results (found@K), and what
share of those first K results are such listings (precision@K). Used by test_relevance.py and
bench/relevance.py, on the demo catalogue."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from market.catalog.models import Listing
from search.engine import SearchEngine, SearchQuery

K = 3  # a phone shows about three results without scrolling
CASES: list[dict[str, Any]] = json.loads((Path(__file__).with_name("relevance.json")).read_text())["cases"]


@dataclass(frozen=True)
class Score:
    found_at_k: float  # share of the queries with an expected listing in the first K results
    precision_at_k: float  # mean share of the first K results that are expected listings
    misses: list[str]  # the queries without any expected listing in the first K

    def figures(self, prefix: str) -> dict[str, Any]:
        return {
            f"{prefix}_found_at_{K}": round(self.found_at_k, 3),
            f"{prefix}_precision_at_{K}": round(self.precision_at_k, 3),
            f"{prefix}_misses": self.misses,
        }


def slugs_by_id(engine: Engine) -> dict[int, str]:
    with Session(engine) as session:
        return {id_: slug for id_, slug in session.exec(select(Listing.id, Listing.slug)) if id_ is not None}


def score(search: SearchEngine, slugs: Mapping[int, str]) -> Score:
    found, precisions, misses = 0, [], []
    for case in CASES:
        expected = set(case["expected"])
        top = [slugs[hit.id] for hit in search.search(SearchQuery(text=case["q"], per_page=K)).hits]
        relevant = sum(slug in expected for slug in top)
        found += relevant > 0
        precisions.append(relevant / min(K, len(expected)))  # one expected listing: 1 when it is shown
        if not relevant:
            misses.append(case["q"])
    return Score(found / len(CASES), sum(precisions) / len(CASES), misses)
