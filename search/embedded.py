"""SQLite FTS5 search engine: the zero-setup default when Meilisearch is not configured.

Its own SQLite file holds `docs` (one narrow row per document: the columns filters, sorts and facets read),
`bodies` (the document as JSON, read only for the page shown), `tags` (multi-valued attributes, indexed
for filters) and `fts` (full text, rowid = docs.id). Every operation opens a short-lived connection, so the
engine is safe to call from a thread pool.

Zero-downtime rebuilds: the live path is a symlink to a generation file (`search.db` -> `search.db.<stamp>`).
A rebuild writes a new generation beside it, then atomically replaces the symlink with `os.replace`.
Replacing a WAL database *file* in place is not safe: SQLite names the `-wal` and `-shm` files after the
path, so connections to the new file would share the old file's WAL and corrupt it. Each generation has
its own, and connections already open keep reading the old generation until they close."""

from __future__ import annotations

import contextlib
import glob
import html
import json
import os
import sqlite3
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

from search.embedded_query import (
    MAX_WORDS,
    TAGS,
    TOKEN,
    Where,
    alternatives,
    exactly,
    filters,
    fold_key,
    haversine,
    match_expression,
    placeholders,
    plain_snippet,
    ranking_expression,
    unit_vector,
    without_sentinels,
)
from search.engine import (
    FACETS,
    POST,
    PRE,
    Hit,
    IndexState,
    SearchQuery,
    SearchResult,
    SearchUnavailable,
    marked,
)
from search.geo import distance_km
from search.language import STOP_WORDS, fold, words
from search.typos import allowed_typos, closest, first_letter_changed

# bm25 weights of the fts columns: title, category_name, organization_name, certification_names, place,
# description.
WEIGHTS = (10.0, 3.0, 5.0, 2.0, 2.0, 1.0)
SNIPPET_TOKENS = 24  # as Meilisearch's cropLength
COLUMN_FACETS = ("category", "state", "legal_form", "kind")  # single-valued: columns of docs
TAG_FACETS = tuple(f for f in FACETS if f not in COLUMN_FACETS)  # multi-valued: certifications, delivery
SEP = "\x1f"  # between the "attr=value" items of docs.facet_tags
BUSY_TIMEOUT_S = 10.0
MMAP_BYTES = 256 * 1024 * 1024  # connections are short-lived: mapped pages beat a cold page cache
OPEN_ATTEMPTS = 3
HIT_FIELDS = tuple(f for f in Hit.model_fields if f not in ("title_html", "snippet_html", "distance_km"))
CACHED_SUMMARIES = 256
SUGGEST_WINDOW = 8  # ranked titles read per suggestion wanted, before removing duplicates

DOC_COLUMNS = (
    *("id", *COLUMN_FACETS, "price_cents", "in_stock", "organization_slug", "created_at", "rating"),
    "review_count",
    *("lat", "lng", "x", "y", "z", "facet_tags", "version"),
)
SCHEMA = """
CREATE TABLE IF NOT EXISTS docs (
    id INTEGER PRIMARY KEY,
    category TEXT NOT NULL, state TEXT NOT NULL, legal_form TEXT NOT NULL, kind TEXT NOT NULL,
    price_cents INTEGER NOT NULL, in_stock INTEGER NOT NULL, organization_slug TEXT NOT NULL,
    created_at INTEGER NOT NULL, rating REAL NOT NULL, review_count INTEGER NOT NULL DEFAULT 0,
    lat REAL, lng REAL,
    x REAL, y REAL, z REAL,  -- the point on the unit sphere: the squared chord orders by true distance
    facet_tags TEXT NOT NULL,  -- "attr=value" of its certifications and delivery, for facet counts
    version TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS docs_facets ON docs (category, state, legal_form, kind, price_cents);
CREATE INDEX IF NOT EXISTS docs_facet_tags ON docs (facet_tags);
CREATE INDEX IF NOT EXISTS docs_price ON docs (price_cents);
CREATE INDEX IF NOT EXISTS docs_created ON docs (created_at);
CREATE INDEX IF NOT EXISTS docs_rating ON docs (rating, review_count);
CREATE INDEX IF NOT EXISTS docs_organization ON docs (organization_slug);
CREATE INDEX IF NOT EXISTS docs_geo ON docs (lat, lng);
CREATE TABLE IF NOT EXISTS bodies (id INTEGER PRIMARY KEY, document TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tags (
    attr TEXT NOT NULL, value TEXT NOT NULL, doc_id INTEGER NOT NULL, PRIMARY KEY (attr, value, doc_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS tags_doc ON tags (doc_id);
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(
    title, category_name, organization_name, certification_names, place, description,
    tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
);
CREATE VIRTUAL TABLE IF NOT EXISTS fts_vocab USING fts5vocab(fts, row);  -- the indexed words, for typos
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO meta (key, value) VALUES ('generation', 0);  -- bumped by every write
"""

