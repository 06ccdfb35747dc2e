"""Search engines behind one interface: Meilisearch when MEILI_URL is set, SQLite FTS5 otherwise."""

from __future__ import annotations

from market.config import Settings
from search.engine import SearchEngine


def engine_for(settings: Settings) -> SearchEngine:
    if settings.meili_url:
        from search.meili import MeiliEngine

        return MeiliEngine(settings.meili_url, settings.meili_master_key, settings.meili_index)
    from search.embedded import EmbeddedEngine

    return EmbeddedEngine(settings.search_db_path)
