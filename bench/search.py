"""Search benchmark: full reindex vs. direct ingest, app search vs. direct Meilisearch, and outbox sync lag.

    .venv/bin/python bench/search.py [--listings N] [--queries Q] [--concurrency C] [--check-memory]

It starts what it needs (a fresh PostgreSQL database on the local server, the pinned Meilisearch binary,
`market serve` and `market worker`), removes all of it at the end, prints progress to stderr and, as the
last stdout line, one JSON object of figures. A benchmark, not a test: it asserts only what makes the
figures meaningless when false (every request succeeds, both paths find the same totals).
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, Python puts bench/ first on the path, where search.py would shadow the app's `search`
# package: the checkout's root takes its place, so that `bench.common`, `market` and `search` are the code
# of this checkout, whatever the venv's editable install points to.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse  # noqa: E402
import contextlib  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import secrets  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import string  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from concurrent.futures import ThreadPoolExecutor  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from typing import Any  # noqa: E402

import httpx  # noqa: E402
import meilisearch  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402
from sqlmodel import Session, col, select  # noqa: E402

from bench.common import (  # noqa: E402
    MARKET,
    ROOT,
    app_env,
    free_port,
    fresh_database,
    log,
    percentile,
    run_and_report,
    running,
    serve,
    stop,
    wait_until,
)

INDEX = "bench_listings"
DIRECT_INDEX = "bench_direct"
BATCH_SIZE = 2000  # catalog.search_documents.public_documents' default, which `market reindex` uses
SYNC_SAMPLES = 20

# Realistic buyer queries (parameters of GET /api/v1/search): q, filters on codes, price ranges, sorts, geo.
QUERIES: list[dict[str, Any]] = [
    {"q": "cafe organico"},
    {"q": "miel"},
    {"q": "mezcal espadin", "state": ["20"]},
    {"q": "cafe de altura", "category": ["cafe"], "sort": "price_asc"},
    {"q": "miel melipona", "price_min_cents": 10000, "price_max_cents": 150000},
    {"q": "chocolate", "category": ["cacao-chocolate"], "in_stock": True},
    {"q": "textiles artesanales", "state": ["07", "20"], "kind": "good"},
    {"q": "", "category": ["artesanias"], "sort": "newest"},
    {"q": "", "lat": 17.07, "lng": -96.73, "radius_km": 150},
    {"q": "maiz criollo", "delivers_to": "09"},
    {"q": "vainilla", "lat": 20.45, "lng": -97.32, "sort": "distance"},
    {"q": "jabon", "delivery": ["national"], "sort": "price_desc"},
    {"q": "huipil bordado", "legal_form": ["coop_produccion", "ejido"]},
    {"q": "rebozo", "page": 2},
    {"q": "cafee"},
    {"q": "ecoturismo", "kind": "service", "state": ["20", "07", "30"]},
    {"q": "frijoles", "price_max_cents": 5000},
    {"q": "nopal", "state": ["09", "15", "17"], "per_page": 48},
    {"q": "barro tradicional", "category": ["artesanias"], "in_stock": True, "sort": "price_asc"},
    {"q": "amaranto", "lat": 19.43, "lng": -99.13, "radius_km": 300, "sort": "distance"},
]


def http_client(base_url: str, headers: dict[str, str] | None = None, keepalive: bool = True) -> httpx.Client:
    """An httpx client with TCP_NODELAY. `keepalive=False` opens a connection per request, which is what
    the app's meilisearch client (plain `requests.post`) does; it matters for Meilisearch, whose responses
    over a kept-alive connection wait ~40 ms for the client's delayed ACK once they exceed one write
    (Nagle on the server side: a 12 kB result page takes 1 ms to compute and 41 ms to arrive)."""
    transport = httpx.HTTPTransport(
        socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)],
        limits=httpx.Limits(max_keepalive_connections=None if keepalive else 0),
    )
    return httpx.Client(base_url=base_url, headers=headers, timeout=30, transport=transport)


def mb(kilobytes: float) -> float:
    return round(kilobytes / 1024, 1)


# --- processes ------------------------------------------------------------------------------------


def peak_rss_kb(pid: int) -> int:
    """VmHWM of a running process (0 once it has exited)."""
    with contextlib.suppress(OSError):
        if match := re.search(r"^VmHWM:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text(), re.M):
            return int(match[1])
    return 0


def run_measured(command: list[str], env: dict[str, str], timeout_s: float) -> tuple[float, float]:
    """Run a command to completion: (seconds, peak RSS in MB of that very process). The peak is its VmHWM
    sampled every 20 ms: wait4/RUSAGE_CHILDREN's ru_maxrss is no good here, since a child started by
    vfork + exec inherits the parent's high-water mark (a child of a 500 MB parent reports >= 500 MB)."""
    started = time.perf_counter()
    deadline = time.monotonic() + timeout_s
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=sys.stderr, stderr=sys.stderr)
    peak = 0
    try:
        while process.poll() is None:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{' '.join(command)} still running after {timeout_s:.0f}s")
            peak = max(peak, peak_rss_kb(process.pid))
            time.sleep(0.02)
    finally:
        stop(process)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited with {process.returncode}")
    return time.perf_counter() - started, mb(peak)


