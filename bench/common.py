"""What the benchmarks share: the plumbing around the figures, not the figures.

Each benchmark starts what it needs (a fresh database on the local PostgreSQL, `market serve` on a free
loopback port...), removes all of it at the end, also on Ctrl-C, `kill` or a failure, prints progress to
stderr and, as the last stdout line, one JSON object of figures. Getting those parts right once (the
database dropped whatever happens, a server that dies during start-up reported at once, the code of this
checkout served rather than whatever the venv was installed from) is why they live here.

A script first puts the checkout's root in place of `bench/` at the head of `sys.path` (where Python puts
a script's own folder, and where `bench/search.py` would shadow the app's `search` package), then imports
this module as `bench.common`.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from types import FrameType
from typing import Any, NamedTuple

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
MARKET = str(Path(sys.executable).parent / "market")
PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/"  # the local server, trust auth
STARTED = time.perf_counter()  # the scripts import this module as they start


def log(message: str) -> None:
    """Progress on stderr, stamped with the seconds since the start: stdout carries only the figures."""
    print(f"[bench {time.perf_counter() - STARTED:7.1f}s] {message}", file=sys.stderr, flush=True)


def percentile(samples: Sequence[float], p: float) -> float:
    """The nearest-rank percentile (0.0 for no samples, so that an empty run still reports)."""
    if not samples:
        return 0.0
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def free_port() -> int:
    """A loopback port free right now, so that runs side by side (or a dev server) do not collide."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(ready: Callable[[], bool], what: str, timeout_s: float, interval_s: float = 0.1) -> None:
    """Poll `ready` until it is true; a RuntimeError naming `what` after `timeout_s` (never a hang)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(interval_s)
    raise RuntimeError(f"{what}: not ready after {timeout_s:.0f}s")


# --- processes ------------------------------------------------------------------------------------


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL after 10 s: a stuck child must not outlive the benchmark."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


def tail(path: Path, lines: int = 30) -> str:
    """The last lines of a log file ("" if there is none): what a failure report needs."""
    with contextlib.suppress(OSError):
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    return ""


@contextlib.contextmanager
def running(
    command: list[str], logfile: Path, *, cwd: Path, env: Mapping[str, str] | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """A long-lived subprocess with its output in `logfile`, always stopped on the way out; if the way out
    is an exception (or an interrupt), the log's last lines go to stderr first, to say why."""
    with logfile.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=cwd, env=env)
        try:
            yield process
        except BaseException:
            log(f"{logfile.name} (last lines):\n{tail(logfile)}")
            raise
        finally:
            stop(process)


def app_env(database_url: str, workdir: Path, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a `market` command on `database_url` with its files (embedded search index,
    media) in `workdir`, on top of `base` (default: ours). This checkout's root goes first on PYTHONPATH,
    whatever the editable install says (it may point at another checkout, or be one made before
    search/__init__.py existed, which maps `search` to a namespace package)."""
    base = os.environ if base is None else base
    return dict(base) | {
        "DATABASE_URL": database_url,
        "MEDIA_DIR": str(workdir / "media"),
        "SEARCH_DB_PATH": str(workdir / "search.db"),
        "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), base.get("PYTHONPATH")) if p),
    }


class Server(NamedTuple):
    url: str
    pid: int  # for its CPU time or memory


@contextlib.contextmanager
def serve(env: Mapping[str, str], log_path: Path, cwd: Path, workers: int = 1) -> Iterator[Server]:
    """`market serve --no-worker --workers N` on a free loopback port, yielded once /healthz answers. A
    server that exits during start-up (a bad environment, a failed import) fails at once, not after the
    120 s wait. With several workers, `pid` is uvicorn's supervisor, not one of the app processes."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [MARKET, "serve", "--no-worker", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--workers", str(workers)]
    try:
        with running(command, log_path, cwd=cwd, env=env) as process:

            def up() -> bool:
                if process.poll() is not None:
                    raise RuntimeError(f"market serve exited with {process.returncode}")
                with contextlib.suppress(httpx.HTTPError):
                    return httpx.get(f"{url}/healthz", timeout=2).status_code == 200
                return False

            wait_until(up, "market serve", 120, 0.2)
            log(f"market serve (pid {process.pid}) on {url}")
            yield Server(url, process.pid)
    finally:
        log("market serve stopped")


# --- PostgreSQL -----------------------------------------------------------------------------------


@contextlib.contextmanager
def fresh_database(name: str) -> Iterator[str]:
    """An empty database `name` on the local server (any leftover of that name is dropped first), yielded
    as its URL and dropped on the way out, with FORCE: a connection still open must not leave it behind."""
    admin = create_engine(PG_SERVER + "postgres", isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        log(f"created database {name}")
        yield make_url(PG_SERVER + name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        log(f"dropped database {name}")


# --- the run --------------------------------------------------------------------------------------


def interruptible() -> None:
    """Ctrl-C (even when started with SIGINT ignored, as a background job) and `kill <pid>` raise
    KeyboardInterrupt, so that the context managers stop the servers and drop the database."""

    def handler(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, handler)


def run_and_report(run: Callable[[Path], dict[str, Any]], workdir_prefix: str) -> int:
    """Run a benchmark in a temporary work directory and print its figures, with `loadavg_1m_end` and
    `wall_s` added, as the last stdout line (one JSON object); the exit status to return. An interrupt
    prints no figures (status 130); a failure is logged, then raised."""
    interruptible()
    with tempfile.TemporaryDirectory(prefix=workdir_prefix) as tmp:
        try:
            results = run(Path(tmp))
        except KeyboardInterrupt:
            log("interrupted: no figures")
            return 130
        except Exception as exc:
            log(f"FAILED: {type(exc).__name__}: {exc}")
            raise
    # the machine may be shared (test suites, other runs): say how busy it was
    results["loadavg_1m_end"] = os.getloadavg()[0]
    results["wall_s"] = round(time.perf_counter() - STARTED, 1)
    print(json.dumps(results), flush=True)
    return 0