SORTS = {  # ORDER BY of each sort over docs d; the id breaks ties so that pages never overlap
    "newest": "d.created_at DESC, d.id DESC",
    "price_asc": "d.price_cents ASC, d.id DESC",
    "price_desc": "d.price_cents DESC, d.id DESC",
    "rating": "d.rating DESC, d.review_count DESC, d.id DESC",  # equal averages: the better-known first
    # Documents without a point go last. Plain arithmetic: no function call per row.
    "distance": "d.x IS NULL, (d.x - ?) * (d.x - ?) + (d.y - ?) * (d.y - ?) + (d.z - ?) * (d.z - ?),"
    " d.id DESC",
}


# --- writing --------------------------------------------------------------------------------------------


def _write(db: sqlite3.Connection, documents: list[dict[str, Any]]) -> None:
    """Replace these documents in every table (inside the caller's transaction)."""
    ids = [(int(doc["id"]),) for doc in documents]
    _delete(db, ids)
    db.executemany(
        f"INSERT INTO docs ({', '.join(DOC_COLUMNS)}) VALUES ({placeholders(DOC_COLUMNS)})",
        [_row(doc) for doc in documents],
    )
    db.executemany(
        "INSERT INTO bodies (id, document) VALUES (?, ?)",
        [(int(doc["id"]), json.dumps(doc, ensure_ascii=False, separators=(",", ":"))) for doc in documents],
    )
    db.executemany(
        "INSERT OR IGNORE INTO tags (attr, value, doc_id) VALUES (?, ?, ?)",
        [
            (attr, str(value), int(doc["id"]))
            for doc in documents
            for attr in TAGS
            for value in doc.get(attr) or ()
        ],
    )
    db.executemany(
        "INSERT INTO fts (rowid, title, category_name, organization_name, certification_names, place,"
        " description) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (
                int(doc["id"]),
                *(
                    without_sentinels(doc.get(field) or "")
                    for field in ("title", "category_name", "organization_name")
                ),
                without_sentinels(" · ".join(doc.get("certification_names") or ())),
                without_sentinels(
                    ", ".join(p for p in (doc.get("municipality"), doc.get("state_name")) if p)
                ),
                without_sentinels(doc.get("description") or ""),
            )
            for doc in documents
        ],
    )


def _delete(db: sqlite3.Connection, ids: list[tuple[int]]) -> None:
    for table, column in (("docs", "id"), ("bodies", "id"), ("tags", "doc_id"), ("fts", "rowid")):
        db.executemany(f"DELETE FROM {table} WHERE {column} = ?", ids)


def _row(doc: dict[str, Any]) -> tuple[Any, ...]:
    geo = doc.get("_geo") or {}
    lat, lng = geo.get("lat"), geo.get("lng")
    point = unit_vector(lat, lng) if lat is not None and lng is not None else (None, None, None)
    facet_tags = SEP.join(
        f"{attr}={value}" for attr in TAG_FACETS for value in sorted(set(doc.get(attr) or ()))
    )
    return (
        int(doc["id"]),
        *(str(doc[c]) for c in COLUMN_FACETS),
        int(doc["price_cents"]),
        1 if doc["in_stock"] else 0,
        str(doc["organization_slug"]),
        int(doc["created_at"]),
        float(doc.get("rating") or 0),
        int(doc.get("review_count") or 0),
        lat,
        lng,
        *point,
        facet_tags,
        str(doc.get("version", "")),
    )