# --- PostgreSQL -----------------------------------------------------------------------------------


def seed(database_url: str, listings: int) -> float:
    from market.db import make_engine
    from market.migrate import upgrade
    from market.seed import load_synthetic

    started = time.perf_counter()
    upgrade(database_url)
    engine = make_engine(database_url)
    try:
        with contextlib.redirect_stdout(sys.stderr):  # rich progress must not reach our stdout
            load_synthetic(engine, listings)
    finally:
        engine.dispose()
    return time.perf_counter() - started


# --- Meilisearch ----------------------------------------------------------------------------------


@dataclass
class Meili:
    url: str
    key: str
    pid: int

    def http(self, keepalive: bool = True) -> httpx.Client:
        return http_client(self.url, {"Authorization": f"Bearer {self.key}"}, keepalive)

    def client(self) -> meilisearch.Client:
        return meilisearch.Client(self.url, self.key, timeout=60)


def meilisearch_binary() -> str:
    out = subprocess.run(
        [str(ROOT / "scripts/fetch-meilisearch.sh")], check=True, capture_output=True, text=True, timeout=900
    )
    return out.stdout.strip().splitlines()[-1]


@contextlib.contextmanager
def meilisearch_server(workdir: Path, extra: list[str]) -> Iterator[Meili]:
    port, key = free_port(), secrets.token_hex(16)
    data = workdir / "meili"
    data.mkdir()
    command = [
        meilisearch_binary(),
        *("--http-addr", f"127.0.0.1:{port}", "--db-path", str(data / "data.ms")),
        *("--dump-dir", str(data / "dumps"), "--snapshot-dir", str(data / "snapshots")),
        *("--no-analytics", "--master-key", key, "--env", "development"),
        *extra,
    ]
    with running(command, workdir / "meilisearch.log", cwd=data) as process:
        meili = Meili(f"http://127.0.0.1:{port}", key, process.pid)

        def healthy() -> bool:
            with contextlib.suppress(httpx.HTTPError):
                return httpx.get(f"{meili.url}/health", timeout=1).status_code == 200
            return False

        wait_until(healthy, "Meilisearch", 30)
        log(f"Meilisearch on {meili.url}")
        yield meili


def wait_idle(meili: Meili, timeout_s: float = 600) -> None:
    """No task enqueued or processing: nothing in the background skews what is measured next."""
    with meili.http() as http:

        def idle() -> bool:
            page = http.get("/tasks", params={"statuses": "enqueued,processing", "limit": 1}).json()
            return int(page.get("total", len(page["results"]))) == 0

        wait_until(idle, "Meilisearch task queue", timeout_s, 0.05)


def last_task_uid(meili: Meili) -> int:
    with meili.http() as http:
        results = http.get("/tasks", params={"limit": 1}).json()["results"]
    return int(results[0]["uid"]) if results else -1


