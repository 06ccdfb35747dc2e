"""Search engines behind one interface (Meilisearch in production, SQLite FTS5 embedded)."""
