"""Relevance of both search engines on the shared set (tests/search/relevance.json) over the demo catalogue.

    .venv/bin/python bench/relevance.py

It loads the demo into a temporary SQLite database, indexes it into the embedded engine and into the pinned
Meilisearch binary (started on a free loopback port with a temporary data dir), scores each engine as
tests/search/test_relevance.py does, removes everything and prints, as the last stdout line, one JSON
object: each engine's found@3 (share of queries with an expected listing in the first three results),
precision@3 and the queries it missed.
"""

from __future__ import annotations

import sys
from pathlib import Path

# As bench/search.py: the checkout's root in place of bench/, so that `search` is the app's package.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from typing import Any  # noqa: E402

from sqlmodel import Session  # noqa: E402

from bench.common import log, run_and_report  # noqa: E402
from bench.search import meilisearch_server  # noqa: E402
from market.catalog.search_index import reindex  # noqa: E402
from market.db import make_engine  # noqa: E402
from market.migrate import upgrade  # noqa: E402
from market.seed import load_demo  # noqa: E402
from search.embedded import EmbeddedEngine  # noqa: E402
from search.engine import SearchEngine  # noqa: E402
from search.meili import MeiliEngine  # noqa: E402
from tests.search.relevance import CASES, score, slugs_by_id  # noqa: E402


def run(workdir: Path) -> dict[str, Any]:
    url = f"sqlite:///{workdir / 'market.db'}"
    upgrade(url)
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            load_demo(session)
            session.commit()
        slugs = slugs_by_id(engine)
        figures: dict[str, Any] = {"queries": len(CASES)}
        with meilisearch_server(workdir, ["--max-indexing-memory", "1Gb"]) as meili:
            engines: list[SearchEngine] = [
                EmbeddedEngine(workdir / "search.db"),
                MeiliEngine(meili.url, meili.key, "relevance"),
            ]
            for search in engines:
                search.ensure_ready()
                reindex(engine, search)
                result = score(search, slugs)
                log(
                    f"{search.name}: found@3 {result.found_at_k:.3f}, precision@3 {result.precision_at_k:.3f}"
                )
                figures |= result.figures(search.name)
        return figures
    finally:
        engine.dispose()


if __name__ == "__main__":
    sys.exit(run_and_report(run, "bench-relevance-"))