def tasks_since(meili: Meili, after_uid: int) -> list[dict[str, Any]]:
    with meili.http() as http:
        results = http.get("/tasks", params={"limit": 1000}).json()["results"]
    return sorted((t for t in results if t["uid"] > after_uid), key=lambda t: t["uid"])


def epoch(timestamp: str) -> float:
    """Meilisearch RFC 3339 with nanoseconds -> seconds since the epoch."""
    match = re.fullmatch(r"(.+T\d\d:\d\d:\d\d)(\.\d+)?Z", timestamp)
    if not match:
        raise ValueError(timestamp)
    return datetime.fromisoformat(match[1]).replace(tzinfo=UTC).timestamp() + float(match[2] or 0)


def seconds_of(duration: str | None) -> float:
    """Meilisearch task duration, ISO 8601 ("PT1.234S", "PT2M3.5S") -> seconds."""
    match = re.fullmatch(r"PT(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?", duration or "")
    if not match:
        return 0.0
    hours, minutes, secs = (float(g or 0) for g in match.groups())
    return hours * 3600 + minutes * 60 + secs


@dataclass
class DocumentTasks:
    """The document additions of one run, as Meilisearch saw them."""

    first_enqueued: float
    first_started: float
    last_finished: float
    tasks: int
    batches: int  # Meilisearch auto-batches consecutive additions to the same index

    @property
    def indexing_s(self) -> float:
        return self.last_finished - self.first_started


def document_tasks(tasks: list[dict[str, Any]]) -> DocumentTasks:
    additions = [t for t in tasks if t["type"] == "documentAdditionOrUpdate"]
    if not additions or any(t["status"] != "succeeded" for t in additions):
        raise RuntimeError(f"document tasks did not all succeed: {[t['status'] for t in additions]}")
    return DocumentTasks(
        first_enqueued=min(epoch(t["enqueuedAt"]) for t in additions),
        first_started=min(epoch(t["startedAt"]) for t in additions),
        last_finished=max(epoch(t["finishedAt"]) for t in additions),
        tasks=len(additions),
        batches=len({t.get("batchUid") for t in additions}),
    )


def log_tasks(what: str, tasks: list[dict[str, Any]]) -> None:
    """Time per task type, to see where a run's Meilisearch time goes."""
    totals: dict[str, list[float]] = {}
    for task in tasks:
        totals.setdefault(task["type"], []).append(seconds_of(task.get("duration")))
    summary = ", ".join(f"{kind} x{len(d)} {max(d):.2f}s max" for kind, d in totals.items())
    log(f"{what} tasks: {summary}")


def trace_seconds(value: str) -> float:
    """A progressTrace duration ("1.23ms", "2.5s", "870.00µs", "12ns") -> seconds."""
    match = re.fullmatch(r"([\d.]+)\s*(ns|µs|ms|s)", value.strip())
    if not match:
        return 0.0
    return float(match[1]) * {"ns": 1e-9, "µs": 1e-6, "ms": 1e-3, "s": 1.0}[match[2]]


def log_slowest_batch(meili: Meili, what: str, tasks: list[dict[str, Any]]) -> None:
    """The steps of the slowest document batch, from Meilisearch's own progress trace."""
    additions = [
        t for t in tasks if t["type"] == "documentAdditionOrUpdate" and t.get("batchUid") is not None
    ]
    if not additions:
        return
    slowest = max(additions, key=lambda t: seconds_of(t.get("duration")))
    with meili.http() as http:
        trace = http.get(f"/batches/{slowest['batchUid']}").json().get("stats", {}).get("progressTrace", {})
    ranked = sorted(trace.items(), key=lambda kv: -trace_seconds(str(kv[1])))
    steps = [(k, v) for k, v in ranked if trace_seconds(str(v)) > 0.01][:6]
    log(f"{what}: slowest batch {slowest['duration']}: " + "; ".join(f"{k} {v}" for k, v in steps))


def meili_memory_mb(meili: Meili) -> dict[str, float]:
    status = Path(f"/proc/{meili.pid}/status").read_text()
    fields = dict(re.findall(r"^(VmHWM|VmRSS):\s+(\d+) kB", status, re.M))
    return {"meili_peak_rss_mb": mb(int(fields["VmHWM"])), "meili_rss_mb": mb(int(fields["VmRSS"]))}


