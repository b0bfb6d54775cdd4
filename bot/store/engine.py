"""Engines for both backends, and the retry policy for transient database conflicts.

SQLite: WAL (readers never block the writer), ``busy_timeout`` (wait for another process's
write lock instead of failing at once), foreign keys on, ``synchronous=FULL`` (a commit is on
disk before we acknowledge it). Write transactions start with ``BEGIN IMMEDIATE`` so they take
the write lock up front: a deferred transaction that reads and then writes can otherwise fail
with "database is locked" no matter how long busy_timeout is.

PostgreSQL: asyncpg through SQLAlchemy's async engine; serialization failures and deadlocks
are retried like SQLite's busy errors.

SQLite file identity: the file's (st_dev, st_ino) is recorded at the first connection. Before
every write transaction and every new connection it is checked again; if the file was
deleted or replaced (a restore, a cleanup job, a volume swap), writes would go to an unlinked
inode or a fresh empty file and vanish at the next restart. Instead the store stops writing
for good (``StoreUnavailable``), logs it at CRITICAL once and at ERROR per refused write, and
members are told nothing was saved. Restore the file and restart the bot.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import random
import socket
import tempfile
import weakref
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from bot.store.errors import StoreBusy, StoreUnavailable

log = logging.getLogger(__name__)

T = TypeVar("T")

BUSY_TIMEOUT_MS = 5000
WRITE = "mle_write"  # execution option that makes SQLite begin with BEGIN IMMEDIATE
RETRY_SQLSTATES = {"40001", "40P01", "55P03"}  # serialization failure, deadlock, lock n/a


def make_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """An async engine for ``url`` (sqlite+aiosqlite://… or postgresql+asyncpg://…).

    URLs come normalised from ``bot.settings.database_url``. For a SQLite file the directory
    is checked first (``StoreUnavailable`` naming DATABASE_URL if it is missing or not
    writable), so that problem is never mistaken for a new database.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database or ""
        file_backed = path not in ("", ":memory:") and not path.startswith("file:")
        if file_backed:
            check_sqlite_location(path)
        if file_backed:
            pool = {"pool_size": 5, "max_overflow": 5, "pool_timeout": 60}
        else:  # in memory: SQLAlchemy's one shared connection (StaticPool) takes no pool sizes
            pool = {}
        engine = create_async_engine(url, echo=echo, **pool)
        _tune_sqlite(engine, SqliteFile(path) if file_backed else None)
        return engine
    parsed, connect_args = libpq_params(parsed)
    return create_async_engine(
        parsed,
        echo=echo,
        pool_size=10,
        max_overflow=10,
        pool_timeout=60,
        pool_pre_ping=True,
        connect_args=connect_args,
    )


def libpq_params(url: URL) -> tuple[URL, dict]:
    """``url`` without libpq's ``connect_timeout`` (seconds) and ``application_name``, and
    the asyncpg ``connect()`` arguments they stand for (``timeout``, ``server_settings``)."""
    args: dict = {}
    if "connect_timeout" in url.query:
        args["timeout"] = float(str(url.query["connect_timeout"]))
    if "application_name" in url.query:
        args["server_settings"] = {"application_name": str(url.query["application_name"])}
    return url.difference_update_query(["connect_timeout", "application_name"]), args


def check_sqlite_location(path: str) -> None:
    """Raise ``StoreUnavailable`` (one line, naming DATABASE_URL) unless SQLite can use ``path``.

    The directory must exist and take new files (SQLite writes ``-wal`` and ``-shm`` beside
    the database), and an existing file must be readable and writable.
    """
    directory = os.path.dirname(path) or "."
    if not os.path.isdir(directory):
        raise StoreUnavailable(
            f"DATABASE_URL: the directory {directory} for the SQLite file does not exist — "
            f"create it (mkdir -p {directory}) or point DATABASE_URL at an existing directory"
        )
    if os.path.isdir(path):
        raise StoreUnavailable(
            f"DATABASE_URL: {path} is a directory — name a file in it, e.g. {path}/bot.db"
        )
    try:
        with tempfile.TemporaryFile(dir=directory, prefix=".mle-bot-probe-"):
            pass
    except OSError as exc:
        raise StoreUnavailable(
            f"DATABASE_URL: can't create files in {directory} ({exc.strerror or exc}) — SQLite "
            "writes its journal beside the database: make the directory writable or choose "
            "another one"
        ) from None
    if os.path.exists(path) and not os.access(path, os.R_OK | os.W_OK):
        raise StoreUnavailable(
            f"DATABASE_URL: can't read and write {path} — fix its permissions or choose "
            "another file"
        )


class SqliteFile:
    """The identity (st_dev, st_ino) of a SQLite database file, checked before writes."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.identity: tuple[int, int] | None = None
        self.lost: str | None = None  # why writes stopped, once they have

    def record(self) -> None:
        if self.identity is None:
            st = os.stat(self.path)
            self.identity = (st.st_dev, st.st_ino)

    def verify(self) -> str | None:
        """Why the file can't be written any more (None while it is the one first opened)."""
        if self.lost is None and self.identity is not None:
            try:
                st = os.stat(self.path)
            except FileNotFoundError:
                self._lose("was deleted")
            else:
                if (st.st_dev, st.st_ino) != self.identity:
                    self._lose("was replaced by another file")
        return self.lost

    def check(self) -> None:
        """Raise ``StoreUnavailable`` if the file vanished or is another file than at start."""
        if self.verify() is not None:
            log.error("refused a write: %s", self.lost)
            raise StoreUnavailable(self.lost)

    def _lose(self, what: str) -> None:
        self.lost = (
            f"the SQLite database {self.path} {what} while the bot was running; writes are "
            "stopped so nothing more is lost — restore the file (or fix DATABASE_URL) and "
            "restart the bot"
        )
        log.critical("DATABASE FILE LOST: %s", self.lost)


_FILES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def sqlite_file(engine: AsyncEngine) -> SqliteFile | None:
    """The file identity guard of a SQLite-file engine (None for PostgreSQL or in-memory)."""
    return _FILES.get(engine.sync_engine)


def _tune_sqlite(engine: AsyncEngine, file: SqliteFile | None = None) -> None:
    if file is not None:
        _FILES[engine.sync_engine] = file

        @event.listens_for(engine.sync_engine, "do_connect")
        def before_connect(*_args) -> None:
            file.check()  # a new connection must not create a fresh file in the lost one's place

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
        if file is not None:
            file.record()

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
    file = sqlite_file(engine)
    write_engine = engine.execution_options(**{WRITE: True})

    async def once() -> T:
        if file is not None:
            file.check()  # right before BEGIN: nothing is written to a lost file
        async with write_engine.begin() as conn:
            return await fn(conn)

    for attempt in range(1, attempts + 1):
        try:
            if lock is None:
                return await once()
            async with lock:
                return await once()
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


def describe_error(exc: BaseException, url: str) -> str:
    """One line for the operator: why the database at ``url`` can't be opened, and the fix.

    Walks ``exc``'s cause chain for what went wrong (connection refused, unknown host,
    missing database, refused login, timeout, SQLite file problems); never shows the password.
    """
    parsed = make_url(url)
    where = f"{parsed.host or 'localhost'}:{parsed.port or 5432}"
    chain: list[BaseException] = []
    seen: BaseException | None = exc
    while seen is not None and seen not in chain:
        chain.append(seen)
        seen = getattr(seen, "orig", None) or seen.__cause__ or seen.__context__
    for err in chain:
        if isinstance(err, StoreUnavailable):
            return err.reason
        name = type(err).__name__
        sqlstate = getattr(err, "sqlstate", None)
        if name == "InvalidCatalogNameError" or sqlstate == "3D000":
            return (
                f"DATABASE_URL: the database {parsed.database!r} does not exist on {where} — "
                f"create it (createdb -h {parsed.host} {parsed.database}) or fix the name"
            )
        if name in ("InvalidPasswordError", "InvalidAuthorizationSpecificationError") or (
            sqlstate in ("28P01", "28000")
        ):
            return (
                f"DATABASE_URL: PostgreSQL on {where} refused the login of user "
                f"{parsed.username!r} — check the user name and password"
            )
        if isinstance(err, socket.gaierror):
            return (
                f"DATABASE_URL: the host {parsed.host!r} can't be found — fix the host name "
                "(in docker compose it is the database service's name)"
            )
        if isinstance(err, ConnectionRefusedError) or (
            isinstance(err, OSError) and err.errno in (errno.ECONNREFUSED, errno.EHOSTUNREACH)
        ):
            return (
                f"DATABASE_URL: nothing accepts connections at {where} — start PostgreSQL "
                "there or fix the host and port"
            )
        if isinstance(err, TimeoutError):
            return f"DATABASE_URL: {where} did not answer in time — check the host and firewall"
    if parsed.get_backend_name() == "sqlite":
        return (
            f"DATABASE_URL: SQLite can't open {parsed.database} ({_first_line(exc)}) — check "
            "the path and its permissions"
        )
    return f"DATABASE_URL: can't open the database at {where} ({_first_line(exc)})"


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip().splitlines()
    return (text[0] if text else type(orig).__name__)[:200]
