"""Pages benchmark: requests per second and p99 of the main public pages with a large catalogue, served by one
and by several app processes.

    .venv/bin/python bench/pages.py [--listings 100000] [--workers 1,2] [--seconds 8] [--concurrency 4]
                                    [--deep-page 900]

It creates a fresh PostgreSQL database on the local server, seeds it in bulk (`market.seed.load_synthetic`,
creation times then spread over the last months), fills the embedded search index (`market reindex`), and for
each `--workers` N starts `market serve --workers N` and loads each page for `--seconds` with `--concurrency`
client threads (one kept-alive connection each). Everything is removed at the end; progress goes to stderr
and, as the last stdout line, one JSON object of figures. A benchmark, not a test: it asserts only what makes
the figures meaningless when false (every request answers 200).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)  # this checkout's code, not bench/ (see common.py)

import argparse  # noqa: E402
import contextlib  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import subprocess  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from concurrent.futures import ThreadPoolExecutor  # noqa: E402
from typing import Any  # noqa: E402

import httpx  # noqa: E402
from sqlalchemy import text  # noqa: E402

from bench.common import (  # noqa: E402
    MARKET,
    app_env,
    fresh_database,
    log,
    percentile,
    run_and_report,
    serve,
)

PER_PAGE = 24  # what /catalogo shows
SEARCHES = ["miel", "cafe organico", "mezcal", "huipil", "barro tradicional", "vainilla", "jabon", "nopal"]


def seed(database_url: str, listings: int) -> None:
    from market.db import make_engine
    from market.migrate import upgrade
    from market.seed import load_synthetic

    upgrade(database_url)
    engine = make_engine(database_url)
    try:
        with contextlib.redirect_stdout(sys.stderr):  # rich progress must not reach our stdout
            load_synthetic(engine, listings)
        with engine.begin() as connection:  # one creation time for all would make "recent" all ties
            connection.execute(text("UPDATE listing SET created_at = created_at - id * interval '2 minutes'"))
            connection.execute(text("ANALYZE listing"))
    finally:
        engine.dispose()


def deep_page_path(database_url: str, page: int) -> tuple[str, str]:
    """(what it is, the path) of /catalogo's page `page` in the default order: by its cursor where the
    code has one (market.catalog.keyset), else by page number (OFFSET), as before keyset pagination."""
    try:
        from market.catalog import keyset
    except ImportError:
        return "offset", f"/catalogo?page={page}"
    from sqlmodel import Session

    from market.catalog import service
    from market.db import make_engine

    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            before = service.list_public(session, page=page - 1, per_page=PER_PAGE).items[-1]
            return "cursor", f"/catalogo?despues={keyset.cursor_of(before, 'recent')}"
    finally:
        engine.dispose()


def listing_paths(database_url: str, sample: int) -> list[str]:
    """Paths of `sample` listings' pages, with their slugs (without one, the page redirects)."""
    from sqlalchemy import create_engine

    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT id, slug FROM listing ORDER BY random() LIMIT :n"), {"n": sample}
            )
            return [f"/productos/{id_}/{slug}" for id_, slug in rows]
    finally:
        engine.dispose()


def load(url: str, paths: Callable[[random.Random], str], seconds: float, concurrency: int) -> dict[str, Any]:
    """`concurrency` threads, each on its own kept-alive connection, requesting `paths(rng)` for `seconds`."""
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    window: list[float] = []  # [start, deadline], set when every client is warm

    def start() -> None:
        now = time.monotonic()
        window[:] = [now, now + seconds]

    warm = threading.Barrier(concurrency, action=start)

    def client(index: int) -> None:
        rng = random.Random(index)
        mine: list[float] = []
        with httpx.Client(base_url=url, timeout=30) as http:
            http.get(paths(rng))  # the connection (and the process's caches) warm before the clock starts
            warm.wait()
            while time.monotonic() < window[1]:
                started = time.perf_counter()
                response = http.get(paths(rng))
                mine.append(time.perf_counter() - started)
                if response.status_code != 200:
                    with lock:
                        failures.append(f"{response.status_code} {response.request.url}")
        with lock:
            latencies.extend(mine)

    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(client, range(concurrency)))
    elapsed = time.monotonic() - window[0]
    if failures:
        raise RuntimeError(f"{len(failures)} failed requests, e.g. {failures[:3]}")
    return {
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(percentile(latencies, 50) * 1000, 1),
        "p99_ms": round(percentile(latencies, 99) * 1000, 1),
    }


def run(workdir: Path, args: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, Any] = {
        "listings": args.listings,
        "seconds": args.seconds,
        "concurrency": args.concurrency,
    }
    with fresh_database(f"bench_pages_{os.getpid()}") as database_url:
        started = time.perf_counter()
        seed(database_url, args.listings)
        results["seed_s"] = round(time.perf_counter() - started, 1)
        env = app_env(database_url, workdir)
        started = time.perf_counter()
        subprocess.run([MARKET, "reindex"], env=env, check=True, stdout=sys.stderr, stderr=sys.stderr)
        results["reindex_s"] = round(time.perf_counter() - started, 1)
        listings = listing_paths(database_url, 2000)
        how, deep = deep_page_path(database_url, args.deep_page)
        results["deep_page"] = f"{args.deep_page} by {how}"
        pages: dict[str, Callable[[random.Random], str]] = {
            "home": lambda rng: "/",
            "catalogo": lambda rng: "/catalogo",
            "catalogo_deep": lambda rng: deep,
            "listing": lambda rng: rng.choice(listings),
            "search": lambda rng: f"/buscar?q={rng.choice(SEARCHES)}",
        }
        for workers in args.workers:
            with serve(env, workdir / f"serve-{workers}.log", cwd=workdir, workers=workers) as server:
                for name, paths in pages.items():
                    figures = load(server.url, paths, args.seconds, args.concurrency)
                    log(f"{workers} process(es), {name}: {figures}")
                    for key, value in figures.items():
                        results[f"{name}_{key}_w{workers}"] = value
    return results


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--workers", type=lambda s: [int(n) for n in s.split(",")], default=[1, 2])
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--deep-page", type=int, default=900)
    args = parser.parse_args()
    return run_and_report(lambda workdir: run(workdir, args), "bench-pages-")


if __name__ == "__main__":
    sys.exit(main())