# --- (a) reindex vs. direct ingest --------------------------------------------------------------------


def service_env(database_url: str, meili: Meili, workdir: Path, index: str = INDEX) -> dict[str, str]:
    return app_env(database_url, workdir) | {
        "MEILI_URL": meili.url,
        "MEILI_MASTER_KEY": meili.key,
        "MEILI_INDEX": index,
        "PYTHONUNBUFFERED": "1",
    }


def measure_reindex(env: dict[str, str], meili: Meili, expected: int) -> dict[str, Any]:
    wait_idle(meili)
    before = last_task_uid(meili)
    started_at = time.time()
    seconds, peak_rss = run_measured([MARKET, "reindex"], env, timeout_s=3600)
    tasks = tasks_since(meili, before)
    log_tasks("reindex", tasks)
    log_slowest_batch(meili, "reindex", tasks)
    documents = document_tasks(tasks)
    with meili.http() as http:
        count = http.get(f"/indexes/{env['MEILI_INDEX']}/stats").json()["numberOfDocuments"]
    if count != expected:
        raise RuntimeError(f"the live index holds {count} documents, expected {expected}")
    log(f"market reindex: {seconds:.1f}s, peak RSS {peak_rss} MB")
    return {
        "reindex_s": round(seconds, 2),
        "reindex_peak_rss_mb": peak_rss,
        # where the time goes: start-up until the first batch is sent, Meilisearch indexing, and the tail
        # (count check, swap, delete, outbox catch-up, exit) after the last batch is searchable
        "reindex_until_first_batch_s": round(documents.first_enqueued - started_at, 2),
        "reindex_meili_indexing_s": round(documents.indexing_s, 2),
        "reindex_after_indexed_s": round(started_at + seconds - documents.last_finished, 2),
        "reindex_meili_batches": documents.batches,
    }


def build_documents(database_url: str) -> tuple[list[list[dict[str, Any]]], float]:
    from market.catalog.search_documents import public_documents
    from market.db import make_engine

    engine = make_engine(database_url)
    started = time.perf_counter()
    try:
        with Session(engine) as session:
            batches = list(public_documents(session, batch_size=BATCH_SIZE))
    finally:
        engine.dispose()
    return batches, time.perf_counter() - started


def measure_direct_ingest(database_url: str, meili: Meili, expected: int) -> dict[str, Any]:
    from search.meili import INDEX_SETTINGS

    batches, build_s = build_documents(database_url)
    log(f"built {sum(map(len, batches))} documents in memory in {build_s:.1f}s")
    client = meili.client()

    def wait(task_uid: int) -> None:
        task = client.wait_for_task(task_uid, timeout_in_ms=3_600_000, interval_in_ms=25)
        if task.status != "succeeded":
            raise RuntimeError(f"task {task_uid} {task.status}: {task.error}")

    wait(client.create_index(DIRECT_INDEX, {"primaryKey": "id"}).task_uid)
    index = client.index(DIRECT_INDEX)
    wait(index.update_settings(INDEX_SETTINGS).task_uid)
    wait_idle(meili)
    before = last_task_uid(meili)
    started = time.perf_counter()
    tasks = [index.add_documents(batch, "id").task_uid for batch in batches]
    for task_uid in tasks:
        wait(task_uid)
    seconds = time.perf_counter() - started
    documents = document_tasks(tasks_since(meili, before))
    count = index.get_stats().number_of_documents
    wait(client.delete_index(DIRECT_INDEX).task_uid)  # frees the CPU and memory for what follows
    if count != expected:
        raise RuntimeError(f"the direct index holds {count} documents, expected {expected}")
    log(f"direct ingest: {seconds:.1f}s")
    return {
        "direct_ingest_s": round(seconds, 2),
        "direct_meili_indexing_s": round(documents.indexing_s, 2),
        "direct_meili_batches": documents.batches,
        "build_documents_s": round(build_s, 2),
    }


# --- (b) search latency and throughput ---------------------------------------------------------------


