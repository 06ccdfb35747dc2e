"""Database engine and the per-request session (one transaction per request: commit or roll back)."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, TypeVar

import anyio
import orjson
import psycopg
from fastapi import Request
from sqlalchemy import event, inspect
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm.util import identity_key
from sqlmodel import Session, col, create_engine, select

from market.state import engine_of


def utcnow() -> datetime:
    """Aware UTC; SQLModel's UTCDateTime stores it the same way on SQLite and PostgreSQL."""
    return datetime.now(UTC)


class HasId(Protocol):
    id: int | None


Row = TypeVar("Row", bound=HasId)


def rows_by_id(session: Session, model: type[Row], ids: set[int]) -> dict[int, Row]:
    """Rows by id: those the session already holds (the buyer and producers of an order just placed)
    without a query, the others in one."""
    held = {i: session.identity_map.get(identity_key(model, i)) for i in ids}
    found: dict[int, Row] = {i: row for i, row in held.items() if row is not None}
    if missing := ids - found.keys():
        rows = session.exec(select(model).where(col(model.id).in_(missing)))
        found |= {row.id or 0: row for row in rows}
    return found


# A pooled connection left unused this long is checked before it is handed out (one that PostgreSQL or the
# network closed meanwhile is replaced); one used a moment ago is not: pinging every time (pool_pre_ping)
# cost a round trip and a tenth of a checkout's CPU.
PING_IDLE_AFTER_SECONDS = 2.0


def _returned(_connection: Any, record: Any) -> None:
    record.info["returned_at"] = time.monotonic()


def _alive_if_idle(connection: Any, record: Any, _proxy: Any) -> None:
    returned = record.info.get("returned_at")
    if returned is None or time.monotonic() - returned < PING_IDLE_AFTER_SECONDS:
        return
    try:
        connection.execute("SELECT 1")
        connection.rollback()  # hand it out as the pool found it: outside a transaction
    except psycopg.Error as exc:  # the pool drops it and hands out another
        raise DisconnectionError() from exc


def make_engine(database_url: str, pool_size: int = 5, max_overflow: int = 10) -> Engine:
    """An engine; the pool's size matters for the app's processes (settings.database_pool_size), the CLI's
    one-off commands keep SQLAlchemy's defaults."""
    url = make_url(database_url)
    # orjson decodes the JSON columns several times faster (a full search reindex reads 200,000 of them).
    if url.get_backend_name() != "sqlite":
        engine = create_engine(
            url, pool_size=pool_size, max_overflow=max_overflow, json_deserializer=orjson.loads
        )
        event.listen(engine, "checkin", _returned)
        event.listen(engine, "checkout", _alive_if_idle)
        return engine
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url, connect_args={"check_same_thread": False, "timeout": 30}, json_deserializer=orjson.loads
    )

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
        # WAL lets readers work during a write; foreign keys are off by default in SQLite.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "savepoint")
    def _begin_before_savepoint(connection: Any, _name: str | None) -> None:
        # Python's sqlite3 opens a transaction only before a write, so a SAVEPOINT that comes first would
        # open one itself and its RELEASE would commit it: the request's rollback could no longer undo
        # it. A savepoint guards a write, so the transaction takes the write lock at once.
        driver = connection.connection.driver_connection
        if not driver.in_transaction:
            driver.execute("BEGIN IMMEDIATE")

    return engine


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """A unit of work outside a request (CLI, worker): commit on success, roll back on error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


# A session refers weakly to the rows it holds unchanged: one loaded inside a function is forgotten when the
# function returns, and the next that needs it (an order's buyer, for each of its parts) reads it again. A
# request's session keeps the rows it last loaded, at most this many (a streamed export stays flat), and
# every row it wrote (see `written_here`).
HELD_ROWS = 500


@event.listens_for(Session, "loaded_as_persistent")
def _hold(session: Session, row: object) -> None:
    held = session.info.get("held")
    if held is not None:
        held.append(row)


@event.listens_for(Session, "pending_to_persistent")
def _keep_written(session: Session, row: object) -> None:
    written = session.info.get("written")
    if written is not None:
        written.append(row)


def written_here(session: Session, row: object) -> list[object] | None:
    """The rows this request's session inserted, if `row` is one of them (an order placed by this request,
    whose parts, lines and events can only be among them too); None otherwise. Rows still pending are
    written first, as a query would."""
    session.flush()
    written = session.info.get("written")
    if written is None or not any(r is row for r in written):
        return None
    return [r for r in written if inspect(r).persistent]  # not deleted since, nor undone by a savepoint


async def get_session(request: Request) -> AsyncIterator[Session]:
    """FastAPI dependency: the request owns the transaction; services never commit. Opening a session does
    no I/O, so it happens on the event loop; only its end (commit or roll back, then give the connection
    back) goes to a worker thread — a sync dependency would cost two thread hops per request."""
    session = Session(engine_of(request), expire_on_commit=False)
    session.info |= {"held": deque(maxlen=HELD_ROWS), "written": []}
    try:
        yield session
    except BaseException:
        await _end(session, session.rollback)
        raise
    await _end(session, session.commit)


async def _end(session: Session, end: Callable[[], None]) -> None:
    def run() -> None:
        try:
            end()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    with anyio.CancelScope(shield=True):  # a client that hangs up must not leave the connection checked out
        await anyio.to_thread.run_sync(run)
