"""Search engines behind one interface (`engine.SearchEngine`): Meilisearch (`meili`) and an embedded SQLite
FTS5 engine (`embedded`). They index documents and answer queries; they import nothing from `market/`,
which builds the documents (`market.catalog.search_documents`) and picks the engine
(`market.catalog.search_index.engine_for`)."""