def meili_body(query: dict[str, Any]) -> dict[str, Any]:
    """The JSON the app's engine posts to /indexes/<uid>/search for this query (its own mapping)."""
    from market.catalog.search_schemas import SearchQuery
    from search.meili import search_params

    search_query = SearchQuery(**query)
    return {"q": search_query.text, **search_params(search_query)}


def api_params(query: dict[str, Any]) -> list[tuple[str, str | int | float | bool | None]]:
    params: list[tuple[str, str | int | float | bool | None]] = []
    for name, value in query.items():
        for item in value if isinstance(value, list) else [value]:
            params.append((name, str(item).lower() if isinstance(item, bool) else str(item)))
    return params


Send = Callable[[httpx.Client, int], int]  # sends query number i, returns its total hits
Target = tuple[Callable[[], httpx.Client], Send]


def app_sender(app_url: str) -> Target:
    params = [api_params(q) for q in QUERIES]

    def send(client: httpx.Client, i: int) -> int:
        response = client.get("/api/v1/search", params=params[i % len(params)])
        if response.status_code != 200:
            raise RuntimeError(
                f"app search {QUERIES[i % len(QUERIES)]}: {response.status_code} {response.text}"
            )
        return int(response.json()["total"])

    return lambda: http_client(app_url), send


def direct_sender(meili: Meili, keepalive: bool = False) -> Target:
    bodies = [meili_body(q) for q in QUERIES]

    def send(client: httpx.Client, i: int) -> int:
        response = client.post(f"/indexes/{INDEX}/search", json=bodies[i % len(bodies)])
        if response.status_code != 200:
            raise RuntimeError(
                f"direct search {bodies[i % len(bodies)]}: {response.status_code} {response.text}"
            )
        return int(response.json()["totalHits"])

    return lambda: meili.http(keepalive), send


def latencies_ms(make_client: Callable[[], httpx.Client], send: Send, count: int) -> list[float]:
    samples = []
    with make_client() as client:
        for i in range(count):
            started = time.perf_counter()
            send(client, i)
            samples.append((time.perf_counter() - started) * 1000)
    return samples


def throughput(make_client: Callable[[], httpx.Client], send: Send, count: int, concurrency: int) -> float:
    """Requests per second for `count` requests shared by `concurrency` threads, each with its own client."""

    def worker(first: int) -> None:
        with make_client() as client:
            for i in range(first, count, concurrency):
                send(client, i)

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(worker, range(concurrency)))
    return count / (time.perf_counter() - started)


def warm_up_and_compare(app: Target, direct: Target) -> int:
    """Every query three times on both paths; both must report the same total (the same search).
    Returns how many queries find nothing."""
    empty = 0
    with app[0]() as app_client, direct[0]() as direct_client:
        for _ in range(3):
            for i, query in enumerate(QUERIES):
                app_total, direct_total = app[1](app_client, i), direct[1](direct_client, i)
                if app_total != direct_total:
                    raise RuntimeError(f"{query}: the app found {app_total}, Meilisearch {direct_total}")
                empty += direct_total == 0
    return empty // 3


def measure_search(app_url: str, meili: Meili, queries: int, concurrency: int) -> dict[str, Any]:
    app, direct = app_sender(app_url), direct_sender(meili)
    empty = warm_up_and_compare(app, direct)
    log(f"warmed up; {len(QUERIES)} distinct queries, {empty} of them find nothing")
    app_ms, direct_ms = latencies_ms(*app, queries), latencies_ms(*direct, queries)
    keepalive_ms = latencies_ms(*direct_sender(meili, keepalive=True), queries)
    app_p50, direct_p50 = statistics.median(app_ms), statistics.median(direct_ms)
    log(f"latency: app p50 {app_p50:.2f} ms, direct p50 {direct_p50:.2f} ms")
    log(f"direct over one kept-alive connection: p50 {statistics.median(keepalive_ms):.2f} ms")
    app_rps = throughput(*app, queries, concurrency)
    direct_rps = throughput(*direct, queries, concurrency)
    log(f"throughput ({concurrency} clients): app {app_rps:.0f}/s, direct {direct_rps:.0f}/s")
    return {
        "queries": queries,
        "concurrency": concurrency,
        "search_p50_ms": round(percentile(app_ms, 50), 2),
        "search_p99_ms": round(percentile(app_ms, 99), 2),
        "direct_p50_ms": round(percentile(direct_ms, 50), 2),
        "direct_p99_ms": round(percentile(direct_ms, 99), 2),
        "p50_ratio": round(percentile(app_ms, 50) / percentile(direct_ms, 50), 2),
        "p99_ratio": round(percentile(app_ms, 99) / percentile(direct_ms, 99), 2),
        "direct_keepalive_p50_ms": round(percentile(keepalive_ms, 50), 2),
        "search_rps": round(app_rps, 1),
        "direct_rps": round(direct_rps, 1),
        "throughput_ratio": round(app_rps / direct_rps, 3),
    }


