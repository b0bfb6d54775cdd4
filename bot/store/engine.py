"""Engines for both backends, and the retry policy for transient database conflicts.

SQLite: WAL (readers never block the writer), ``busy_timeout`` (wait for another process's
write lock instead of failing at once), foreign keys on, ``synchronous=FULL`` (a commit is on
disk before we acknowledge it). Write transactions start with ``BEGIN IMMEDIATE`` so they take
the write lock up front: a deferred transaction that reads and then writes can otherwise fail
with "database is locked" no matter how long busy_timeout is.

PostgreSQL: asyncpg through SQLAlchemy's async engine; serialization failures and deadlocks
are retried like SQLite's busy errors.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy import event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from bot.store.errors import StoreBusy

log = logging.getLogger(__name__)

T = TypeVar("T")

BUSY_TIMEOUT_MS = 5000
WRITE = "mle_write"  # execution option that makes SQLite begin with BEGIN IMMEDIATE
RETRY_SQLSTATES = {"40001", "40P01", "55P03"}  # serialization failure, deadlock, lock n/a


def make_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """An async engine for ``url`` (sqlite+aiosqlite://… or postgresql+asyncpg://…)."""
    if url.startswith("sqlite"):
        engine = create_async_engine(url, echo=echo, pool_size=5, max_overflow=5, pool_timeout=60)
        _tune_sqlite(engine)
        return engine
    return create_async_engine(
        url, echo=echo, pool_size=10, max_overflow=10, pool_timeout=60, pool_pre_ping=True
    )


def _tune_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_conn, _record) -> None:
        # Take over BEGIN from the driver so we can choose IMMEDIATE for writes.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = FULL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(conn) -> None:
        write = conn.get_execution_options().get(WRITE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def is_transient(exc: BaseException) -> bool:
    """A conflict worth retrying: SQLite busy/locked, PostgreSQL serialization or deadlock."""
    if not isinstance(exc, DBAPIError):
        return False
    orig = exc.orig
    code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if code in RETRY_SQLSTATES:
        return True
    text = str(orig).lower()
    return (
        "database is locked" in text
        or "database is busy" in text
        or "database table is locked" in text
    )


async def run_write(
    engine: AsyncEngine,
    fn: Callable[[AsyncConnection], Awaitable[T]],
    *,
    attempts: int = 8,
    lock: asyncio.Lock | None = None,
) -> T:
    """Run ``fn`` in one write transaction, retrying transient conflicts with backoff.

    The transaction commits before this returns, so a caller that acknowledges the result to
    a member only does so for data already on disk. ``lock`` serializes writers inside this
    process (SQLite has one writer at a time anyway; queueing here is cheaper than spinning
    on the file lock). Persistent conflicts raise StoreBusy, never a driver traceback.
    """
    delay = 0.005
    write_engine = engine.execution_options(**{WRITE: True})
    for attempt in range(1, attempts + 1):
        try:
            if lock is None:
                async with write_engine.begin() as conn:
                    return await fn(conn)
            async with lock:
                async with write_engine.begin() as conn:
                    return await fn(conn)
        except DBAPIError as exc:
            if not is_transient(exc):
                raise
            if attempt == attempts:
                log.warning("database still busy after %d attempts: %s", attempts, exc.orig)
                raise StoreBusy() from exc
            log.info("database busy (attempt %d), retrying: %s", attempt, exc.orig)
            await asyncio.sleep(delay * (1 + random.random()))
            delay = min(delay * 2, 0.5)
    raise AssertionError("unreachable")