def _add_review_count(db: sqlite3.Connection) -> None:
    """Index files written before reviews lack `review_count`: add it (0 until the listing's next sync or
    a reindex) and rebuild the rating index on both columns."""
    if "review_count" in {row[1] for row in db.execute("PRAGMA table_info(docs)")}:
        return
    db.execute("BEGIN IMMEDIATE")  # two processes starting at once: the second sees the column
    try:
        if "review_count" not in {row[1] for row in db.execute("PRAGMA table_info(docs)")}:
            db.execute("ALTER TABLE docs ADD COLUMN review_count INTEGER NOT NULL DEFAULT 0")
            db.execute("DROP INDEX IF EXISTS docs_rating")
            db.execute("CREATE INDEX docs_rating ON docs (rating, review_count)")
        db.execute("COMMIT")
    except sqlite3.Error:
        db.execute("ROLLBACK")
        raise


def _delete_files(path: Path, sidecars_only: bool = False) -> None:
    """A database file (unless `sidecars_only`), its WAL and journal files, and a link being built to it."""
    names = [path.name + suffix for suffix in ("-wal", "-shm", "-journal", ".link")]
    for name in names if sidecars_only else [path.name, *names]:
        with contextlib.suppress(FileNotFoundError):
            path.with_name(name).unlink()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _open(path: Path, create: bool = False) -> sqlite3.Connection:
    db = sqlite3.connect(
        f"{path.as_uri()}?mode={'rwc' if create else 'rw'}",
        uri=True,
        timeout=BUSY_TIMEOUT_S,
        isolation_level=None,  # explicit BEGIN / COMMIT
        check_same_thread=False,
    )
    db.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
    db.create_function("haversine", 4, haversine, deterministic=True)
    return db


def _build(path: Path, batches: Iterable[list[dict[str, Any]]], expected: int, progress: Any) -> int:
    with contextlib.closing(_open(path, create=True)) as db:
        # Nobody reads this file yet: no journal and no fsync until it is complete.
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("PRAGMA synchronous = OFF")
        db.executescript(SCHEMA)
        db.execute("BEGIN")
        for batch in batches:
            _write(db, batch)
            if progress:
                progress(len(batch))
        db.execute("COMMIT")
        count = int(db.execute("SELECT count(*) FROM docs").fetchone()[0])
        if count != expected:
            raise RuntimeError(f"the new search index holds {count} documents, expected {expected}")
        db.execute("INSERT INTO fts (fts) VALUES ('optimize')")  # one segment: faster queries
        db.execute("ANALYZE")  # statistics for the query planner
        db.execute("PRAGMA journal_mode = WAL")
    _fsync(path)
    return count


# --- what a query costs a pass over all its hits to know --------------------------------------------------


class Summary(NamedTuple):
    groups: tuple[str, ...]  # the FTS5 alternatives of each query word (typos corrected)
    exact: tuple[str, ...]  # each word as typed (or its corrections), without prefixes or synonyms
    total: int
    facets: dict[str, dict[str, int]]
    price_min_cents: int | None
    price_max_cents: int | None


class SummaryCache:
    """Summaries by (index generation, query). Paging, re-sorting and the unfiltered landing page ask for
    the same ones again; every write bumps the generation, which retires all entries at once."""

    def __init__(self, size: int = CACHED_SUMMARIES) -> None:
        self._items: OrderedDict[tuple[Any, ...], Summary] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> Summary | None:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
            return self._items.get(key)

    def put(self, key: tuple[Any, ...], summary: Summary) -> None:
        with self._lock:
            self._items[key] = summary
            while len(self._items) > self._size:
                self._items.popitem(last=False)


# --- the engine -----------------------------------------------------------------------------------------