# --- (c) outbox -> index lag ---------------------------------------------------------------------


def sync_targets(engine: Engine, listings: int, samples: int) -> tuple[int, list[int]]:
    """The synthetic owner and `samples` listings spread over the catalog; the owner becomes a member of
    their organizations (load_synthetic creates no memberships)."""
    from market.accounts.models import User
    from market.catalog.models import Listing
    from market.organizations.models import Membership

    with Session(engine) as session:
        owner = session.exec(select(User).where(User.email == f"sintetico-7-{listings}@tianguis.demo")).one()
        ids = [i for i in session.exec(select(Listing.id).order_by(col(Listing.id))) if i is not None]
        chosen = [ids[int(k * (len(ids) - 1) / max(1, samples - 1))] for k in range(samples)]
        org_ids = set(session.exec(select(Listing.organization_id).where(col(Listing.id).in_(chosen))))
        for org_id in org_ids:
            session.add(Membership(user_id=owner.id or 0, organization_id=org_id, role="owner"))
        session.commit()
        return owner.id or 0, chosen


def retitle(engine: Engine, user_id: int, listing_id: int, token: str) -> None:
    """A producer edits a title through the service layer; the transaction carries the outbox event."""
    from market.accounts.models import User
    from market.catalog import service
    from market.catalog.schemas import ListingUpdate
    from market.db import transaction

    with transaction(engine) as session:
        user = session.get(User, user_id)
        assert user is not None
        service.update(session, user, listing_id, ListingUpdate(title=f"Miel {token} de prueba"))


def lag_once(engine: Engine, http: httpx.Client, user_id: int, listing_id: int, timeout_s: float) -> float:
    token = "".join(random.choices(string.ascii_lowercase, k=12))
    retitle(engine, user_id, listing_id, token)
    committed = time.perf_counter()
    body = {"q": token, "attributesToRetrieve": ["id"], "limit": 20}

    def visible() -> bool:
        response = http.post(f"/indexes/{INDEX}/search", json=body)
        response.raise_for_status()
        return any(int(hit["id"]) == listing_id for hit in response.json()["hits"])

    wait_until(visible, f"listing {listing_id} in the index", timeout_s, 0.005)
    return time.perf_counter() - committed


def measure_sync_lag(database_url: str, meili: Meili, listings: int) -> dict[str, Any]:
    from market.db import make_engine

    engine = make_engine(database_url)
    before = last_task_uid(meili)
    try:
        user_id, chosen = sync_targets(engine, listings, SYNC_SAMPLES + 1)
        with meili.http() as http:
            lag_once(engine, http, user_id, chosen[0], timeout_s=120)  # the worker's first batch: warm-up
            lags = []
            for listing_id in chosen[1:]:
                time.sleep(random.uniform(0, 0.3))  # not phase-locked to the worker's 0.25 s idle poll
                lags.append(lag_once(engine, http, user_id, listing_id, timeout_s=60))
    finally:
        engine.dispose()
    log(f"sync lag: p50 {statistics.median(lags):.3f}s, max {max(lags):.3f}s over {len(lags)} edits")
    updates = [t for t in tasks_since(meili, before) if t["type"] == "documentAdditionOrUpdate"]
    log_slowest_batch(meili, "sync", updates)
    durations = [seconds_of(t.get("duration")) for t in updates]
    log(f"sync: {len(updates)} upsert tasks in Meilisearch, {statistics.median(durations):.3f}s median")
    return {
        "sync_meili_task_p50_s": round(percentile(durations, 50), 3),
        "sync_meili_task_max_s": round(max(durations), 3),
        "sync_lag_p50_s": round(percentile(lags, 50), 3),
        "sync_lag_p95_s": round(percentile(lags, 95), 3),
        "sync_lag_max_s": round(max(lags), 3),
    }


@contextlib.contextmanager
def outbox_worker(env: dict[str, str], workdir: Path) -> Iterator[None]:
    with running([MARKET, "worker"], workdir / "worker.log", env=env, cwd=ROOT) as process:
        time.sleep(1)
        if process.poll() is not None:
            raise RuntimeError(f"market worker exited with {process.returncode}")
        yield


# --- the run --------------------------------------------------------------------------------------


def reindex_rss_at(listings: int, meili: Meili, workdir: Path) -> float:
    """Peak RSS of `market reindex` over a catalog of another size (its own database and index)."""
    with fresh_database(f"bench_search_{os.getpid()}_mem") as url:
        seed(url, listings)
        env = service_env(url, meili, workdir, index=f"{INDEX}_mem")
        _seconds, rss = run_measured([MARKET, "reindex"], env, timeout_s=3600)
    log(f"market reindex of {listings} listings: peak RSS {rss} MB")
    return rss


def run(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    n = args.listings
    # the machine may be shared (test suites with their own Meilisearch): say how busy it was
    results: dict[str, Any] = {"listings": n, "loadavg_1m_start": os.getloadavg()[0]}
    if args.meili_max_indexing_memory:
        results["meili_max_indexing_memory"] = args.meili_max_indexing_memory
    with contextlib.ExitStack() as stack:
        database_url = stack.enter_context(fresh_database(f"bench_search_{os.getpid()}"))
        results["seed_s"] = round(seed(database_url, n), 2)
        log(f"seeded {n} listings in {results['seed_s']}s")
        memory = ["--max-indexing-memory", args.meili_max_indexing_memory]
        meili = stack.enter_context(
            meilisearch_server(workdir, memory if args.meili_max_indexing_memory else [])
        )
        env = service_env(database_url, meili, workdir)
        results |= measure_reindex(env, meili, n)
        results |= measure_direct_ingest(database_url, meili, n)
        results["reindex_ratio"] = round(results["reindex_s"] / results["direct_ingest_s"], 2)
        with serve(env, workdir / "serve.log", cwd=ROOT) as app:
            wait_idle(meili)  # the app applies the index settings at start-up
            results |= measure_search(app.url, meili, args.queries, args.concurrency)
        with outbox_worker(env, workdir):
            results |= measure_sync_lag(database_url, meili, n)
        if args.check_memory:
            results["reindex_peak_rss_mb_quarter"] = reindex_rss_at(max(1, n // 4), meili, workdir)
            results["quarter_listings"] = max(1, n // 4)
        results |= meili_memory_mb(meili)
    return results


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--listings", type=int, default=100_000, help="synthetic listings to seed")
    parser.add_argument("--queries", type=int, default=1000, help="requests per latency and throughput run")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent clients for throughput")
    parser.add_argument(
        "--check-memory", action="store_true", help="also reindex N/4 listings and report its peak RSS"
    )
    parser.add_argument(
        "--meili-max-indexing-memory",
        metavar="SIZE",
        default="1Gb",
        help="Meilisearch --max-indexing-memory, as in docker-compose and the tests ('' = its default)",
    )
    args = parser.parse_args()
    if args.listings < SYNC_SAMPLES + 1 or args.queries < 1 or args.concurrency < 1:
        parser.error(f"--listings must be at least {SYNC_SAMPLES + 1}; --queries and --concurrency >= 1")
    return args


def main() -> int:
    args = parse_args()
    return run_and_report(lambda workdir: run(args, workdir), "bench-search-")


if __name__ == "__main__":
    sys.exit(main())