class EmbeddedEngine:
    name = "embedded"

    def __init__(self, path: Path) -> None:
        self.path = Path(path).absolute()
        self._ready = False
        self._summaries = SummaryCache()

    def _target(self) -> Path:
        """The generation the live path points to now (the path itself before the first rebuild)."""
        return Path(os.path.realpath(self.path))

    def _connect(self) -> tuple[sqlite3.Connection, Path]:
        if not self._ready:
            self.ensure_ready()
        for attempt in range(OPEN_ATTEMPTS):
            target, db = self._target(), None
            try:
                db = _open(target)
                # Open the WAL files now: once open they stay usable even if a rebuild removes this
                # generation, but a connection that first touches them after the removal fails.
                db.execute("SELECT value FROM meta").fetchall()
                return db, target
            except sqlite3.Error:
                if db is not None:
                    db.close()
                if attempt == OPEN_ATTEMPTS - 1:
                    raise
                if self._target() == target:  # not swapped: deleted by hand? recreate an empty index
                    self.ensure_ready()
        raise AssertionError("unreachable")

    @contextlib.contextmanager
    def _reading(self) -> Iterator[tuple[sqlite3.Connection, Path]]:
        """One read transaction, so that all the queries of an operation see the same snapshot."""
        try:
            db, target = self._connect()
            try:
                db.execute("BEGIN")
                yield db, target
                db.execute("COMMIT")
            finally:
                db.close()
        except sqlite3.Error as exc:
            raise SearchUnavailable(f"embedded search failed: {exc}") from exc

    @contextlib.contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        """A write transaction on the live generation. A rebuild swaps the link while it holds the old
        generation's write lock, so once we hold the lock and the link still points to our file, no
        write can be lost in a generation that is no longer live."""
        try:
            for _attempt in range(OPEN_ATTEMPTS):
                db, target = self._connect()
                try:
                    db.execute("BEGIN IMMEDIATE")
                    if self._target() != target:
                        continue  # swapped meanwhile: write to the new generation
                    db.execute("UPDATE meta SET value = value + 1 WHERE key = 'generation'")
                    yield db
                    db.execute("COMMIT")
                    return
                finally:
                    if db.in_transaction:
                        db.execute("ROLLBACK")
                    db.close()
            raise sqlite3.OperationalError("the index was swapped repeatedly during a write")
        except sqlite3.Error as exc:
            raise SearchUnavailable(f"embedded search failed: {exc}") from exc

    # --- setup and writes -------------------------------------------------------------------------------

    def ensure_ready(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if os.path.islink(self.path) and not self.path.exists():
                self.path.unlink()  # its generation was deleted by hand: start an empty index
            # Only a missing live path is created, never a generation a rebuild has just removed.
            with contextlib.closing(_open(self._target(), create=not self.path.exists())) as db:
                db.execute("PRAGMA journal_mode = WAL")
                db.executescript(SCHEMA)
                _add_review_count(db)
        except (sqlite3.Error, OSError) as exc:
            raise SearchUnavailable(f"embedded search index unavailable: {exc}") from exc
        self._ready = True

    def index_state(self) -> IndexState:
        if not self.path.exists():
            return IndexState(exists=False, settings_current=False, documents=0)
        with self._reading() as (db, _target):
            (count,) = db.execute("SELECT count(*) FROM docs").fetchone()
        return IndexState(exists=True, settings_current=True, documents=count)  # its schema is its code

    def healthy(self) -> bool:
        try:
            with self._reading() as (db, _target):
                db.execute("SELECT 1 FROM docs LIMIT 1").fetchall()
            return True
        except SearchUnavailable:
            return False

    def upsert(self, documents: list[dict[str, Any]]) -> None:
        if documents:
            with self._writing() as db:
                _write(db, documents)

    def delete(self, ids: list[int]) -> None:
        if ids:
            with self._writing() as db:
                _delete(db, [(int(i),) for i in ids])

    def indexed_versions(self) -> dict[int, str]:
        with self._reading() as (db, _target):
            return {int(i): str(v) for i, v in db.execute("SELECT id, version FROM docs")}

    def rebuild(self, batches: Iterable[list[dict[str, Any]]], expected: int, progress: Any = None) -> int:
        """Build a new generation next to the live one, check its count, then swap the link to it."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fresh = self.path.with_name(f"{self.path.name}.{time.time_ns():x}")
        try:
            count = _build(fresh, batches, expected, progress)
            previous = self._swap(fresh)
        except BaseException as exc:  # nothing was swapped: the live index is untouched
            _delete_files(fresh)
            if isinstance(exc, sqlite3.Error):
                raise SearchUnavailable(f"embedded search rebuild failed: {exc}") from exc
            raise
        self._ready = True
        with contextlib.suppress(OSError):
            if previous is not None:  # connections still open on it keep reading; no new one can find it
                _delete_files(*previous)
            # WAL files a connection racing an earlier swap recreated for a generation already removed.
            for sidecar in self.path.parent.glob(f"{glob.escape(self.path.name)}.*-[ws][ah][lm]"):
                if not sidecar.with_name(sidecar.name[:-4]).exists():
                    sidecar.unlink(missing_ok=True)
        return count

    def _swap(self, fresh: Path) -> tuple[Path, bool] | None:
        """Point the live path at `fresh` atomically; return the previous generation, and whether it was
        the live path itself (then only its WAL files remain to delete)."""
        link = fresh.with_name(f"{fresh.name}.link")
        os.symlink(fresh.name, link)  # relative, so that the directory can be moved
        if not self.path.exists():
            os.replace(link, self.path)
            return None
        old, was_file = self._target(), not self.path.is_symlink()
        # Hold the old generation's write lock while swapping, so no write is in flight there;
        # closing the connection releases it.
        with contextlib.closing(_open(old)) as db:
            db.execute("BEGIN IMMEDIATE")
            os.replace(link, self.path)
        with contextlib.suppress(OSError):
            _fsync(self.path.parent)  # make the new link durable
        return old, was_file

    # --- reads ------------------------------------------------------------------------------------------

    def search(self, query: SearchQuery) -> SearchResult:
        started = time.perf_counter()
        with self._reading() as (db, target):
            return _Search(db, query, target, self._summaries).run(started)

    def suggest(self, prefix: str, limit: int = 8) -> list[str]:
        """Distinct titles containing the typed words, the last one as a prefix (it is being typed)."""
        tokens = TOKEN.findall(fold(prefix))
        if not tokens or limit < 1:
            return []
        *complete, last = tokens
        terms = [f'"{w}"' for w in complete if w not in STOP_WORDS] + [f'"{last}"*']
        with self._reading() as (db, _target):
            rows = db.execute(
                "SELECT title FROM fts WHERE fts MATCH ? ORDER BY rank LIMIT ?",
                ("{title} : (" + " AND ".join(terms) + ")", limit * SUGGEST_WINDOW),
            ).fetchall()
        return list(dict.fromkeys(title for (title,) in rows))[:limit]


class _Search:
    """One search: the text (with Meilisearch's "last" matching strategy), filters, summary, one page."""

    def __init__(self, db: sqlite3.Connection, query: SearchQuery, target: Path, cache: SummaryCache) -> None:
        self.db, self.query, self.target, self.cache = db, query, target, cache
        self.filters = filters(query)
        self.words = tuple(words(query.text))[:MAX_WORDS]

    def _where(self, match: str | None) -> Where:
        if not match:
            return self.filters
        return self.filters.plus("d.id IN (SELECT rowid FROM fts WHERE fts MATCH ?)", match)

    def run(self, started: float) -> SearchResult:
        summary = self._summary()
        match = ranking_expression(summary.groups) or None
        offset = (self.query.page - 1) * self.query.per_page
        ids = self._page(summary, offset) if summary.total > offset else []
        hits = self._hits(ids, match)
        return SearchResult(
            hits=hits,
            total=summary.total,
            page=self.query.page,
            per_page=self.query.per_page,
            facets={name: dict(counts) for name, counts in summary.facets.items()},
            price_min_cents=summary.price_min_cents,
            price_max_cents=summary.price_max_cents,
            engine=EmbeddedEngine.name,
            took_ms=round((time.perf_counter() - started) * 1000, 2),
        )

    def _summary(self) -> Summary:
        terms = self.words
        (generation,) = self.db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        key = (str(self.target), generation, terms, self.filters.sql, tuple(self.filters.params))
        if cached := self.cache.get(key):
            return cached
        variants = [self._typo_variants(word) for word in terms]
        match_groups = tuple(alternatives(word, v) for word, v in zip(terms, variants, strict=True))
        exact = tuple(exactly(word, v) for word, v in zip(terms, variants, strict=True))
        # Meilisearch's matchingStrategy "last": the documents with every word, then those with all but
        # the last, and so on; all of them have the first word, which is never dropped.
        where = self._where(match_groups[0] if match_groups else None)
        groups = self.db.execute(
            # One pass: the total, the single-valued facets and the price range.
            f"SELECT {', '.join('d.' + c for c in COLUMN_FACETS)}, count(*), min(d.price_cents),"
            f" max(d.price_cents) FROM docs d WHERE {where.sql} GROUP BY 1, 2, 3, 4",
            where.params,
        ).fetchall()
        total = sum(group[4] for group in groups)
        facets: dict[str, Counter[str]] = {name: Counter() for name in FACETS}
        for group in groups:
            for name, value in zip(COLUMN_FACETS, group, strict=False):
                facets[name][value] += group[4]
        if total:  # documents grouped by their set of tags: few groups, whatever the number of hits
            # Unfiltered, the count walks the facet_tags index; filtered, `+` keeps SQLite from walking it
            # (to skip a sort) and fetching every row, which is slower than sorting the hits.
            column = "+d.facet_tags" if where.clauses else "d.facet_tags"
            sql = f"SELECT {column}, count(*) FROM docs d WHERE {where.sql} GROUP BY 1"
            for facet_tags, count in self.db.execute(sql, where.params):
                for item in filter(None, facet_tags.split(SEP)):
                    attr, _, value = item.partition("=")
                    facets[attr][value] += count
        # Disjunctive facets: a facet with a selection is counted with every filter but its own.
        for name in FACETS:
            if self.query.selected(name):
                facets[name] = self._facet_counts(name, match_groups[0] if match_groups else None)
        summary = Summary(
            groups=match_groups,
            exact=exact,
            total=total,
            facets={
                name: dict(sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))) for name, c in facets.items()
            },
            price_min_cents=min((group[5] for group in groups), default=None),
            price_max_cents=max((group[6] for group in groups), default=None),
        )
        self.cache.put(key, summary)
        return summary

    def _facet_counts(self, name: str, match: str | None) -> Counter[str]:
        """The counts of one facet over the hits of this query without that facet's filter."""
        where = filters(self.query.without(name))
        if match:
            where = where.plus("d.id IN (SELECT rowid FROM fts WHERE fts MATCH ?)", match)
        counts: Counter[str] = Counter()
        if name in COLUMN_FACETS:  # the name is one of the constant column names, never a value
            sql = f"SELECT d.{name}, count(*) FROM docs d WHERE {where.sql} GROUP BY 1"
            counts.update(dict(self.db.execute(sql, where.params).fetchall()))
            return counts
        column = "+d.facet_tags" if where.clauses else "d.facet_tags"  # as in _summary
        sql = f"SELECT {column}, count(*) FROM docs d WHERE {where.sql} GROUP BY 1"
        for facet_tags, count in self.db.execute(sql, where.params):
            for item in filter(None, facet_tags.split(SEP)):
                attr, _, value = item.partition("=")
                if attr == name:
                    counts[value] += count
        return counts

    def _typo_variants(self, word: str) -> list[str]:
        """For a word no document has (nor a word it begins, nor a synonym), the indexed words it may be a
        misspelling of; none for the others."""
        key = fold_key(word)
        budget = allowed_typos(key)
        if (
            not budget
            or self.db.execute(
                "SELECT 1 FROM fts WHERE fts MATCH ? LIMIT 1", (alternatives(word),)
            ).fetchone()
        ):
            return []
        # Only the words that begin with the same letter and are near in length are read from the index:
        # a different first letter counts as two typos, so it leaves nothing else to differ.
        sql = "SELECT term FROM fts_vocab WHERE term >= ? AND term < ? AND length(term) BETWEEN ? AND ?"
        first = key[0]
        params: list[Any] = [first, chr(ord(first) + 1), len(key) - budget, len(key) + budget]
        terms = [term for (term,) in self.db.execute(sql, params)]
        if budget >= 2:
            others = first_letter_changed(key)
            sql = f"SELECT term FROM fts_vocab WHERE term IN ({placeholders(others)})"
            terms += [term for (term,) in self.db.execute(sql, others)]
        return closest(key, terms)

    def _words_rank(self, groups: tuple[str, ...], column: str) -> tuple[str, list[str]]:
        """Meilisearch's "words" rule as the first ORDER BY term (with its comma; none for one word): 0 for
        the documents with every word, 1 for those with all but the last, and so on."""
        if len(groups) <= 1:
            return "", []
        prefixes = [match_expression(groups[:n]) for n in range(len(groups), 1, -1)]
        whens = " ".join(
            f"WHEN {column} IN (SELECT rowid FROM fts WHERE fts MATCH ?) THEN {rank}"
            for rank in range(len(prefixes))
        )
        return f"CASE {whens} ELSE {len(prefixes)} END, ", prefixes

    def _page(self, summary: Summary, offset: int) -> list[int]:
        query, groups = self.query, summary.groups
        if groups and query.sort == "relevance":
            # Every word first, then by bm25 straight from the fts table; docs is joined only when there
            # are filters.
            join = f" JOIN docs d ON d.id = fts.rowid AND {self.filters.sql}" if self.filters.clauses else ""
            words_rank, words_params = self._words_rank(groups, "fts.rowid")
            # Then where the words are (Meilisearch's "attribute" and "exactness"): all in the title as
            # typed, all in the title, the first in the title as typed, the first in the title,
            # elsewhere; bm25 with the columns' weights orders each of those.
            in_title = list(
                dict.fromkeys(
                    "{title} : (" + match_expression(expression) + ")"
                    for expression in (summary.exact, groups, summary.exact[:1], groups[:1])
                )
            )
            whens = " ".join(
                f"WHEN fts.rowid IN (SELECT rowid FROM fts WHERE fts MATCH ?) THEN {rank}"
                for rank in range(len(in_title))
            )
            title_rank = f"CASE {whens} ELSE {len(in_title)} END"
            sql = (
                f"SELECT fts.rowid FROM fts{join} WHERE fts MATCH ? ORDER BY {words_rank}{title_rank},"
                f" bm25(fts, {placeholders(WEIGHTS)}), fts.rowid DESC LIMIT ? OFFSET ?"
            )
            params = [*self.filters.params, ranking_expression(groups), *words_params, *in_title, *WEIGHTS]
        else:
            sort = query.sort
            if sort == "relevance":  # no text to rank by: nearest first when a point is given, else newest
                sort = "distance" if query.near else "newest"
            where = self._where(groups[0] if groups else None)
            # As Meilisearch ranks "words" before "sort": every full match in the order asked first.
            words_rank, words_params = self._words_rank(groups, "d.id")
            point: list[float] = []
            if sort == "distance" and query.lat is not None and query.lng is not None:
                point = [c for c in unit_vector(query.lat, query.lng) for _twice in range(2)]
            sql = (
                f"SELECT d.id FROM docs d WHERE {where.sql} ORDER BY {words_rank}{SORTS[sort]}"
                " LIMIT ? OFFSET ?"
            )
            params = [*where.params, *words_params, *point]
        rows = self.db.execute(sql, [*params, query.per_page, offset])
        return [int(i) for (i,) in rows]

    def _hits(self, ids: list[int], match: str | None) -> list[Hit]:
        if not ids:
            return []
        documents = {
            int(i): json.loads(document)
            for i, document in self.db.execute(
                f"SELECT id, document FROM bodies WHERE id IN ({placeholders(ids)})", ids
            )
        }
        marks: dict[int, tuple[str, str]] = {}
        if match:
            # `+rowid` keeps SQLite from running the MATCH once per id (each run re-reads every prefix
            # expansion); one pass over the matches is far cheaper.
            rows = self.db.execute(
                "SELECT rowid, highlight(fts, 0, ?, ?), snippet(fts, 5, ?, ?, '…', ?) FROM fts"
                f" WHERE fts MATCH ? AND +rowid IN ({placeholders(ids)})",
                [PRE, POST, PRE, POST, SNIPPET_TOKENS, match, *ids],
            )
            marks = {int(i): (title, snippet) for i, title, snippet in rows}
        return [self._hit(documents[i], marks.get(i)) for i in ids if i in documents]

    def _hit(self, doc: dict[str, Any], marks: tuple[str, str] | None) -> Hit:
        query, geo = self.query, doc.get("_geo")
        distance = None
        if query.lat is not None and query.lng is not None and geo:
            distance = round(distance_km(query.lat, query.lng, geo["lat"], geo["lng"]), 1)
        if marks:
            title_html, snippet_html = marked(marks[0]), marked(marks[1])
        else:
            title_html, snippet_html = html.escape(doc["title"]), plain_snippet(doc.get("description") or "")
        return Hit(
            # Documents stored before a field existed lack it: the field's default stands in.
            **{name: doc[name] for name in HIT_FIELDS if doc.get(name) is not None},
            title_html=title_html,
            snippet_html=snippet_html,
            distance_km=distance,
        )
